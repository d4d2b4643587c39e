// Dithering (ordered Bayer, random noise, error diffusion) and Halftone (a dot per grid cell). The
// reference's paths differ by dtype (uint8 tables, float32 arithmetic); each is reproduced as it is,
// float32 steps in float32, so the thresholds fall on the same pixels.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// ---- Bayer matrices -----------------------------------------------------------------------------
// The reference's recursion, in float32: size 8 and 16 build on the smaller matrix (already divided
// by its area) times 4, so they are not the textbook Bayer matrices; all steps are exact in float32.
std::vector<float> bayer(int size) {
    static const float two[4] = {0, 2, 3, 1};
    static const float four[16] = {0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5};
    std::vector<float> m(static_cast<size_t>(size) * size);
    if (size == 2) std::copy(two, two + 4, m.begin());
    else if (size == 4) std::copy(four, four + 16, m.begin());
    else {
        const int half = size / 2;
        const std::vector<float> base = bayer(half);
        const float add[4] = {0, 2, 3, 1};  // top-left, top-right, bottom-left, bottom-right
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x)
                m[y * size + x] = base[(y % half) * half + x % half] * 4.0f + add[(y / half) * 2 + x / half];
    }
    for (float& v : m) v = v / static_cast<float>(size * size);
    return m;
}

int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// ---- ordered ------------------------------------------------------------------------------------
// uint8: x + (threshold - 128) // n through the table levels[min(v * n // 256, n - 1)]; two colours:
// x > threshold. One 256-entry table per matrix cell (at most 16 x 16) folds both steps into one read.
cv::Mat ordered_uint8(const cv::Mat& image, int n, int size) {
    const std::vector<float> m = bayer(size);
    uint8_t levels[256];
    for (int v = 0; v < 256; ++v) {
        const int level = std::min(v * n / 256, n - 1);
        levels[v] = static_cast<uint8_t>(level == n - 1 ? 255.0 : level * (255.0 / (n - 1)));
    }
    std::vector<uint8_t> tables(m.size() * 256);
    for (size_t cell = 0; cell < m.size(); ++cell) {
        const int t = static_cast<int>(m[cell] * 255.0f);
        const int shift = floor_div(t - 128, n);
        for (int v = 0; v < 256; ++v)
            tables[cell * 256 + v] = n == 2 ? (v > t ? 255 : 0) : levels[std::clamp(v + shift, 0, 255)];
    }
    const int cn = image.channels();
    cv::Mat out(image.size(), image.type());
    for (int y = 0; y < image.rows; ++y) {
        const uint8_t* src = image.ptr<uint8_t>(y);
        uint8_t* dst = out.ptr<uint8_t>(y);
        const uint8_t* row = &tables[static_cast<size_t>((y % size) * size) * 256];
        for (int x = 0, cell = 0; x < image.cols; ++x, cell = cell + 1 == size ? 0 : cell + 1) {
            const uint8_t* table = row + cell * 256;
            for (int c = 0; c < cn; ++c) dst[x * cn + c] = table[src[x * cn + c]];
        }
    }
    return out;
}

// float32: floor((x + (threshold - 0.5) / n) * n) / n, clipped to [0, (n - 1) / n].
cv::Mat ordered_float(const cv::Mat& image, int n, int size) {
    const std::vector<float> m = bayer(size);
    const float nf = static_cast<float>(n), top = static_cast<float>(static_cast<double>(n - 1) / n);
    const int cn = image.channels();
    cv::Mat out(image.size(), image.type());
    for (int y = 0; y < image.rows; ++y) {
        const float* src = image.ptr<float>(y);
        float* dst = out.ptr<float>(y);
        const float* row = &m[(y % size) * size];
        for (int x = 0; x < image.cols; ++x) {
            const float t = row[x % size], noise = (t - 0.5f) / nf;
            for (int c = 0; c < cn; ++c) {
                const float v = src[x * cn + c];
                if (n == 2) {
                    dst[x * cn + c] = v > t ? 1.0f : 0.0f;
                    continue;
                }
                const float d = std::clamp(v + noise, 0.0f, 1.0f);
                dst[x * cn + c] = std::clamp(std::floor(d * nf) / nf, 0.0f, top);
            }
        }
    }
    return out;
}

