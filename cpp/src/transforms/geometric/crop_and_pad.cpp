// CropAndPad: each side cropped (negative amounts) or padded (positive), in pixels or fractions of
// the side, then resized back to the input size when keep_size.
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using Sides = std::array<double, 4>;  // top, right, bottom, left, as the reference orders them

// One side's amount: a number, or drawn from a (min, max) range (px: randrange, so max excluded).
double side_amount(const Json& v, bool pixels, Random& rng) {
    if (!v.is_array()) return v.get<double>();
    const double a = v[0].get<double>(), b = v[1].get<double>();
    return pixels ? static_cast<double>(rng.randint(static_cast<int64_t>(a), static_cast<int64_t>(b) - 1))
                  : rng.uniform(a, b);
}

Sides drawn_sides(const Json& v, bool pixels, bool independently, Random& rng) {
    Sides out;
    if (!v.is_array() || v.size() == 2) {
        // One number or range for every side: drawn once, or once per side when independently.
        out[0] = side_amount(v, pixels, rng);
        for (int i = 1; i < 4; ++i) out[i] = independently && v.is_array() ? side_amount(v, pixels, rng) : out[0];
        return out;
    }
    for (int i = 0; i < 4; ++i) out[i] = side_amount(v[static_cast<std::size_t>(i)], pixels, rng);
    return out;
}

Sides chosen_sides(const Json& choices, bool independently, Random& rng) {
    auto pick = [&] { return choices[static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(choices.size()) - 1))].get<double>(); };
    Sides out;
    out[0] = pick();
    for (int i = 1; i < 4; ++i) out[i] = independently ? pick() : out[0];
    return out;
}

Json as_json(const Sides& s, bool whole) {
    Json out = Json::array();
    for (double v : s) out.push_back(whole ? Json(static_cast<int64_t>(v)) : Json(v));
    return out;
}

// The sides in pixels, noted as the reference reports them (px, or percent before truncation).
std::array<int, 4> sampled_pixels(const Params& params, Random& rng, int width, int height) {
    const bool independently = params.flag("sample_independently");
    Sides s;
    if (!params.is_none("px") || !params.is_none("px_choices")) {
        s = params.is_none("px") ? chosen_sides(params.at("px_choices"), independently, rng)
                                 : drawn_sides(params.at("px"), true, independently, rng);
        rng.note("px", as_json(s, true));
        if (!params.is_none("px_choices")) rng.note("px_choices", nullptr);
        return {static_cast<int>(s[0]), static_cast<int>(s[1]), static_cast<int>(s[2]), static_cast<int>(s[3])};
    }
    s = params.is_none("percent") ? chosen_sides(params.at("percent_choices"), independently, rng)
                                  : drawn_sides(params.at("percent"), false, independently, rng);
    rng.note("percent", as_json(s, false));
    if (!params.is_none("percent_choices")) rng.note("percent_choices", nullptr);
    // int(): towards zero.
    return {static_cast<int>(s[0] * height), static_cast<int>(s[1] * width), static_cast<int>(s[2] * height),
            static_cast<int>(s[3] * width)};
}

// The reference's __prevent_zero: when two opposite crops leave no pixel, they give back about
// half the side plus one between them (its arithmetic, followed as it is).
void give_back(int& first, int& second, int side) {
    const int regain = std::abs(side) + 1;
    int r1 = regain / 2, r2 = regain / 2;
    if (r1 + r2 < regain) ++r1;
    if (r1 > first) {
        r2 += r1 - first;
        r1 = first;
    } else if (r2 > second) {
        r1 += r2 - second;
        r2 = second;
    }
    first -= r1;
    second -= r2;
    // Crops far past the side leave the reference a window of no (or negative) size: one pixel
    // stays, taken from the first side's share.
    if (side - std::max(first, 0) - std::max(second, 0) < 1) {
        first = std::clamp(first, 0, side - 1);
        second = std::clamp(second, 0, side - 1 - first);
    }
}

