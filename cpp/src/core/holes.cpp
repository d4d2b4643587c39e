#include "core/holes.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "core/bbox_filter.hpp"

namespace instaug {
namespace {

// The largest value of the image's dtype, as the reference's MAX_VALUES_BY_DTYPE.
double max_value_of(int depth) {
    switch (depth) {
        case CV_8U: return 255.0;
        case CV_16U: return 65535.0;
        case CV_32F:
        case CV_64F: return 1.0;
        default: throw std::invalid_argument("a random dropout fill needs a uint8, uint16 or float image");
    }
}

// A fill number as the dtype holds it: integer images truncate, as numpy's astype.
double in_dtype(double v, int depth) { return depth == CV_32F || depth == CV_64F ? v : std::trunc(v); }

cv::Scalar fill_scalar(const Json& numbers, const cv::Mat& image, const char* what) {
    const int channels = image.channels();
    if (numbers.size() != 1 && static_cast<int>(numbers.size()) != channels)
        throw std::invalid_argument(std::string(what) + " must have one value or one per channel: got " +
                                    std::to_string(numbers.size()) + " values for " + std::to_string(channels) +
                                    " channel(s)");
    if (channels > 4) throw std::invalid_argument(std::string(what) + ": at most 4 channels can take a fill");
    cv::Scalar s;
    for (int c = 0; c < channels; ++c)
        s[c] = in_dtype(numbers[numbers.size() == 1 ? 0 : c].get<double>(), image.depth());
    return s;
}

void fill_random(cv::Mat& image, const Holes& holes, bool per_hole, Random& rng) {
    const double top = max_value_of(image.depth());
    // Integer dtypes draw integers in [0, max]; randu's upper bound is exclusive.
    const double high = image.depth() == CV_32F || image.depth() == CV_64F ? top : top + 1;
    cv::RNG values(rng.next_u64());
    for (const cv::Rect& hole : holes) {
        cv::Mat area = image(hole);
        if (!per_hole) {
            values.fill(area, cv::RNG::UNIFORM, cv::Scalar::all(0), cv::Scalar::all(high));
            continue;
        }
        cv::Scalar s;
        for (int c = 0; c < std::min(image.channels(), 4); ++c)
            s[c] = high == top ? values.uniform(0.0, top) : std::floor(values.uniform(0.0, high));
        area.setTo(s);
    }
}

void fill_grayscale(cv::Mat& image, const Holes& holes) {
    const int channels = image.channels();
    if (channels == 1) return;
    const bool integer = image.depth() != CV_32F && image.depth() != CV_64F;
    for (const cv::Rect& hole : holes) {
        cv::Mat area = image(hole), wide, mean, grey;
        area.clone().reshape(1, hole.area()).convertTo(wide, CV_64F);
        cv::reduce(wide, mean, 1, cv::REDUCE_AVG);
        // numpy's astype truncates the mean where convertTo would round it.
        if (integer) mean.forEach<double>([](double& v, const int*) { v = std::floor(v); });
        mean.reshape(1, hole.height).convertTo(grey, image.depth());
        cv::merge(std::vector<cv::Mat>(channels, grey), area);
    }
}

constexpr int kSmallestInpainted = 8;

cv::Mat inpainted(const cv::Mat& image, cv::Mat mask, const std::string& method, int radius = 3) {
    if (image.channels() != 1 && image.channels() != 3)
        throw std::invalid_argument("fill='" + method + "' (inpainting) works only for 1 or 3 channel images, got " +
                                    std::to_string(image.channels()) + " channels");
    const bool is_float = image.depth() == CV_32F;
    if (!is_float && image.depth() != CV_8U)
        throw std::invalid_argument("fill='" + method + "' (inpainting) needs a uint8 or float32 image");
    cv::Mat bytes = image;
    if (is_float) image.convertTo(bytes, CV_MAKETYPE(CV_8U, image.channels()), 255.0);
    // OpenCV's Telea reads past images a few pixels across (its output changes from call to call):
    // such an image is inpainted with copies of its last row and column below and right of it,
    // which the crop at the end drops.
    const int extra_rows = std::max(0, kSmallestInpainted - bytes.rows);
    const int extra_cols = std::max(0, kSmallestInpainted - bytes.cols);
    if (extra_rows || extra_cols) {
        cv::copyMakeBorder(bytes, bytes, 0, extra_rows, 0, extra_cols, cv::BORDER_REPLICATE);
        cv::copyMakeBorder(mask, mask, 0, extra_rows, 0, extra_cols, cv::BORDER_REPLICATE);
    }
    const int flag = method == "inpaint_telea" ? cv::INPAINT_TELEA : cv::INPAINT_NS;
    cv::Mat out;
    if (bytes.channels() == 1) {
        // The reference inpaints a grey image as three equal channels and turns the result grey.
        cv::Mat colour, result;
        cv::cvtColor(bytes, colour, cv::COLOR_GRAY2BGR);
        cv::inpaint(colour, mask, result, radius, flag);
        cv::cvtColor(result, out, cv::COLOR_BGR2GRAY);
    } else {
        cv::inpaint(bytes, mask, out, radius, flag);
    }
    if (extra_rows || extra_cols) out = out(cv::Rect(0, 0, image.cols, image.rows)).clone();
    if (!is_float) return out;
    cv::Mat back;
    out.convertTo(back, CV_MAKETYPE(CV_32F, out.channels()), 1.0 / 255.0);
    return back;
}

cv::Mat filled_with_numbers(const cv::Mat& image, const Holes& holes, const Json& numbers, const char* what) {
    const cv::Scalar value = fill_scalar(numbers, image, what);
    cv::Mat out = image.clone();
    for (const cv::Rect& hole : holes) out(hole).setTo(value);
    return out;
}

// Writes `v` into every element of `area`. Masks of 64-bit integers travel as 8 opaque bytes per
// channel (CV_8UC(8k)): their elements take v's bytes, as int64.
void set_mask_area(cv::Mat area, double v) {
    const bool opaque64 = area.depth() == CV_8U && area.channels() % 8 == 0;
    if (v == 0 || opaque64) {
        uint8_t element[8] = {};
        const int64_t whole = static_cast<int64_t>(v);
        std::memcpy(element, &whole, sizeof element);
        const std::size_t bytes = area.elemSize();
        for (int y = 0; y < area.rows; ++y) {
            uint8_t* row = area.ptr<uint8_t>(y);
            for (std::size_t i = 0; i < area.cols * bytes; ++i) row[i] = v == 0 ? 0 : element[i % 8];
        }
        return;
    }
    area.setTo(cv::Scalar::all(v));
}

}  // namespace

cv::Mat hole_plane(const Holes& holes, int width, int height) {
    cv::Mat plane = cv::Mat::zeros(height, width, CV_8UC1);
    for (const cv::Rect& hole : holes) plane(hole).setTo(1);
    return plane;
}

cv::Mat fill_holes(const cv::Mat& image, const Holes& holes, const Json& fill, Random& rng, const char* what) {
    if (image.empty() || holes.empty()) return image;
    if (fill.is_string()) {
        const std::string& name = fill.get_ref<const std::string&>();
        if (name == "inpaint_telea" || name == "inpaint_ns")
            return inpainted(image, hole_plane(holes, image.cols, image.rows), name);
        cv::Mat out = image.clone();
        if (name == "random" || name == "random_uniform") fill_random(out, holes, name == "random_uniform", rng);
        else if (name == "grayscale") fill_grayscale(out, holes);
        else throw std::logic_error("unknown dropout fill '" + name + "'");
        return out;
    }
    return filled_with_numbers(image, holes, fill, what);
}

cv::Mat MaskedHoles::dropped(int width, int height) const {
    cv::Mat plane = hole_plane(holes, width, height);
    if (!within.empty()) plane &= within;
    return plane;
}

cv::Mat fill_holes_within(const cv::Mat& image, const Holes& holes, const cv::Mat& dropped, const Json& fill,
                          Random& rng, const char* what, int inpaint_radius) {
    if (image.empty() || holes.empty()) return image;
    if (fill.is_string() && (fill == "inpaint_telea" || fill == "inpaint_ns"))
        return inpainted(image, dropped, fill.get<std::string>(), inpaint_radius);
    const cv::Mat filled = fill_holes(image, holes, fill, rng, what);
    cv::Mat out = image.clone();
    filled.copyTo(out, dropped);
    return out;
}

cv::Mat fill_mask_holes(const cv::Mat& plane, const Holes& holes, const Json& fill) {
    if (plane.empty() || holes.empty()) return plane;
    if (fill.size() != 1) return filled_with_numbers(plane, holes, fill, "fill_mask");
    cv::Mat out = plane.clone();
    for (const cv::Rect& hole : holes) set_mask_area(out(hole), in_dtype(fill[0].get<double>(), plane.depth()));
    return out;
}

MaskTile fill_tile_holes(const MaskTile& tile, const Holes& holes, double value, int width, int height, int type) {
    const double v = in_dtype(value, CV_MAT_DEPTH(type));
    if (v == 0) {
        MaskTile out = tile;
        bool cloned = false;
        for (const cv::Rect& hole : holes) {
            const cv::Rect overlap = hole & tile.rect();
            if (overlap.empty()) continue;
            if (!cloned) {  // tiles may share memory (Mosaic replicas): copy before writing
                out.data = tile.data.clone();
                cloned = true;
            }
            set_mask_area(out.data(overlap - tile.rect().tl()), 0);
        }
        if (cloned) tighten_tile(out);
        return out;
    }
    cv::Rect area = tile.empty() ? cv::Rect() : tile.rect();
    for (const cv::Rect& hole : holes) area = area.empty() ? hole : (area | hole);
    area &= cv::Rect(0, 0, width, height);
    MaskTile out;
    out.x0 = area.x;
    out.y0 = area.y;
    out.data = cv::Mat::zeros(area.height, area.width, type);
    if (!tile.empty()) tile.data.copyTo(out.data(tile.rect() - area.tl()));
    for (const cv::Rect& hole : holes) set_mask_area(out.data((hole & area) - area.tl()), v);
    return out;
}

std::vector<uint8_t> boxes_under_holes(std::vector<std::array<double, 4>>& boxes, const cv::Mat& plane,
                                       double min_area, double min_visibility) {
    const cv::Rect canvas(0, 0, plane.cols, plane.rows);
    std::vector<uint8_t> keep(boxes.size(), 0);
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        auto& box = boxes[i];
        // numpy's astype(int), truncation toward zero, of the reference's boxes, which it holds
        // normalised in float32: x2 = 50 on a 120-wide image comes back as 49.99999 and becomes 49.
        const auto whole = [](double v, int side) { return static_cast<int>(reference_pixels(v, side)); };
        const int x1 = whole(box[0], plane.cols), y1 = whole(box[1], plane.rows);
        const int x2 = whole(box[2], plane.cols), y2 = whole(box[3], plane.rows);
        const double area = static_cast<double>(x2 - x1) * (y2 - y1);
        const cv::Rect region = cv::Rect(cv::Point(x1, y1), cv::Point(x2, y2)) & canvas;
        const cv::Mat covered = region.empty() ? cv::Mat() : plane(region);
        const double remaining = area - (region.empty() ? 0 : cv::countNonZero(covered));
        const double visibility = area != 0 ? remaining / area : 0.0;
        if (!(remaining >= min_area && visibility >= min_visibility && remaining > 0) || region.empty()) continue;
        // The tight box of the pixels no hole covers, within the truncated box.
        cv::Mat row_cover, column_cover;
        cv::reduce(covered, row_cover, 1, cv::REDUCE_SUM, CV_32S);
        cv::reduce(covered, column_cover, 0, cv::REDUCE_SUM, CV_32S);
        std::vector<int> open_rows, open_columns;
        for (int y = 0; y < region.height; ++y)
            if (row_cover.at<int>(y) < region.width) open_rows.push_back(y);
        for (int x = 0; x < region.width; ++x)
            if (column_cover.at<int>(x) < region.height) open_columns.push_back(x);
        if (open_rows.empty()) continue;
        box = {static_cast<double>(region.x + open_columns.front()), static_cast<double>(region.y + open_rows.front()),
               static_cast<double>(region.x + open_columns.back() + 1),
               static_cast<double>(region.y + open_rows.back() + 1)};
        keep[i] = 1;
    }
    return keep;
}

bool in_a_hole(const Holes& holes, double x, double y) {
    for (const cv::Rect& h : holes)
        if (x >= h.x && x < h.x + h.width && y >= h.y && y < h.y + h.height) return true;
    return false;
}

}  // namespace instaug
