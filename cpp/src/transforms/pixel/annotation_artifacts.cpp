// AnnotationArtifacts: text, boxes, arrows, guide lines and zoom callouts drawn on the image, as the
// markup of scientific figures. Drawn as the reference draws them: one channel at a time with
// OpenCV's anti-aliased primitives, on uint8 (float32 images round trip through uint8).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/math_constants.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

const char* const kTypes[] = {"text", "rectangle", "arrow", "line", "callout"};
const char* const kStyles[] = {"solid", "dashed", "dotted"};
const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const int kFonts[] = {cv::FONT_HERSHEY_SIMPLEX, cv::FONT_HERSHEY_DUPLEX, cv::FONT_HERSHEY_COMPLEX};
using Colour = std::vector<int>;

struct Artifact {
    std::string type, text, style = "solid";
    cv::Point origin, top_left, bottom_right, start, end;
    std::vector<std::pair<cv::Point, cv::Point>> lines;  // a callout's leader lines
    int font = 0, thickness = 1;
    double font_scale = 1.0, tip_length = 0.0;
    Colour colour;
};

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int truncated(double v) { return static_cast<int>(v); }
int python_round(double v) { return static_cast<int>(std::nearbyint(v)); }  // half to even

// The reference's draws, in its order; random.choice / choices / sample become our generator's
// (tests/test_pixel_differential.py repeats them to run the reference's own sampler on our stream).
class Sampler {
public:
    Sampler(const Params& p, Random& rng, int height, int width, int channels)
        : p_(p), rng_(rng), h_(height), w_(width), channels_(channels) {}

    std::vector<Artifact> artifacts() {
        if (h_ <= 1 || w_ <= 1) return {};
        const auto count_range = p_.range("count_range");
        const int64_t count = rng_.randint(static_cast<int64_t>(count_range[0]), static_cast<int64_t>(count_range[1]));
        const std::vector<double> weights = p_.numbers("element_probabilities");
        std::vector<std::string> types;
        for (int64_t i = 0; i < count; ++i) types.push_back(p_.at("element_types")[weighted(weights)].get<std::string>());
        std::vector<Artifact> out;
        for (const std::string& type : types) {
            if (type == "text") out.push_back(text());
            else if (type == "rectangle") out.push_back(rectangle());
            else if (type == "callout") out.push_back(callout());
            else if (type == "line") out.push_back(line());
            else out.push_back(arrow());
        }
        return out;
    }

private:
    int64_t randint(const char* name) {
        const auto r = p_.range(name);
        return rng_.randint(static_cast<int64_t>(r[0]), static_cast<int64_t>(r[1]));
    }
    double uniform(const char* name) {
        const auto r = p_.range(name);
        return rng_.uniform(r[0], r[1]);
    }
    int choice(int n) { return static_cast<int>(rng_.randint(0, n - 1)); }
    // random.choices with weights: the first cumulative weight above u x total (the last at most).
    int weighted(const std::vector<double>& weights) {
        std::vector<double> cumulative;
        double sum = 0;
        for (double w : weights) cumulative.push_back(sum += w);
        const double x = rng_.uniform01() * cumulative.back();
        return static_cast<int>(std::upper_bound(cumulative.begin(), cumulative.end() - 1, x) - cumulative.begin());
    }

    int margin() { return static_cast<int>(rng_.randint(1, std::max(1, std::min(10, std::min(h_, w_) / 8)))); }

    std::string style() {
        return p_.at("line_styles")[weighted(p_.numbers("line_style_probabilities"))].get<std::string>();
    }

    Colour colour() {
        const double random_prob = p_.number("random_color_prob");
        const bool palette = !p_.is_none("color_palette");
        if ((random_prob != 0 || palette) &&
            (random_prob == 1 || (random_prob > 0 && rng_.uniform01() < random_prob))) {
            Colour c;
            for (int k = 0; k < channels_; ++k) c.push_back(static_cast<int>(rng_.randint(0, 255)));
            return c;
        }
        if (palette) {
            const Json& colours = p_.at("color_palette");
            const int i = p_.is_none("color_palette_probabilities") ? choice(static_cast<int>(colours.size()))
                                                                     : weighted(p_.numbers("color_palette_probabilities"));
            return colours[i].get<Colour>();
        }
        if (rng_.uniform01() < p_.number("black_white_prob")) return choice(2) == 0 ? Colour{0, 0, 0} : Colour{255, 255, 255};
        return {255, 0, 0};
    }

