// RandomCrop, CenterCrop and Crop: a window of the canvas, padded first when pad_if_needed.
#include <functional>
#include <sstream>
#include <stdexcept>

#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using Steps = std::vector<GeometricStep>;

[[noreturn]] void crop_too_large(const std::string& name, int crop_h, int crop_w, int height, int width) {
    std::ostringstream msg;
    msg << name << ": crop size (height, width)=(" << crop_h << ", " << crop_w
        << ") exceeds the image size (" << height << ", " << width << "); set pad_if_needed=True to pad";
    throw std::invalid_argument(msg.str());
}

// Optional padding, then a crop window chosen by `origin`.
Steps padded_crop(const std::string& name, const Params& params, Random& rng, int width, int height,
                  const std::function<cv::Point(int, int, int, int)>& origin) {
    const int crop_h = params.integer32("height"), crop_w = params.integer32("width");
    const bool pad_if_needed = params.flag("pad_if_needed");
    if (!pad_if_needed && (crop_h > height || crop_w > width)) crop_too_large(name, crop_h, crop_w, height, width);
    Steps steps;
    if (pad_if_needed) {
        Padding pad = padding_for(height, width, crop_h, crop_w, 0, 0);
        if (pad.any()) {
            pad = position_padding(pad, params.text("pad_position"), rng);
            steps.push_back(make_pad_step(width, height, pad.top, pad.bottom, pad.left, pad.right, pixel_options(params)));
            width += pad.left + pad.right;
            height += pad.top + pad.bottom;
        }
    }
    const cv::Point o = origin(width, height, crop_w, crop_h);
    steps.push_back(make_crop_step(width, height, o.x, o.y, crop_w, crop_h));
    return steps;
}

Steps random_crop(const Params& params, Random& rng, int width, int height) {
    return padded_crop("RandomCrop", params, rng, width, height, [&](int w, int h, int cw, int ch) {
        const double h_start = rng.uniform01();
        const double w_start = rng.uniform01();
        cw = std::min(cw, w);
        ch = std::min(ch, h);
        return cv::Point(static_cast<int>((w - cw + 1) * w_start), static_cast<int>((h - ch + 1) * h_start));
    });
}

Steps center_crop(const Params& params, Random& rng, int width, int height) {
    return padded_crop("CenterCrop", params, rng, width, height,
                       [](int w, int h, int cw, int ch) { return cv::Point((w - cw) / 2, (h - ch) / 2); });
}

Steps fixed_crop(const Params& params, Random& rng, int width, int height) {
    const int x_min = params.integer32("x_min"), y_min = params.integer32("y_min");
    const int x_max = params.integer32("x_max"), y_max = params.integer32("y_max");
    Steps steps;
    if (x_max > width || y_max > height) {
        if (!params.flag("pad_if_needed")) {
            std::ostringstream msg;
            msg << "Crop: x_max=" << x_max << ", y_max=" << y_max << " lie outside the image of size (height, width)=("
                << height << ", " << width << "); set pad_if_needed=True to pad";
            throw std::invalid_argument(msg.str());
        }
        // As the reference: the needed padding, spread by pad_position, never less than needed.
        const int need_bottom = std::max(0, y_max - height), need_right = std::max(0, x_max - width);
        Padding spread{need_bottom / 2, need_bottom - need_bottom / 2, need_right / 2, need_right - need_right / 2};
        Padding pad = position_padding(spread, params.text("pad_position"), rng);
        pad.bottom = std::max(pad.bottom, need_bottom);
        pad.right = std::max(pad.right, need_right);
        steps.push_back(make_pad_step(width, height, pad.top, pad.bottom, pad.left, pad.right, pixel_options(params)));
        width += pad.left + pad.right;
        height += pad.top + pad.bottom;
    }
    steps.push_back(make_crop_step(width, height, x_min, y_min, x_max - x_min, y_max - y_min));
    return steps;
}

std::vector<ParamDecl> padding_params(Json fill_default) {
    return {flag_param("pad_if_needed", false), choice_param("pad_position", "center", pad_positions()),
            border_mode_param(kBorderConstant), fill_param("fill", fill_default), fill_param("fill_mask", fill_default),
            probability_param(1.0)};
}

}  // namespace

void register_crops(Registry& r) {
    for (const bool random : {true, false}) {
        TransformDecl d;
        d.name = random ? "RandomCrop" : "CenterCrop";
        d.kind = TransformKind::Geometric;
        // A crop window only shrinks an image; growth (pad_if_needed) is bounded when it happens.
        d.params = {integer_param("height", nullptr).needed().between(1, kMaxCoordinate),
                    integer_param("width", nullptr).needed().between(1, kMaxCoordinate)};
        for (auto& p : padding_params(0.0)) d.params.push_back(p);
        d.steps = random ? StepSampler(random_crop) : StepSampler(center_crop);
        r.add(std::move(d));
    }
    TransformDecl crop;
    crop.name = "Crop";
    crop.kind = TransformKind::Geometric;
    crop.params = {integer_param("x_min", 0).between(0, kMaxCoordinate), integer_param("y_min", 0).between(0, kMaxCoordinate),
                   integer_param("x_max", 1024).between(1, kMaxCoordinate),
                   integer_param("y_max", 1024).between(1, kMaxCoordinate)};
    for (auto& p : padding_params(0)) crop.params.push_back(p);
    crop.check = [](const std::string& owner, const Params& p) {
        for (const char* axis : {"x", "y"}) {
            const std::string lo = std::string(axis) + "_min", hi = std::string(axis) + "_max";
            if (p.integer(hi) <= p.integer(lo))
                throw std::invalid_argument(owner + ": " + hi + " must be greater than " + lo + ", got " + lo + "=" +
                                            std::to_string(p.integer(lo)) + ", " + hi + "=" + std::to_string(p.integer(hi)));
        }
    };
    crop.steps = fixed_crop;
    r.add(std::move(crop));
}

}  // namespace instaug