// ---- random -------------------------------------------------------------------------------------
// One uniform draw per value (per pixel in grayscale mode), from OpenCV's cv::RNG seeded from the
// call's stream (a tight generator: a draw through Random costs more than the rest of the pass):
// uint8 images add it in grey levels (truncated to an integer) and quantise through a table;
// float32 images add it in [0, 1] (float64) and round.
cv::Mat random_dither(const cv::Mat& image, int n, const std::array<double, 2>& range, Random& rng) {
    const int cn = image.channels();
    const bool bytes = image.depth() == CV_8U;
    cv::RNG generator(rng.next_u64());
    cv::Mat noise(image.rows, image.cols * cn, bytes ? CV_32F : CV_64F);
    const double scale = bytes ? 255.0 : 1.0;
    generator.fill(noise, cv::RNG::UNIFORM, range[0] * scale, range[1] * scale);
    cv::Mat out(image.size(), image.type());
    if (bytes) {
        uint8_t table[256];
        for (int v = 0; v < 256; ++v)
            table[v] = n == 2 ? (v >= 128 ? 255 : 0)
                              : static_cast<uint8_t>(std::nearbyint(static_cast<double>(v * (n - 1)) / 255.0) / (n - 1) * 255.0);
        for (int y = 0; y < image.rows; ++y) {
            const uint8_t* src = image.ptr<uint8_t>(y);
            const float* add = noise.ptr<float>(y);
            uint8_t* dst = out.ptr<uint8_t>(y);
            for (int i = 0; i < image.cols * cn; ++i)
                dst[i] = table[std::clamp(src[i] + static_cast<int>(add[i]), 0, 255)];  // toward zero
        }
        return out;
    }
    for (int y = 0; y < image.rows; ++y) {
        const float* src = image.ptr<float>(y);
        const double* add = noise.ptr<double>(y);
        float* dst = out.ptr<float>(y);
        for (int i = 0; i < image.cols * cn; ++i) {
            const double v = std::clamp(add[i] + src[i], 0.0, 1.0);
            dst[i] = static_cast<float>(n == 2 ? (v >= 0.5 ? 1.0 : 0.0) : std::nearbyint(v * (n - 1)) / (n - 1));
        }
    }
    return out;
}

// ---- error diffusion ----------------------------------------------------------------------------
struct Spread {
    int dx, dy;
    double weight;
};

std::vector<Spread> diffusion_kernel(const std::string& name) {
    auto of = [](std::vector<std::pair<int, int>> at, std::vector<int> num, int den) {
        std::vector<Spread> k;
        for (size_t i = 0; i < at.size(); ++i) k.push_back({at[i].first, at[i].second, static_cast<double>(num[i]) / den});
        return k;
    };
    const std::vector<std::pair<int, int>> wide = {{1, 0}, {2, 0}, {-2, 1}, {-1, 1}, {0, 1}, {1, 1}, {2, 1},
                                                   {-2, 2}, {-1, 2}, {0, 2}, {1, 2}, {2, 2}};
    const std::vector<std::pair<int, int>> two_rows(wide.begin(), wide.begin() + 7);
    if (name == "floyd_steinberg") return of({{1, 0}, {-1, 1}, {0, 1}, {1, 1}}, {7, 3, 5, 1}, 16);
    if (name == "jarvis") return of(wide, {7, 5, 3, 5, 7, 5, 3, 1, 3, 5, 3, 1}, 48);
    if (name == "stucki") return of(wide, {8, 4, 2, 4, 8, 4, 2, 1, 2, 4, 2, 1}, 42);
    if (name == "atkinson") return of({{1, 0}, {2, 0}, {-1, 1}, {0, 1}, {1, 1}, {0, 2}}, {1, 1, 1, 1, 1, 1}, 8);
    if (name == "burkes") return of(two_rows, {8, 4, 2, 4, 8, 4, 2}, 32);
    if (name == "sierra")
        return of({{1, 0}, {2, 0}, {-2, 1}, {-1, 1}, {0, 1}, {1, 1}, {2, 1}, {-1, 2}, {0, 2}, {1, 2}}, {5, 3, 2, 4, 5, 4, 2, 2, 3, 2}, 32);
    if (name == "sierra_2row") return of(two_rows, {4, 3, 1, 2, 3, 2, 1}, 16);
    return of({{1, 0}, {-1, 1}, {0, 1}}, {2, 1, 1}, 4);  // sierra_lite
}

