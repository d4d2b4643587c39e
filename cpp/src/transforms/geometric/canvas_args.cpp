#include "transforms/geometric/canvas_args.hpp"

#include <cmath>
#include <stdexcept>

namespace instaug {

Json pad_positions() { return Json::array({"center", "top_left", "top_right", "bottom_left", "bottom_right", "random"}); }

Json rotate_methods() { return Json::array({"largest_box", "ellipse"}); }

ParamDecl area_for_downscale_param() {
    return choice_param("area_for_downscale", nullptr, Json::array({nullptr, "image", "image_mask"}));
}

cv::Scalar scalar_from(const std::vector<double>& v) {
    cv::Scalar s = cv::Scalar::all(v.empty() ? 0.0 : v[0]);
    if (v.size() > 1)
        for (std::size_t i = 0; i < 4; ++i) s[static_cast<int>(i)] = i < v.size() ? v[i] : 0.0;
    return s;
}

PixelOptions pixel_options(const Params& params) {
    PixelOptions o;
    if (params.has("interpolation")) o.interpolation = params.integer32("interpolation");
    if (params.has("mask_interpolation")) o.mask_interpolation = params.integer32("mask_interpolation");
    if (params.has("border_mode")) o.border_mode = params.integer32("border_mode");
    if (params.has("fill")) o.fill = scalar_from(params.numbers("fill"));
    if (params.has("fill_mask")) o.fill_mask = scalar_from(params.numbers("fill_mask"));
    return o;
}

PixelOptions resize_options(const Params& params, int width, int height, int out_width, int out_height) {
    PixelOptions o = pixel_options(params);
    const Json& area = params.at("area_for_downscale");
    if (!area.is_null() && (out_width < width || out_height < height)) {
        o.interpolation = kArea;
        if (area == "image_mask") o.mask_interpolation = kArea;
    }
    return o;
}

int python_round(double v) { return static_cast<int>(std::nearbyint(v)); }

Padding padding_for(int height, int width, int min_height, int min_width, int height_divisor, int width_divisor) {
    auto split = [](int size, int min_size, int divisor, int& before, int& after) {
        int target = min_size > 0 ? std::max(size, min_size) : size;
        if (divisor > 0) target += ((-target % divisor) + divisor) % divisor;
        const int total = target - size;
        before = total / 2;
        after = total - before;
    };
    Padding p;
    split(height, min_height, height_divisor, p.top, p.bottom);
    split(width, min_width, width_divisor, p.left, p.right);
    return p;
}

Padding position_padding(Padding p, const std::string& position, Random& rng) {
    const int h = p.top + p.bottom, w = p.left + p.right;
    if (position == "center") return p;
    if (position == "top_left") return {0, h, 0, w};
    if (position == "top_right") return {0, h, w, 0};
    if (position == "bottom_left") return {h, 0, 0, w};
    if (position == "bottom_right") return {h, 0, w, 0};
    if (position == "random") {
        Padding r;
        r.top = static_cast<int>(rng.randint(0, h));
        r.bottom = h - r.top;
        r.left = static_cast<int>(rng.randint(0, w));
        r.right = w - r.left;
        return r;
    }
    throw std::logic_error("unknown position '" + position + "'");
}

}  // namespace instaug
