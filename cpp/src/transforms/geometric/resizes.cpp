// Resize, LongestMaxSize, SmallestMaxSize and RandomResizedCrop: resampling steps.
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using Steps = std::vector<GeometricStep>;

// A crop window, then a resize of it to the `size` argument.
Steps crop_then_resize(const Params& params, int width, int height, int x0, int y0, int crop_w, int crop_h) {
    const auto size = params.numbers("size");
    const int out_w = static_cast<int>(size[1]), out_h = static_cast<int>(size[0]);
    return {make_crop_step(width, height, x0, y0, crop_w, crop_h),
            make_resize_step(crop_w, crop_h, out_w, out_h, resize_options(params, crop_w, crop_h, out_w, out_h))};
}

Steps random_resized_crop(const Params& params, Random& rng, int width, int height) {
    const auto scale = params.range("scale");
    const auto ratio = params.range("ratio");
    const double area = static_cast<double>(width) * height;
    int crop_w = 0, crop_h = 0, x0 = 0, y0 = 0;
    bool found = false;
    // torchvision's sampler: ten tries of (area, log-uniform aspect), then a centred fallback.
    for (int attempt = 0; attempt < 10 && !found; ++attempt) {
        const double drawn_scale = rng.uniform(scale[0], scale[1]);
        const double aspect = std::exp(rng.uniform(std::log(ratio[0]), std::log(ratio[1])));
        const double target_area = area * drawn_scale;
        const int w = python_round(std::sqrt(target_area * aspect));
        const int h = python_round(std::sqrt(target_area / aspect));
        if (w > 0 && h > 0 && w <= width && h <= height) {
            crop_w = w;
            crop_h = h;
            y0 = static_cast<int>((height - h + 1) * rng.uniform01());
            x0 = static_cast<int>((width - w + 1) * rng.uniform01());
            found = true;
            rng.note("scale", Json::array({drawn_scale, drawn_scale}));
            rng.note("ratio", Json::array({aspect, aspect}));
        }
    }
    if (!found) {
        const double in_ratio = static_cast<double>(width) / height;
        if (in_ratio < ratio[0]) {
            crop_w = width;
            crop_h = std::min(height, std::max(1, python_round(width / ratio[0])));
        } else if (in_ratio > ratio[1]) {
            crop_h = height;
            crop_w = std::min(width, std::max(1, python_round(height * ratio[1])));
        } else {
            crop_w = width;
            crop_h = height;
        }
        x0 = (width - crop_w) / 2;
        y0 = (height - crop_h) / 2;
    }
    return crop_then_resize(params, width, height, x0, y0, crop_w, crop_h);
}

// RandomSizedCrop: a crop of a drawn height and height * w2h_ratio width at a random place,
// resized to `size`, as the reference's.
Steps random_sized_crop(const Params& params, Random& rng, int width, int height) {
    const auto heights = params.range("min_max_height");
    const int crop_h = static_cast<int>(rng.randint(static_cast<int64_t>(heights[0]), static_cast<int64_t>(heights[1])));
    const int crop_w = static_cast<int>(crop_h * params.number("w2h_ratio"));
    rng.note("min_max_height", Json::array({crop_h, crop_h}));
    if (crop_h > height || crop_w > width || crop_w < 1) {
        std::ostringstream msg;
        msg << "RandomSizedCrop: crop size (height, width)=(" << crop_h << ", " << crop_w
            << ") must be at least 1 and fit the image size (" << height << ", " << width << ")";
        throw std::invalid_argument(msg.str());
    }
    const double h_start = rng.uniform01(), w_start = rng.uniform01();
    const int y0 = static_cast<int>((height - crop_h + 1) * h_start), x0 = static_cast<int>((width - crop_w + 1) * w_start);
    return crop_then_resize(params, width, height, x0, y0, crop_w, crop_h);
}

Steps resize(const Params& params, Random&, int width, int height) {
    const int out_w = params.integer32("width"), out_h = params.integer32("height");
    return {make_resize_step(width, height, out_w, out_h, resize_options(params, width, height, out_w, out_h))};
}