    Artifact text() {
        Artifact a;
        a.type = "text";
        const int64_t length = randint("text_length_range");
        for (int64_t i = 0; i < length; ++i) a.text += kAlphabet[static_cast<int>(rng_.uniform01() * 36)];
        a.font = kFonts[choice(3)];
        a.font_scale = uniform("font_scale_range");
        a.thickness = static_cast<int>(randint("thickness_range"));
        int baseline = 0;
        const cv::Size size = cv::getTextSize(a.text, a.font, a.font_scale, a.thickness, &baseline);
        const int m = margin();
        const int max_col = std::max(0, w_ - 1 - size.width);
        const int min_row = std::min(h_ - 1, size.height);
        const int max_row = std::max(min_row, h_ - 1 - m);
        if (rng_.uniform01() < p_.number("corner_prob")) {
            const int corner = choice(4);  // top left, top right, bottom left, bottom right
            const int col = corner % 2 == 0 ? std::min(m, max_col) : std::max(0, max_col - m);
            const int row = corner < 2 ? min_row + m : max_row;
            a.origin = {col, std::min(row, h_ - 1)};
        } else {
            const int col = static_cast<int>(rng_.randint(0, max_col));
            a.origin = {col, static_cast<int>(rng_.randint(min_row, max_row))};
        }
        a.colour = colour();
        return a;
    }

    Artifact rectangle() {
        Artifact a;
        a.type = "rectangle";
        const auto ratio = p_.range("size_ratio_range");
        int bw = std::max(1, truncated(rng_.uniform(ratio[0], ratio[1]) * w_));
        int bh = std::max(1, truncated(rng_.uniform(ratio[0], ratio[1]) * h_));
        bw = std::min(bw, w_ - 1);
        bh = std::min(bh, h_ - 1);
        const int max_col = std::max(0, w_ - 1 - bw), max_row = std::max(0, h_ - 1 - bh);
        const int m = margin();
        if (rng_.uniform01() < p_.number("corner_prob")) {
            const int corner = choice(4);
            a.top_left = {corner % 2 == 0 ? std::min(m, max_col) : std::max(0, max_col - m),
                          corner < 2 ? std::min(m, max_row) : std::max(0, max_row - m)};
        } else {
            const int col = static_cast<int>(rng_.randint(0, max_col));
            a.top_left = {col, static_cast<int>(rng_.randint(0, max_row))};
        }
        a.bottom_right = {a.top_left.x + bw, a.top_left.y + bh};
        a.colour = colour();
        a.thickness = static_cast<int>(randint("thickness_range"));
        return a;
    }

    Artifact callout() {
        Artifact a = rectangle();
        a.type = "callout";
        a.style = style();
        const int mid_row = (a.top_left.y + a.bottom_right.y) / 2, mid_col = (a.top_left.x + a.bottom_right.x) / 2;
        const std::pair<cv::Point, cv::Point> sides[] = {{{a.top_left.x, mid_row}, {0, mid_row}},
                                                         {{a.bottom_right.x, mid_row}, {w_ - 1, mid_row}},
                                                         {{mid_col, a.top_left.y}, {mid_col, 0}},
                                                         {{mid_col, a.bottom_right.y}, {mid_col, h_ - 1}}};
        const int count = static_cast<int>(rng_.randint(1, 2));
        int pool[] = {0, 1, 2, 3};  // left, right, top, bottom: drawn without replacement, as random.sample
        for (int i = 0; i < count; ++i) {
            const int j = static_cast<int>(rng_.randint(0, 3 - i));
            a.lines.push_back(sides[pool[j]]);
            pool[j] = pool[3 - i];
        }
        return a;
    }

    int line_length(double limit_side) {
        return python_round(uniform("line_length_ratio_range") * limit_side);
    }