// A drawn fill, as the reference's _get_pad_value on its validated (float) fills: (a, b) by
// uniform, a longer list by choice, one value as it is.
double drawn_fill(const Json& fill, Random& rng, const char* name) {
    double v = fill[0].get<double>();
    if (fill.size() == 2) v = rng.uniform(fill[0].get<double>(), fill[1].get<double>());
    if (fill.size() > 2) v = fill[static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(fill.size()) - 1))].get<double>();
    rng.note(name, Json::array({v}));
    return v;
}

std::vector<GeometricStep> crop_and_pad(const Params& params, Random& rng, int width, int height) {
    const std::array<int, 4> amount = sampled_pixels(params, rng, width, height);
    int crop[4], pad[4];
    for (int i = 0; i < 4; ++i) {
        crop[i] = std::max(0, -amount[i]);
        pad[i] = std::max(0, amount[i]);
    }
    if (height - crop[0] - crop[2] < 1) give_back(crop[0], crop[2], height);
    if (width - crop[1] - crop[3] < 1) give_back(crop[3], crop[1], width);
    for (int& c : crop) c = std::max(c, 0);
    PixelOptions options = pixel_options(params);
    options.fill = cv::Scalar::all(drawn_fill(params.at("fill"), rng, "fill"));
    options.fill_mask = cv::Scalar::all(drawn_fill(params.at("fill_mask"), rng, "fill_mask"));

    std::vector<GeometricStep> steps;
    int w = width - crop[1] - crop[3], h = height - crop[0] - crop[2];
    if (w != width || h != height) steps.push_back(make_crop_step(width, height, crop[3], crop[0], w, h));
    if (pad[0] || pad[1] || pad[2] || pad[3]) {
        steps.push_back(make_pad_step(w, h, pad[0], pad[2], pad[3], pad[1], options));
        w += pad[1] + pad[3];
        h += pad[0] + pad[2];
    }
    if (params.flag("keep_size") && (w != width || h != height))
        steps.push_back(make_resize_step(w, h, width, height, options));
    return steps;
}

void check_sources(const std::string& owner, const Params& p) {
    int given = 0;
    for (const char* source : {"px", "percent", "px_choices", "percent_choices"}) given += !p.is_none(source);
    if (given != 1)
        throw std::invalid_argument(owner + ": exactly one of px, percent, px_choices or percent_choices must be set");
    if (p.is_none("px")) return;
    // px ranges are drawn by randrange(min, max): max is excluded, so the range must hold a value.
    const Json& px = p.at("px");
    auto check = [&](const Json& r) {
        if (r.is_array() && r[0].get<int64_t>() >= r[1].get<int64_t>())
            throw std::invalid_argument(owner + ": px ranges must satisfy min < max (max is excluded), got " +
                                        python_repr(px));
    };
    if (px.is_array() && px.size() == 4) {
        for (const Json& side : px) check(side);
    } else {
        check(px);
    }
}

}  // namespace

void register_crop_and_pad(Registry& r) {
    ParamDecl px = side_ranges_param("px").between(-kMaxSide, kMaxSide);
    px.integer = true;
    TransformDecl d = declare(
        "CropAndPad", TransformKind::Geometric,
        {px, side_ranges_param("percent").between(-kMaxSide, kMaxSide), flag_param("keep_size", true),
         flag_param("sample_independently", true), interpolation_param("interpolation", kLinear),
         interpolation_param("mask_interpolation", kNearest), border_mode_param(kBorderConstant),
         fill_param("fill", 0), fill_param("fill_mask", 0), probability_param(1.0),
         integers_param("px_choices", nullptr).between(-kMaxSide, kMaxSide),
         numbers_param("percent_choices", nullptr).between(-1.0, 1.0)});
    d.check = check_sources;
    d.steps = crop_and_pad;
    r.add(std::move(d));
}

}  // namespace instaug