// One float32 plane dithered in place, as the reference's loop: the value is quantised (two colours:
// >= 0.5; else round-half-even(v * (n - 1)) / (n - 1) in float64, stored in float32) and the float32
// error spread with float32 weights; then the plane is clipped to [0, 1]. The work happens in a copy
// with a margin of 2 (the kernels' reach): error spread past the image lands in the margin, never read.
void diffuse_plane(cv::Mat& plane, int n, const std::vector<Spread>& kernel, bool serpentine) {
    constexpr int kReach = 2;
    cv::Mat work;
    cv::copyMakeBorder(plane, work, 0, kReach, kReach, kReach, cv::BORDER_CONSTANT, cv::Scalar(0));
    const ptrdiff_t stride = static_cast<ptrdiff_t>(work.step1());
    std::vector<float> weights;
    std::vector<ptrdiff_t> ahead, back;  // offsets of the neighbours, left to right and mirrored
    for (const Spread& s : kernel) {
        weights.push_back(static_cast<float>(s.weight));
        ahead.push_back(s.dy * stride + s.dx);
        back.push_back(s.dy * stride - s.dx);
    }
    const size_t count = weights.size();
    const float top = static_cast<float>(n - 1);
    for (int y = 0; y < plane.rows; ++y) {
        const bool reversed = serpentine && y % 2 == 1;
        const ptrdiff_t* offsets = reversed ? back.data() : ahead.data();
        float* row = work.ptr<float>(y) + kReach;
        for (int i = 0; i < plane.cols; ++i) {
            float* p = row + (reversed ? plane.cols - 1 - i : i);
            const float old = *p;
            const float level = n == 2 ? (old >= 0.5f ? 1.0f : 0.0f)
                                       : static_cast<float>(static_cast<double>(std::nearbyint(old * top)) / (n - 1));
            *p = level;
            const float error = old - level;
            for (size_t k = 0; k < count; ++k) p[offsets[k]] += error * weights[k];
        }
    }
    work(cv::Rect(kReach, 0, plane.cols, plane.rows)).copyTo(plane);
    pixel::clip01(plane);
}

// v / 255 in float32 (a division: OpenCV's scaled convertTo multiplies by 1 / 255, an ulp apart).
const cv::Mat& float_table() {
    static const cv::Mat table = [] {
        cv::Mat t(1, 256, CV_32F);
        for (int v = 0; v < 256; ++v) t.ptr<float>()[v] = static_cast<float>(v) / 255.0f;
        return t;
    }();
    return table;
}

// uint8 goes through float32 (/ 255) and back (x 255, rounded); the reference's binary
// Floyd-Steinberg shortcut for one uint8 channel scales by float32(1 / 255) instead.
cv::Mat error_diffusion(const cv::Mat& image, int n, const std::string& algorithm, bool serpentine) {
    const std::vector<Spread> kernel = diffusion_kernel(algorithm);
    const bool shortcut = image.depth() == CV_8U && n == 2 && algorithm == "floyd_steinberg" && !serpentine && image.channels() == 1;
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    for (cv::Mat& plane : planes) {
        cv::Mat f;
        if (image.depth() == CV_32F) f = plane.clone();
        else if (shortcut) plane.convertTo(f, CV_32F, static_cast<float>(1.0 / 255.0));
        else cv::LUT(plane, float_table(), f);
        diffuse_plane(f, n, kernel, serpentine);
        plane = image.depth() == CV_32F ? f : pixel::to_uint8(f);
    }
    cv::Mat out;
    cv::merge(planes, out);
    return out;
}