    Artifact line() {
        Artifact a;
        a.type = "line";
        const std::string& geometry = p_.text("line_geometry");
        if (geometry == "axis_aligned") {
            const int m = margin();
            const bool vertical = choice(2) == 0;
            const int max_length = std::max(0, (vertical ? h_ : w_) - 1 - 2 * m);
            const int length = std::min(max_length, std::max(1, line_length(std::min(h_, w_))));
            const int along_max = std::max(m, (vertical ? h_ : w_) - 1 - m);
            const int across_max = std::max(m, (vertical ? w_ : h_) - 1 - m);
            const int from = static_cast<int>(rng_.randint(m, along_max - length));
            const int across = static_cast<int>(rng_.randint(m, across_max));
            a.start = vertical ? cv::Point(across, from) : cv::Point(from, across);
            a.end = vertical ? cv::Point(across, from + length) : cv::Point(from + length, across);
        } else if (geometry == "random_endpoints") {
            for (cv::Point* point : {&a.start, &a.end}) {
                const int col = static_cast<int>(rng_.randint(0, w_ - 1));
                *point = {col, static_cast<int>(rng_.randint(0, h_ - 1))};
            }
        } else {
            const int col = static_cast<int>(rng_.randint(0, w_ - 1));
            a.start = {col, static_cast<int>(rng_.randint(0, h_ - 1))};
            const double angle = rng_.uniform(0, 2 * kPi);
            // Lengths past 2^24 pixels are cut to it: the ends must stay ints (any image is far smaller).
            const double length = std::min<double>(p_.is_none("line_length_range")
                                                       ? std::max(1, line_length(std::min(h_, w_)))
                                                       : static_cast<double>(randint("line_length_range")),
                                                   1 << 24);
            a.end = {python_round(a.start.x + length * std::cos(angle)), python_round(a.start.y + length * std::sin(angle))};
        }
        a.colour = colour();
        a.thickness = static_cast<int>(randint("thickness_range"));
        a.style = style();
        return a;
    }

    Artifact arrow() {
        Artifact a;
        a.type = "arrow";
        const int m = margin();
        const int max_col = std::max(m, w_ - 1 - m), max_row = std::max(m, h_ - 1 - m);
        if (rng_.uniform01() >= p_.number("corner_prob")) {
            const int col = static_cast<int>(rng_.randint(m, max_col));
            a.start = {col, static_cast<int>(rng_.randint(m, max_row))};
        } else {
            const int edge = choice(4);  // left, right, top, bottom
            // The reference builds all four edge points (four draws) before picking one.
            const int left = static_cast<int>(rng_.randint(m, max_row));
            const int right = static_cast<int>(rng_.randint(m, max_row));
            const int top = static_cast<int>(rng_.randint(m, max_col));
            const int bottom = static_cast<int>(rng_.randint(m, max_col));
            const cv::Point edges[] = {{m, left}, {max_col, right}, {top, m}, {bottom, max_row}};
            a.start = edges[edge];
        }
        const double base = std::atan2(h_ / 2.0 - a.start.y, w_ / 2.0 - a.start.x);
        const double angle = base + rng_.uniform(-kPi / 4, kPi / 4);
        const int length = truncated(uniform("line_length_ratio_range") * std::min(w_, h_));
        const int end_col = truncated(a.start.x + length * std::cos(angle));
        const int end_row = truncated(a.start.y + length * std::sin(angle));
        a.end = {std::clamp(end_col, 0, w_ - 1), std::clamp(end_row, 0, h_ - 1)};
        a.colour = colour();
        a.thickness = static_cast<int>(randint("thickness_range"));
        a.tip_length = uniform("tip_length_range");
        a.style = style();
        return a;
    }

    const Params& p_;
    Random& rng_;
    int h_, w_, channels_;
};

// ---- drawing, on one uint8 channel --------------------------------------------------------------
cv::Point clipped(cv::Point point, const cv::Mat& plane) {
    return {std::clamp(point.x, 0, std::max(plane.cols - 1, 0)), std::clamp(point.y, 0, std::max(plane.rows - 1, 0))};
}

// The reference's OpenCV 5 clips a thick line to the image grown by its thickness before drawing it;
// OpenCV 4 draws it whole, and where it leaves the image its edge then falls a rounding apart.
void solid(cv::Mat& plane, cv::Point a, cv::Point b, int value, int thickness) {
    const cv::Rect grown(-thickness, -thickness, plane.cols + 2 * thickness, plane.rows + 2 * thickness);
    if (thickness > 1 && !cv::clipLine(grown, a, b)) return;
    cv::line(plane, a, b, cv::Scalar(value), thickness, cv::LINE_AA);
}

