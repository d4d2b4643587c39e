#include "kernels/table_chain.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "kernels/table_lookup.hpp"

namespace instaug {
Table8 table_of(const std::function<double(int)>& f) {
    Table8 t;
    for (int v = 0; v < 256; ++v) t[v] = static_cast<uint8_t>(std::clamp(f(v), 0.0, 255.0));
    return t;
}

std::vector<Table8> same_for_all(int channels, const std::function<double(int)>& f) {
    return std::vector<Table8>(channels, table_of(f));
}

std::vector<Table8> brightness_contrast_tables(int channels, double brightness, double contrast,
                                               bool brightness_first, const std::function<double()>& grey_mean) {
    if (contrast == 1) return same_for_all(channels, [&](int v) { return v * brightness; });
    double mean = grey_mean();
    if (brightness == 1) {
        if (contrast == 0) return same_for_all(channels, [&](int) { return std::floor(mean + 0.5); });
        return same_for_all(channels, [&](int v) { return v * contrast + mean * (1 - contrast); });
    }
    mean /= 255.0;
    const double mean_at_contrast = brightness_first ? std::clamp(mean * brightness, 0.0, 1.0) : mean;
    return same_for_all(channels, [&](int v) {
        if (brightness_first) {
            const double x = std::clamp(v * brightness, 0.0, 255.0);
            return x * contrast + mean_at_contrast * 255.0 * (1 - contrast);
        }
        const double x = std::floor(std::clamp(v * contrast + mean_at_contrast * 255.0 * (1 - contrast), 0.0, 255.0));
        return x * brightness;
    });
}

double exact_grey_mean(const cv::Mat& image) {
    cv::Mat grey = image;
    if (image.channels() == 3) cv::cvtColor(image, grey, cv::COLOR_RGB2GRAY);
    const cv::Scalar m = cv::mean(grey);
    double sum = 0;
    for (int c = 0; c < grey.channels(); ++c) sum += m[c];
    return sum / grey.channels();
}

TableChain::TableChain(const cv::Mat& image) : image_(image) {}

void TableChain::add(const std::vector<Table8>& tables) {
    if (composed_.empty()) {
        composed_ = tables;
        return;
    }
    for (std::size_t c = 0; c < composed_.size(); ++c)
        for (int v = 0; v < 256; ++v) composed_[c][v] = tables[c][composed_[c][v]];
}

double TableChain::grey_mean() {
    if (composed_.empty()) return exact_grey_mean(image_);
    const int channels = image_.channels();
    if (histograms_.empty()) {
        // Integer counts, one pass, channels unrolled per pixel.
        std::vector<std::array<uint32_t, 256>> counts(channels);
        for (auto& c : counts) c.fill(0);
        for (int y = 0; y < image_.rows; ++y) {
            const uint8_t* p = image_.ptr<uint8_t>(y);
            const uint8_t* end = p + static_cast<std::ptrdiff_t>(image_.cols) * channels;
            if (channels == 3) {
                for (; p < end; p += 3) {
                    ++counts[0][p[0]];
                    ++counts[1][p[1]];
                    ++counts[2][p[2]];
                }
            } else {
                for (int i = 0; p < end; ++p, i = (i + 1 == channels ? 0 : i + 1)) ++counts[i][*p];
            }
        }
        histograms_.assign(channels, {});
        for (int c = 0; c < channels; ++c)
            for (int v = 0; v < 256; ++v) histograms_[c][v] = counts[c][v];
    }
    const double pixels = static_cast<double>(image_.rows) * image_.cols;
    std::vector<double> means(channels, 0.0);
    for (int c = 0; c < channels; ++c)
        for (int v = 0; v < 256; ++v) means[c] += histograms_[c][v] * composed_[c][v] / pixels;
    if (channels == 3) return 0.299 * means[0] + 0.587 * means[1] + 0.114 * means[2];
    double sum = 0;
    for (double m : means) sum += m;
    return sum / channels;
}

cv::Mat TableChain::apply() const { return apply_tables(image_, composed_); }

cv::Mat apply_tables(const cv::Mat& image, const std::vector<Table8>& tables) {
    const int channels = image.channels();
    cv::Mat out;
    if (std::all_of(tables.begin(), tables.end(), [&](const Table8& t) { return t == tables[0]; })) {
        // One table for every channel: every byte through the same table.
        if (!lookup_bytes_vectorised()) {
            cv::LUT(image, cv::Mat(1, 256, CV_8U, const_cast<uint8_t*>(tables[0].data())), out);
            return out;
        }
        out.create(image.size(), image.type());
        const std::size_t row_bytes = static_cast<std::size_t>(image.cols) * image.elemSize();
        if (image.isContinuous()) {
            lookup_bytes(image.data, out.data, row_bytes * image.rows, tables[0].data());
        } else {
            for (int y = 0; y < image.rows; ++y)
                lookup_bytes(image.ptr<uint8_t>(y), out.ptr<uint8_t>(y), row_bytes, tables[0].data());
        }
        return out;
    }
    // One table per channel: a plain loop (OpenCV's multi-table LUT has no fast path).
    out.create(image.size(), image.type());
    for (int y = 0; y < image.rows; ++y) {
        const uint8_t* p = image.ptr<uint8_t>(y);
        uint8_t* o = out.ptr<uint8_t>(y);
        const int n = image.cols * channels;
        if (channels == 3) {
            const uint8_t *t0 = tables[0].data(), *t1 = tables[1].data(), *t2 = tables[2].data();
            for (int i = 0; i < n; i += 3) {
                o[i] = t0[p[i]];
                o[i + 1] = t1[p[i + 1]];
                o[i + 2] = t2[p[i + 2]];
            }
        } else {
            for (int i = 0; i < n; ++i) o[i] = tables[i % channels][p[i]];
        }
    }
    return out;
}

}  // namespace instaug