// ---- grey ---------------------------------------------------------------------------------------
// RGB: OpenCV's weighted grey; one channel: itself; otherwise the channel mean (float64, truncated
// for uint8).
cv::Mat grey_for_dithering(const cv::Mat& image) {
    if (image.channels() == 1) return image;
    cv::Mat grey;
    if (image.channels() == 3) {
        cv::cvtColor(image, grey, cv::COLOR_RGB2GRAY);
        return grey;
    }
    const int cn = image.channels();
    grey.create(image.size(), image.depth());
    for (int y = 0; y < image.rows; ++y)
        for (int x = 0; x < image.cols; ++x) {
            double sum = 0;
            for (int c = 0; c < cn; ++c)
                sum += image.depth() == CV_8U ? image.ptr<uint8_t>(y)[x * cn + c] : image.ptr<float>(y)[x * cn + c];
            if (image.depth() == CV_8U) grey.ptr<uint8_t>(y)[x] = static_cast<uint8_t>(sum / cn);
            else grey.ptr<float>(y)[x] = static_cast<float>(sum / cn);
        }
    return grey;
}

cv::Mat dither_one(const cv::Mat& image, const Params& params, Random& rng) {
    const std::string& method = params.text("method");
    const int n = params.integer32("n_colors");
    if (method == "ordered") {
        const int size = params.integer32("bayer_matrix_size");
        return image.depth() == CV_8U ? ordered_uint8(image, n, size) : ordered_float(image, n, size);
    }
    if (method == "random") return random_dither(image, n, params.range("noise_range"), rng);
    return error_diffusion(image, n, params.text("error_diffusion_algorithm"), params.flag("serpentine"));
}

cv::Mat dithering(const cv::Mat& image, const Params& params, Random& rng) {
    rng.note("noise_range", params.at("noise_range"));
    if (params.text("color_mode") != "grayscale") return dither_one(image, params, rng);
    cv::Mat dithered = dither_one(grey_for_dithering(image), params, rng);
    if (image.channels() == 1) return dithered;
    std::vector<cv::Mat> copies(image.channels(), dithered);
    cv::Mat out;
    cv::merge(copies, out);
    return out;
}

void check_bayer_size(const std::string& owner, const Params& p) {
    const int64_t size = p.integer("bayer_matrix_size");
    if (size != 2 && size != 4 && size != 8 && size != 16)
        throw std::invalid_argument(owner + ": bayer_matrix_size must be one of 2, 4, 8, 16, got " + std::to_string(size));
}

// ---- Halftone -----------------------------------------------------------------------------------
// On uint8 (float32 images go through it, as the reference's @uint8_io). Per cell of dot_size:
// luminance = channel mean / 255 in float32, radius max(1, int(dot_size / 2 * cell mean)), colour the
// truncated cell mean; an antialiased filled circle at the cell's centre on a black canvas, cells drawn
// in order, each over the last. (Images have at most 4 channels: the reference's per-cell mask path
// for more is never taken.)
cv::Mat luminance_of(const cv::Mat& image) {
    const int cn = image.channels();
    cv::Mat lum(image.size(), CV_32F);
    for (int y = 0; y < image.rows; ++y) {
        const uint8_t* src = image.ptr<uint8_t>(y);
        float* dst = lum.ptr<float>(y);
        for (int x = 0; x < image.cols; ++x) {
            int sum = 0;
            for (int c = 0; c < cn; ++c) sum += src[x * cn + c];
            dst[x] = static_cast<float>(cn == 1 ? sum : static_cast<double>(sum) / cn) / 255.0f;
        }
    }
    return lum;
}