// cv::arrowedLine's three lines, each through solid (OpenCV 4's own calls its unclipped line).
void arrowed(cv::Mat& plane, cv::Point a, cv::Point b, int value, int thickness, double tip_length) {
    const double tip = cv::norm(a - b) * tip_length;
    const double angle = std::atan2(static_cast<double>(a.y - b.y), static_cast<double>(a.x - b.x));
    solid(plane, a, b, value, thickness);
    for (double side : {CV_PI / 4, -CV_PI / 4})
        solid(plane, {cvRound(b.x + tip * std::cos(angle + side)), cvRound(b.y + tip * std::sin(angle + side))}, b,
              value, thickness);
}

int distance_of(cv::Point a, cv::Point b) { return truncated(std::hypot(b.x - a.x, b.y - a.y)); }

cv::Point along(cv::Point a, cv::Point b, double fraction) {
    return {truncated(a.x + (b.x - a.x) * fraction), truncated(a.y + (b.y - a.y) * fraction)};
}

// The part of a - b inside the image, as distances from a (in [0, distance]); false when none is.
bool visible_range(const cv::Mat& plane, cv::Point a, cv::Point b, int distance, int& from, int& to) {
    cv::Point p = a, q = b;
    if (!cv::clipLine(cv::Rect(0, 0, plane.cols, plane.rows), p, q)) return false;
    const int64_t dx = static_cast<int64_t>(b.x) - a.x, dy = static_cast<int64_t>(b.y) - a.y;
    const int64_t squared = dx * dx + dy * dy;
    auto at = [&](cv::Point c) {  // exact products, as Python's integers
        const __int128 dot = (static_cast<__int128>(c.x - a.x) * dx + static_cast<__int128>(c.y - a.y) * dy) * distance;
        return python_round(static_cast<double>(dot) / static_cast<double>(squared));
    };
    const int u = at(p), v = at(q);
    from = std::max(0, std::min(u, v));
    to = std::min(distance, std::max(u, v));
    return true;
}

void dashed(cv::Mat& plane, cv::Point a, cv::Point b, int value, int thickness) {
    constexpr int kDash = 8, kPeriod = 14;
    const int distance = distance_of(a, b);
    int from = 0, to = 0;
    if (distance == 0 || !visible_range(plane, a, b, distance, from, to)) return;
    const int first = static_cast<int>(std::max<int64_t>(0, floor_div(from - kDash, kPeriod) * kPeriod));
    const int last = std::min(distance, to + thickness + 1);
    for (int s = first; s <= last; s += kPeriod)
        solid(plane, along(a, b, static_cast<double>(s) / distance),
              along(a, b, static_cast<double>(std::min(s + kDash, distance)) / distance), value, thickness);
}

void dotted(cv::Mat& plane, cv::Point a, cv::Point b, int value, int thickness) {
    constexpr int kSpacing = 8;
    const int distance = distance_of(a, b);
    const int radius = std::max(1, thickness / 2);
    int from = 0, to = 0;
    if (distance == 0 || !visible_range(plane, a, b, distance, from, to)) return;
    const int first = static_cast<int>(std::max<int64_t>(0, floor_div(from - radius - 1, kSpacing) * kSpacing));
    const int last = std::min(distance - 1, to + radius + 1);
    for (int d = first; d <= last; d += kSpacing)
        cv::circle(plane, along(a, b, static_cast<double>(d) / distance), radius, cv::Scalar(value), -1, cv::LINE_AA);
}

void styled(cv::Mat& plane, cv::Point a, cv::Point b, int value, int thickness, const std::string& style) {
    if (style == "solid") solid(plane, a, b, value, thickness);
    else if (style == "dashed") dashed(plane, a, b, value, thickness);
    else dotted(plane, a, b, value, thickness);
}

void arrow_head(cv::Mat& plane, cv::Point a, cv::Point b, int value, int thickness, double tip_length) {
    const int distance = distance_of(a, b);
    if (distance == 0) return;
    const double length = std::max(1.0, distance * tip_length);
    const double angle = std::atan2(b.y - a.y, b.x - a.x);
    for (double side : {-kPi / 6, kPi / 6})
        solid(plane, b, {truncated(b.x - length * std::cos(angle + side)), truncated(b.y - length * std::sin(angle + side))},
              value, thickness);
}