// LongestMaxSize / SmallestMaxSize: `longest` picks the limiting side.
Steps max_size(const std::string& name, const Params& params, Random& rng, int width, int height, bool longest) {
    double scale;
    if (!params.is_none("max_size")) {
        const auto choices = params.numbers("max_size");
        const double target = choices.size() == 1 ? choices[0] : choices[rng.randint(0, choices.size() - 1)];
        if (choices.size() > 1) rng.note("max_size", static_cast<int64_t>(target));
        scale = target / (longest ? std::max(width, height) : std::min(width, height));
    } else {
        const Json& hw = params.at("max_size_hw");
        const bool has_h = !hw[0].is_null(), has_w = !hw[1].is_null();
        const double hs = has_h ? hw[0].get<double>() / height : 0, ws = has_w ? hw[1].get<double>() / width : 0;
        if (has_h && has_w) scale = longest ? std::min(hs, ws) : std::max(hs, ws);
        else scale = has_h ? hs : ws;
    }
    check_canvas_size(name, width, height, std::max(1.0, std::nearbyint(width * scale)),
                      std::max(1.0, std::nearbyint(height * scale)));
    const int out_h = std::max(1, python_round(height * scale));
    const int out_w = std::max(1, python_round(width * scale));
    return {make_resize_step(width, height, out_w, out_h, resize_options(params, width, height, out_w, out_h))};
}

std::vector<ParamDecl> resampling(std::vector<ParamDecl> head, double p) {
    for (auto& d : {interpolation_param("interpolation", kLinear), interpolation_param("mask_interpolation", kNearest),
                    area_for_downscale_param(), probability_param(p)})
        head.push_back(d);
    return head;
}

TransformDecl geometric(const std::string& name, std::vector<ParamDecl> params, StepSampler steps) {
    TransformDecl d = declare(name, TransformKind::Geometric, std::move(params));
    d.steps = std::move(steps);
    return d;
}

}  // namespace

void register_resizes(Registry& r) {
    TransformDecl rrc = geometric(
        "RandomResizedCrop",
        resampling({int_pair_param("size", nullptr).needed().between(1, kMaxSide),
                    range_param("scale", Json::array({0.08, 1.0})).between(0.0, 1.0),
                    range_param("ratio", Json::array({0.75, 1.3333333333333333})).between(1e-6, std::nullopt)},
                   1.0),
        random_resized_crop);
    // albumentationsx's keyword-only sampling_method: "standard" is ours here, torchvision's ten tries
    // (the README's differences table); "uniform_scale" is not implemented and is refused.
    rrc.params.push_back(choice_param("sampling_method", "standard", Json::array({"standard"})));
    rrc.check = [](const std::string& owner, const Params& p) {
        if (p.range("scale")[1] <= 0)
            throw std::invalid_argument(owner + ": scale must allow a positive area, got " + python_repr(p.at("scale")));
    };
    r.add(std::move(rrc));
    r.add(geometric("RandomSizedCrop",
                    resampling({range_param("min_max_height", nullptr).needed().between(1, kMaxSide).whole().in("pixels"),
                                int_pair_param("size", nullptr).needed().between(1, kMaxSide),
                                number_param("w2h_ratio", 1.0).between(1e-6, std::nullopt)},
                               1.0),
                    random_sized_crop));
    r.add(geometric("Resize",
                    resampling({integer_param("height", nullptr).needed().between(1, kMaxSide),
                                integer_param("width", nullptr).needed().between(1, kMaxSide)},
                               1.0),
                    resize));
    for (const bool longest : {true, false}) {
        const std::string name = longest ? "LongestMaxSize" : "SmallestMaxSize";
        TransformDecl d = geometric(
            name,
            resampling({integers_param("max_size", nullptr).between(1, kMaxSide),
                        size_hw_param("max_size_hw", nullptr).between(1, kMaxSide)},
                       1.0),
            [name, longest](const Params& p, Random& rng, int w, int h) { return max_size(name, p, rng, w, h, longest); });
        d.check = [](const std::string& owner, const Params& p) {
            if (p.is_none("max_size") == p.is_none("max_size_hw"))
                throw std::invalid_argument(owner + ": exactly one of max_size and max_size_hw must be set");
        };
        r.add(std::move(d));
    }
}

}  // namespace instaug