cv::Mat halftone_canvas(const cv::Mat& image, int dot) {
    const int cn = image.channels();
    const cv::Mat lum = luminance_of(image);
    cv::Mat canvas = cv::Mat::zeros(image.size(), image.type());
    for (int y0 = 0; y0 < image.rows; y0 += dot)
        for (int x0 = 0; x0 < image.cols; x0 += dot) {
            const cv::Rect cell(x0, y0, std::min(dot, image.cols - x0), std::min(dot, image.rows - y0));
            double lum_sum = 0;  // exact: float32 luminances of bytes summed in float64
            int64_t sums[4] = {0, 0, 0, 0};
            for (int y = cell.y; y < cell.y + cell.height; ++y) {
                const float* l = lum.ptr<float>(y);
                const uint8_t* p = image.ptr<uint8_t>(y);
                for (int x = cell.x; x < cell.x + cell.width; ++x) {
                    lum_sum += l[x];
                    for (int c = 0; c < cn; ++c) sums[c] += p[x * cn + c];
                }
            }
            const double area = static_cast<double>(cell.area());
            const int radius = std::max(1, static_cast<int>(dot * 0.5 * (lum_sum / area)));
            cv::Scalar colour;
            for (int c = 0; c < cn; ++c) colour[c] = std::floor(static_cast<double>(sums[c]) / area);
            const cv::Point centre((cell.x + cell.x + cell.width) / 2, (cell.y + cell.y + cell.height) / 2);
            cv::circle(canvas, centre, radius, colour, -1, cv::LINE_AA);
        }
    return canvas;
}

// image * w1 + canvas * w2 as the reference's uint8 blend (NumKong): float32 weights, canvas * w2
// fused onto the rounded image * w1, rounded half to even, saturated (cv::addWeighted is 1 level off
// on a few values).
cv::Mat blended(const cv::Mat& image, double w1, const cv::Mat& canvas, double w2) {
    const float a = static_cast<float>(w1), b = static_cast<float>(w2);
    cv::Mat out(image.size(), image.type());
    const int values = image.cols * image.channels();
    for (int y = 0; y < image.rows; ++y) {
        const uint8_t* p = image.ptr<uint8_t>(y);
        const uint8_t* q = canvas.ptr<uint8_t>(y);
        uint8_t* dst = out.ptr<uint8_t>(y);
        for (int i = 0; i < values; ++i) {
            const float v = std::nearbyint(std::fma(static_cast<float>(q[i]), b, static_cast<float>(p[i]) * a));
            dst[i] = static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
        }
    }
    return out;
}

cv::Mat halftone(const cv::Mat& image, const Params& params, Random& rng) {
    const auto sizes = params.range("dot_size_range");
    const int dot = static_cast<int>(rng.randint(static_cast<int64_t>(sizes[0]), static_cast<int64_t>(sizes[1])));
    rng.note("dot_size_range", dot);
    const double blend = pixel::draw(params, "blend_range", rng);
    // float32 images are drawn in uint8 (x 255, rounded) and come back / 255, as the reference's @uint8_io.
    return pixel::through_uint8(image, [&](const cv::Mat& u8) {
        cv::Mat canvas = halftone_canvas(u8, dot);
        if (blend <= 0) return canvas;
        return blended(u8, blend, canvas, 1.0 - blend);
    });
}

TransformDecl whole_image_decl(const std::string& name, std::vector<ParamDecl> params, PixelOp op) {
    TransformDecl d = pixel::pixel_transform(name, std::move(params), std::move(op));
    d.reads_neighbours = true;  // error diffusion and cells read other pixels; patterns start at the corner
    return d;
}

}  // namespace

void register_dithering(Registry& r) {
    TransformDecl d = whole_image_decl(
        "Dithering",
        {choice_param("method", "error_diffusion", Json::array({"random", "ordered", "error_diffusion"})),
         integer_param("n_colors", 2).between(2, 256),
         choice_param("color_mode", "grayscale", Json::array({"grayscale", "per_channel"})),
         choice_param("error_diffusion_algorithm", "floyd_steinberg",
                      Json::array({"floyd_steinberg", "jarvis", "stucki", "atkinson", "burkes", "sierra", "sierra_2row", "sierra_lite"})),
         integer_param("bayer_matrix_size", 4), flag_param("serpentine", false),
         range_param("noise_range", Json::array({-0.5, 0.5})).between(-1.0, 1.0)},
        dithering);
    d.check = check_bayer_size;
    r.add(std::move(d));
    r.add(whole_image_decl("Halftone",
                           {range_param("dot_size_range", Json::array({4, 10})).between(2.0, std::nullopt).whole().in("pixels"),
                            range_param("blend_range", Json::array({0.0, 0.5})).between(0.0, 1.0)},
                           halftone));
}

}  // namespace instaug