void draw(cv::Mat& plane, const Artifact& a, int value) {
    const cv::Scalar v(value);
    if (a.type == "text") {
        cv::putText(plane, a.text, clipped(a.origin, plane), a.font, a.font_scale, v, a.thickness, cv::LINE_AA);
    } else if (a.type == "rectangle" || a.type == "callout") {
        cv::rectangle(plane, clipped(a.top_left, plane), clipped(a.bottom_right, plane), v, a.thickness, cv::LINE_AA);
        for (const auto& [from, to] : a.lines) styled(plane, from, to, value, a.thickness, a.style);
    } else if (a.type == "line") {
        styled(plane, a.start, a.end, value, a.thickness, a.style);
    } else if (a.style == "solid") {
        arrowed(plane, clipped(a.start, plane), clipped(a.end, plane), value, a.thickness, a.tip_length);
    } else {
        styled(plane, a.start, a.end, value, a.thickness, a.style);
        arrow_head(plane, a.start, a.end, value, a.thickness, a.tip_length);
    }
}

// A colour fitted to the channels: cut, or its last value repeated.
int channel_value(const Colour& colour, int channel) {
    return colour[std::min<std::size_t>(channel, colour.size() - 1)];
}

// What the reference reports as drawn: the count, and the span of each drawn quantity under its range.
void note(Random& rng, const Params& p, const std::vector<Artifact>& artifacts, int height, int width) {
    rng.note("count_range", static_cast<int64_t>(artifacts.size()));
    auto span = [&](const char* name, const std::vector<double>& values, bool whole) {
        if (values.empty()) return;
        const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
        if (whole) rng.note(name, Json::array({static_cast<int64_t>(*lo), static_cast<int64_t>(*hi)}));
        else rng.note(name, Json::array({*lo, *hi}));
    };
    const std::string& geometry = p.text("line_geometry");
    const bool line_ratio = geometry == "axis_aligned" || (geometry == "random_angle" && p.is_none("line_length_range"));
    std::vector<double> lengths, scales, thicknesses, sizes, line_ratios, tips;
    for (const Artifact& a : artifacts) {
        thicknesses.push_back(a.thickness);
        if (a.type == "text") {
            lengths.push_back(static_cast<double>(a.text.size()));
            scales.push_back(a.font_scale);
        }
        if (a.type == "rectangle" || a.type == "callout") {
            sizes.push_back(static_cast<double>(a.bottom_right.x - a.top_left.x) / width);
            sizes.push_back(static_cast<double>(a.bottom_right.y - a.top_left.y) / height);
        }
        if ((a.type == "arrow" || a.type == "line") && line_ratio)
            line_ratios.push_back(std::hypot(a.end.x - a.start.x, a.end.y - a.start.y) / std::min(height, width));
        if (a.type == "arrow") tips.push_back(a.tip_length);
    }
    span("text_length_range", lengths, true);
    span("font_scale_range", scales, false);
    span("thickness_range", thicknesses, true);
    span("size_ratio_range", sizes, false);
    span("line_length_ratio_range", line_ratios, false);
    span("tip_length_range", tips, false);
}

cv::Mat annotation_artifacts(const cv::Mat& image, const Params& params, Random& rng) {
    const std::vector<Artifact> artifacts = Sampler(params, rng, image.rows, image.cols, image.channels()).artifacts();
    note(rng, params, artifacts, image.rows, image.cols);
    const bool u8 = image.depth() == CV_8U;
    if (u8 && artifacts.empty()) return image;
    std::vector<cv::Mat> planes;
    cv::split(u8 ? image : pixel::float32_io_out(image), planes);
    for (int c = 0; c < static_cast<int>(planes.size()); ++c)
        for (const Artifact& a : artifacts) draw(planes[c], a, channel_value(a.colour, c));
    cv::Mat out;
    cv::merge(planes, out);
    return u8 ? out : pixel::float32_io_in(out);
}

// choices and their weights: one weight each, finite and >= 0, one at least positive.
void check_weights(const std::string& owner, const Params& p, const char* choices, const char* weights) {
    const std::size_t n = p.at(choices).size();
    const std::vector<double> w = p.numbers(weights);
    if (w.size() != n)
        throw std::invalid_argument(owner + ": " + choices + " and " + weights + " must have the same length, got " +
                                    python_repr(p.at(choices)) + " and " + python_repr(p.at(weights)));
    double sum = 0;
    for (double x : w) sum += x;
    if (!(sum > 0))
        throw std::invalid_argument(owner + ": at least one weight in " + weights + " must be positive, got " +
                                    python_repr(p.at(weights)));
}

void check_names(const std::string& owner, const Params& p, const char* name, const std::vector<std::string>& allowed) {
    const Json& names = p.at(name);
    if (names.empty()) throw std::invalid_argument(owner + ": " + name + " must not be empty");
    for (const Json& n : names)
        if (std::find(allowed.begin(), allowed.end(), n.get<std::string>()) == allowed.end())
            throw std::invalid_argument(owner + ": " + name + " must hold values of " + python_repr(Json(allowed)) +
                                        ", got " + python_repr(names));
}

void check(const std::string& owner, const Params& p) {
    check_names(owner, p, "element_types", {std::begin(kTypes), std::end(kTypes)});
    check_names(owner, p, "line_styles", {std::begin(kStyles), std::end(kStyles)});
    check_weights(owner, p, "element_types", "element_probabilities");
    check_weights(owner, p, "line_styles", "line_style_probabilities");
    for (const char* name : {"font_scale_range", "size_ratio_range", "line_length_ratio_range", "tip_length_range"})
        if (!(p.range(name)[0] > 0))
            throw std::invalid_argument(owner + ": " + name + " values must be > 0, got " + python_repr(p.at(name)));
    if (!p.is_none("line_length_range") && p.text("line_geometry") != "random_angle")
        throw std::invalid_argument(owner + ": line_length_range requires line_geometry='random_angle'");
    if (!p.is_none("color_palette_probabilities")) {
        if (p.is_none("color_palette"))
            throw std::invalid_argument(owner + ": color_palette must be provided with color_palette_probabilities");
        check_weights(owner, p, "color_palette", "color_palette_probabilities");
    }
}

ParamDecl names_with_default(const std::string& name, Json fallback) {
    ParamDecl d = names_param(name);
    d.default_value = std::move(fallback);
    d.nullable = false;
    return d;
}

}  // namespace

void register_annotation_artifacts(Registry& r) {
    TransformDecl d = declare(
        "AnnotationArtifacts", TransformKind::Pixel,
        {names_with_default("element_types", Json::array({"text", "rectangle", "arrow", "line", "callout"})),
         numbers_param("element_probabilities", Json::array({0.35, 0.2, 0.2, 0.15, 0.1})).between(0, std::nullopt),
         range_param("count_range", Json::array({1, 3})).between(0, std::nullopt).whole(),
         range_param("text_length_range", Json::array({1, 5})).between(1, std::nullopt).whole(),
         range_param("font_scale_range", Json::array({0.3, 1.2})).between(0, std::nullopt),
         range_param("thickness_range", Json::array({1, 3})).between(1, std::nullopt).whole(),
         range_param("size_ratio_range", Json::array({0.1, 0.35})).between(0, 1),
         range_param("line_length_ratio_range", Json::array({0.1, 0.8})).between(0, 1),
         range_param("tip_length_range", Json::array({0.2, 0.4})).between(0, 1),
         number_param("corner_prob", 0.6).between(0, 1),
         number_param("black_white_prob", 0.85).between(0, 1),
         probability_param(0.5),
         choice_param("line_geometry", "axis_aligned", Json::array({"axis_aligned", "random_endpoints", "random_angle"})),
         names_with_default("line_styles", Json::array({"solid", "dashed", "dotted"})),
         numbers_param("line_style_probabilities", Json::array({0.55, 0.35, 0.1})).between(0, std::nullopt),
         number_param("random_color_prob", 0.0).between(0, 1),
         colours_param("color_palette").between(0, 255),
         numbers_param("color_palette_probabilities", nullptr).between(0, std::nullopt),
         range_param("line_length_range", nullptr).or_none().between(1, std::nullopt).whole()});
    d.check = check;
    d.pixels = annotation_artifacts;
    r.add(std::move(d));
}

}  // namespace instaug
