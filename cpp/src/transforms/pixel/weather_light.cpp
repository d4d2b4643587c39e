// Weather and light: RandomFog (white circles blended in, then a blur) and RandomSunFlare (flare
// circles along a line and a sun of growing disks, or the physics-based flare layer). Both work on
// uint8 values, as the reference (float32 images go through uint8).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <opencv2/imgproc.hpp>

#include "core/math_constants.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

void require_rgb(const cv::Mat& image, const std::string& transform) {
    if (image.channels() != 3)
        throw std::invalid_argument(transform + " expects 3-channel (RGB) images, got " +
                                    std::to_string(image.channels()) + " channels");
}

// The bounding box of a disk, inside the image (empty when the disk misses it).
cv::Rect disk_box(cv::Point c, int r, cv::Size size) {
    return cv::Rect(c.x - r, c.y - r, 2 * r + 1, 2 * r + 1) & cv::Rect(cv::Point(0, 0), size);
}

// ---- RandomFog ---------------------------------------------------------------------------------
struct FogDraw {
    std::vector<cv::Point> centres;
    std::vector<int> radii;
};

// The reference's particles: rings of shrinking windows around the centre, each filled with a
// number of particles proportional to its area; radii uniform in [max / 2, max).
FogDraw draw_fog(int height, int width, double intensity, Random& rng) {
    FogDraw d;
    const int region = std::max(1, static_cast<int>((width / 3) * intensity));
    const int cx = (width - 1) / 2, cy = (height - 1) / 2;  // int() of the reference's float centre
    int w = width, h = height;
    for (int iteration = 0; w > region && h > region && iteration < 10; ++iteration) {
        const double area = static_cast<double>(w) * h;
        const auto count = static_cast<int64_t>(area / (static_cast<double>(region) * region) * intensity * 10);
        for (int64_t i = 0; i < count; ++i) {
            const int x = static_cast<int>(rng.randint(cx - w / 2, cx + w / 2));
            const int y = static_cast<int>(rng.randint(cy - h / 2, cy + h / 2));
            d.centres.emplace_back(x, y);
        }
        w = static_cast<int>(w * 0.9);
        h = static_cast<int>(h * 0.9);
    }
    const int max_radius = std::max(2, static_cast<int>(std::min(height, width) * 0.1 * intensity));
    const int min_radius = std::max(1, max_radius / 2);
    for (std::size_t i = 0; i < d.centres.size(); ++i)
        d.radii.push_back(static_cast<int>(rng.randint(min_radius, max_radius - 1)));
    return d;
}

cv::Mat random_fog(const cv::Mat& image, const Params& params, Random& rng) {
    require_rgb(image, "RandomFog");
    const double intensity = pixel::draw(params, "fog_coef_range", rng);
    rng.note("fog_coef_range", intensity);
    const FogDraw fog = draw_fog(image.rows, image.cols, intensity, rng);
    const double alpha = params.number("alpha_coef") * intensity;
    return pixel::through_uint8(image, [&](const cv::Mat& bytes) {
        cv::Mat result = bytes.clone();
        // Outside its circle a particle blends the image with itself (no change): only the
        // circle's box is blended, with cv::addWeighted as the reference.
        for (std::size_t i = 0; i < fog.centres.size(); ++i) {
            const cv::Rect box = disk_box(fog.centres[i], fog.radii[i], result.size());
            if (box.empty()) continue;
            cv::Mat target = result(box), overlay = target.clone();
            cv::circle(overlay, fog.centres[i] - box.tl(), fog.radii[i], cv::Scalar::all(255), cv::FILLED);
            cv::addWeighted(overlay, alpha, target, 1 - alpha, 0, target);
        }
        const int blur = std::max(3, std::min(bytes.rows, bytes.cols) / 30) | 1;
        cv::GaussianBlur(result, result, cv::Size(blur, blur), 0);
        return result;
    });
}

// ---- RandomSunFlare ----------------------------------------------------------------------------
struct FlareCircle {
    double alpha;
    cv::Point centre;
    int radius;  // the reference's rad ** 3
    cv::Scalar colour;
};

std::vector<FlareCircle> draw_flare_circles(int height, int width, cv::Point centre, double angle,
                                            const Params& params, Random& rng) {
    const auto counts = params.range("num_flare_circles_range");
    const int n = static_cast<int>(rng.randint(static_cast<int64_t>(counts[0]), static_cast<int64_t>(counts[1])));
    const int step = std::max(1, static_cast<int>(std::sqrt(double(height) * height + double(width) * width) * 0.01));
    const int max_radius = std::max(2, static_cast<int>(height * 0.01));
    const std::vector<double> colour = params.numbers("src_color");
    const int colour_range = static_cast<int>(*std::max_element(colour.begin(), colour.end()) * 0.2);
    const int64_t points = (width + step - 1) / step;  // len(range(-cx, width - cx, step))
    std::vector<FlareCircle> circles(n);
    for (FlareCircle& c : circles) {
        c.alpha = rng.uniform(0.05, 0.2);
        const double t = static_cast<double>(-centre.x + rng.randint(0, points - 1) * step);
        c.centre = cv::Point(static_cast<int>(centre.x + t * std::cos(angle)), static_cast<int>(centre.y + t * std::sin(angle)));
        const int rad = static_cast<int>(rng.randint(1, max_radius));
        c.radius = rad * rad * rad;
        for (std::size_t k = 0; k < colour.size(); ++k) {
            const int v = static_cast<int>(colour[k]);
            c.colour[static_cast<int>(k)] = static_cast<double>(rng.randint(std::max(v - colour_range, 0), v));
        }
    }
    return circles;
}

// albucore's uint8 add_weighted (NumKong's blend): the float32 product a * alpha, then b * beta added
// with one rounding (a fused multiply-add), rounded half to even. Only `box` can differ.
void blend(const cv::Mat& a, double alpha, cv::Mat& b, const cv::Rect& box) {
    const float fa = static_cast<float>(alpha), fb = static_cast<float>(1 - alpha);
    for (int y = box.y; y < box.y + box.height; ++y) {
        const uint8_t* pa = a.ptr<uint8_t>(y) + box.x * 3;
        uint8_t* pb = b.ptr<uint8_t>(y) + box.x * 3;
        for (int i = 0; i < box.width * 3; ++i) {
            // float(a * alpha) + b * beta is exact in double; its float is the fused result.
            const float sum = static_cast<float>(static_cast<double>(pa[i] * fa) + static_cast<double>(pb[i]) * fb);
            pb[i] = cv::saturate_cast<uint8_t>(cvRound(static_cast<double>(sum)));
        }
    }
}

// numpy's linspace(start, stop, n)[k].
double linspace_at(double start, double stop, int n, int k) {
    if (n > 1 && k == n - 1) return stop;
    return n > 1 ? k * ((stop - start) / (n - 1)) + start : start;
}

cv::Mat flare_overlay(const cv::Mat& image, cv::Point centre, int src_radius, const cv::Scalar& colour,
                      const std::vector<FlareCircle>& circles) {
    cv::Mat overlay = image.clone(), output = image.clone();
    double weighted = 0, total = 0;
    cv::Rect touched;  // where the overlay and the output may differ: the circles drawn so far
    for (const FlareCircle& c : circles) {
        weighted += c.alpha * c.radius;
        total += c.radius;
        cv::circle(overlay, c.centre, c.radius, c.colour, cv::FILLED);
        touched |= disk_box(c.centre, c.radius, image.size());
        blend(overlay, c.alpha, output, touched);
    }
    // The sun: disks of growing radius, each blended with alpha[n - 1 - i] ** 3.
    overlay = output.clone();
    const int n = src_radius / 10;
    const double max_alpha = std::min(weighted / total * 5, 1.0);
    for (int i = 0; i < n; ++i) {
        const int radius = static_cast<int>(linspace_at(1, src_radius, n, i));
        const double a = linspace_at(0, max_alpha, n, n - i - 1);
        cv::circle(overlay, centre, radius, colour, cv::FILLED);
        const cv::Rect box = disk_box(centre, radius, image.size());
        if (!box.empty()) blend(overlay, a * a * a, output, box);
    }
    return output;
}

cv::Mat flare_physics(const cv::Mat& image, cv::Point centre, int src_radius, const cv::Scalar& colour,
                      const std::vector<FlareCircle>& circles) {
    const int height = image.rows, width = image.cols, longest = std::max(height, width);
    cv::Mat flare = cv::Mat::zeros(image.size(), CV_32FC3);
    cv::circle(flare, centre, src_radius, colour, cv::FILLED);
    for (int degrees : {0, 45, 90, 135}) {  // diffraction spikes
        const double radians = degrees * (kPi / 180);
        const cv::Point end(static_cast<int>(centre.x + std::cos(radians) * longest),
                            static_cast<int>(centre.y + std::sin(radians) * longest));
        cv::line(flare, centre, end, colour, 2);
    }
    for (const FlareCircle& c : circles)
        cv::circle(flare, c.centre, static_cast<int>(std::pow(static_cast<double>(c.radius), 0.33)), c.colour, cv::FILLED);
    cv::GaussianBlur(flare, flare, cv::Size(0, 0), 15, 15);
    // Fading with the distance from the sun, in float32 as the reference.
    const float scale = static_cast<float>(1 / (longest * 0.7));
    for (int y = 0; y < height; ++y) {
        const float dy = static_cast<float>(y) - static_cast<float>(centre.y);
        auto* px = flare.ptr<cv::Vec3f>(y);
        for (int x = 0; x < width; ++x) {
            const float dx = static_cast<float>(x) - static_cast<float>(centre.x);
            const float m = 1.0f - std::clamp(std::sqrt(dx * dx + dy * dy) * scale, 0.0f, 1.0f);
            px[x] *= m;
        }
    }
    std::vector<cv::Mat> planes;
    cv::split(flare, planes);
    cv::GaussianBlur(planes[0], planes[0], cv::Size(0, 0), 3, 3);  // chromatic aberration
    cv::GaussianBlur(planes[2], planes[2], cv::Size(0, 0), 5, 5);
    cv::merge(planes, flare);
    // Screen blending, then the reference's clip and truncation to uint8.
    cv::Mat out(image.size(), CV_8UC3);
    for (int y = 0; y < height; ++y) {
        const uint8_t* in = image.ptr<uint8_t>(y);
        const float* f = flare.ptr<float>(y);
        uint8_t* o = out.ptr<uint8_t>(y);
        for (int i = 0; i < width * 3; ++i) {
            const float v = 255.0f - static_cast<float>(255 - in[i]) * (255.0f - f[i]) / 255.0f;
            o[i] = static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
        }
    }
    return out;
}

cv::Mat random_sun_flare(const cv::Mat& image, const Params& params, Random& rng) {
    require_rgb(image, "RandomSunFlare");
    const double angle = 2 * kPi * pixel::draw(params, "angle_range", rng);
    rng.note("angle_range", angle / (2 * kPi));
    const std::vector<double> roi = params.numbers("flare_roi");
    const int cx = static_cast<int>(image.cols * rng.uniform(roi[0], roi[2]));
    const int cy = static_cast<int>(image.rows * rng.uniform(roi[1], roi[3]));
    const std::vector<FlareCircle> circles = draw_flare_circles(image.rows, image.cols, {cx, cy}, angle, params, rng);
    const std::vector<double> c = params.numbers("src_color");
    cv::Scalar colour;
    for (std::size_t k = 0; k < c.size(); ++k) colour[static_cast<int>(k)] = c[k];
    const int src_radius = params.integer32("src_radius");
    const bool overlay = params.text("method") == "overlay";
    return pixel::through_uint8(image, [&](const cv::Mat& bytes) {
        return overlay ? flare_overlay(bytes, {cx, cy}, src_radius, colour, circles)
                       : flare_physics(bytes, {cx, cy}, src_radius, colour, circles);
    });
}


// ---- AtmosphericFog ----------------------------------------------------------------------------
// A synthetic depth in [0, 1] (1: far): "linear" from the top row (1) to the bottom one (0),
// "diagonal" the mean of that and the same across the columns, "radial" the distance from the
// centre over the half diagonal. float32, as the reference's.
cv::Mat fog_depth(int height, int width, const std::string& mode) {
    const auto line = [](int n, int k) {  // numpy's linspace(1, 0, n, dtype=float32)[k]
        if (n > 1 && k == n - 1) return 0.0f;
        return static_cast<float>(n > 1 ? k * (-1.0 / (n - 1)) + 1.0 : 1.0);
    };
    cv::Mat depth(height, width, CV_32F);
    const float cy = static_cast<float>(height / 2.0), cx = static_cast<float>(width / 2.0);
    const float scale = static_cast<float>(1 / std::hypot(height / 2.0, width / 2.0));
    for (int y = 0; y < height; ++y) {
        float* d = depth.ptr<float>(y);
        const float fy = static_cast<float>(y) - cy;
        for (int x = 0; x < width; ++x) {
            if (mode == "linear") d[x] = line(height, y);
            else if (mode == "diagonal") d[x] = (line(height, y) + line(width, x)) / 2.0f;
            else {
                const float fx = static_cast<float>(x) - cx;
                d[x] = std::sqrt(fx * fx + fy * fy) * scale;
            }
        }
    }
    return depth;
}

// image * t + fog_color * (1 - t), t = exp(-density * depth); clipped (uint8 truncated).
cv::Mat atmospheric_fog(const cv::Mat& image, const Params& params, Random& rng) {
    const double density = pixel::draw(params, "density_range", rng);
    rng.note("density_range", density);
    cv::Mat t = fog_depth(image.rows, image.cols, params.text("depth_mode"));
    const float minus_density = static_cast<float>(-density);
    t.forEach<float>([minus_density](float& v, const int*) { v *= minus_density; });
    cv::exp(t, t);
    const std::vector<double> colour = params.numbers("fog_color");
    const bool bytes = image.depth() == CV_8U;
    const int channels = image.channels();
    std::vector<float> fog(channels);
    for (int c = 0; c < channels; ++c)  // the last colour repeats for more channels
        fog[c] = static_cast<float>(colour[std::min<std::size_t>(c, colour.size() - 1)] / 255.0 * (bytes ? 255.0 : 1.0));
    cv::Mat out(image.size(), image.type());
    for (int y = 0; y < image.rows; ++y) {
        const float* ty = t.ptr<float>(y);
        for (int x = 0; x < image.cols; ++x) {
            const float keep = ty[x], haze = 1.0f - keep;
            for (int c = 0; c < channels; ++c) {
                if (bytes) {
                    const float v = static_cast<float>(image.ptr<uint8_t>(y)[x * channels + c]) * keep + fog[c] * haze;
                    out.ptr<uint8_t>(y)[x * channels + c] = static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
                } else {
                    const float v = image.ptr<float>(y)[x * channels + c] * keep + fog[c] * haze;
                    out.ptr<float>(y)[x * channels + c] = std::clamp(v, 0.0f, 1.0f);
                }
            }
        }
    }
    return out;
}

// ---- LensFlare ---------------------------------------------------------------------------------
struct Ghost {
    cv::Point centre;
    int radius;
    double alpha;
};

// Rays (anti-aliased lines) from the source, a bloom blur over them, then blurred ghost discs on
// the line through the image's centre; the layer, clipped to [0, 1], is added to every channel.
cv::Mat lens_flare(const cv::Mat& image, const Params& params, Random& rng) {
    require_rgb(image, "LensFlare");
    const int height = image.rows, width = image.cols;
    const double intensity = pixel::draw(params, "intensity_range", rng);
    rng.note("intensity_range", intensity);
    const std::vector<double> roi = params.numbers("flare_roi");
    const int fx_lo = std::min(static_cast<int>(roi[0] * width), width - 1);
    const int fx_hi = std::min(static_cast<int>(roi[2] * width), width - 1);
    const int fx = static_cast<int>(rng.randint(fx_lo, std::max(fx_lo, fx_hi)));
    const int fy_lo = std::min(static_cast<int>(roi[1] * height), height - 1);
    const int fy_hi = std::min(static_cast<int>(roi[3] * height), height - 1);
    const int fy = static_cast<int>(rng.randint(fy_lo, std::max(fy_lo, fy_hi)));
    const auto rays_range = params.range("num_rays_range"), ghosts_range = params.range("num_ghosts_range");
    const int rays = static_cast<int>(rng.randint(static_cast<int64_t>(rays_range[0]), static_cast<int64_t>(rays_range[1])));
    const int ghosts = static_cast<int>(rng.randint(static_cast<int64_t>(ghosts_range[0]), static_cast<int64_t>(ghosts_range[1])));
    const double base_angle = rng.uniform(0, kPi / rays);
    const int cx = width / 2, cy = height / 2;
    std::vector<Ghost> ghost_list;
    for (int i = 0; i < ghosts; ++i) {
        const double t = (i + 1.0) / (ghosts + 1);
        ghost_list.push_back({cv::Point(static_cast<int>(fx + (cx - fx) * 2 * t), static_cast<int>(fy + (cy - fy) * 2 * t)),
                              std::max(2, static_cast<int>(std::min(height, width) * 0.02 * (1.0 - t * 0.5))),
                              intensity * (1.0 - t * 0.6)});
    }
    const auto bloom_range = params.range("bloom_range");  // drawn, not reported (as the reference)
    const double bloom_fraction = rng.uniform(bloom_range[0], bloom_range[1]);
    const int bloom = std::max(1, static_cast<int>(std::sqrt(double(height) * height + double(width) * width) * bloom_fraction)) | 1;

    cv::Mat flare = cv::Mat::zeros(height, width, CV_32F);
    const int length = std::max(height, width);
    for (int i = 0; i < 2 * rays; ++i) {
        // float32 angle, cosine and products, as numpy's on the reference's float32 angles
        const float angle = static_cast<float>(base_angle + i * kPi / rays);
        const float x2 = static_cast<float>(fx) + std::cos(angle) * static_cast<float>(length);
        const float y2 = static_cast<float>(fy) + std::sin(angle) * static_cast<float>(length);
        cv::line(flare, {fx, fy}, {static_cast<int>(x2), static_cast<int>(y2)}, cv::Scalar(intensity), 1, cv::LINE_AA);
    }
    cv::GaussianBlur(flare, flare, cv::Size(2 * bloom + 1, 2 * bloom + 1), 0);
    // Each ghost is blurred where it can reach only: a view into a zero image keeps the borders
    // the whole image would have.
    cv::Mat ghost = cv::Mat::zeros(height, width, CV_32F), blurred;
    for (const Ghost& g : ghost_list) {
        const int kernel = g.radius > 2 ? std::max(3, g.radius | 1) : 1;
        const cv::Rect box = disk_box(g.centre, g.radius + 2 + kernel / 2, ghost.size());
        if (box.empty()) continue;
        cv::circle(ghost, g.centre, g.radius, cv::Scalar(1.0), cv::FILLED, cv::LINE_AA);
        cv::Mat view = ghost(box);
        if (g.radius > 2) cv::GaussianBlur(view, blurred, cv::Size(kernel, kernel), 0);
        else blurred = view.clone();
        cv::Mat target = flare(box);
        const float alpha = static_cast<float>(g.alpha);
        for (int y = 0; y < box.height; ++y) {
            const float* b = blurred.ptr<float>(y);
            float* f = target.ptr<float>(y);
            for (int x = 0; x < box.width; ++x) f[x] += b[x] * alpha;
        }
        view.setTo(0);
    }
    const bool bytes = image.depth() == CV_8U;
    const float top = bytes ? 255.0f : 1.0f;
    cv::Mat out(image.size(), image.type());
    for (int y = 0; y < height; ++y) {
        const float* f = flare.ptr<float>(y);
        for (int x = 0; x < width; ++x) {
            const float add = std::clamp(f[x], 0.0f, 1.0f) * top;
            for (int c = 0; c < 3; ++c) {
                if (bytes) {
                    const float v = static_cast<float>(image.ptr<uint8_t>(y)[3 * x + c]) + add;
                    out.ptr<uint8_t>(y)[3 * x + c] = static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
                } else {
                    out.ptr<float>(y)[3 * x + c] = std::clamp(image.ptr<float>(y)[3 * x + c] + add, 0.0f, 1.0f);
                }
            }
        }
    }
    return out;
}
}  // namespace

void register_weather_light(Registry& r) {
    TransformDecl fog = pixel::pixel_transform(
        "RandomFog",
        {number_param("alpha_coef", 0.08).between(0.0, 1.0),
         range_param("fog_coef_range", Json::array({0.3, 1})).between(0.0, 1.0)},
        random_fog);
    fog.reads_neighbours = true;
    r.add(std::move(fog));

    TransformDecl flare = pixel::pixel_transform(
        "RandomSunFlare",
        {numbers_param("flare_roi", Json::array({0, 0, 1, 0.5})),
         integer_param("src_radius", 400).between(2, std::nullopt),
         integers_param("src_color", Json::array({255, 255, 255})),
         range_param("angle_range", Json::array({0, 1})).between(0.0, 1.0),
         range_param("num_flare_circles_range", Json::array({6, 10})).between(1, std::nullopt).whole(),
         choice_param("method", "overlay", Json::array({"overlay", "physics_based"}))},
        random_sun_flare);
    flare.check = [](const std::string& owner, const Params& p) {
        const std::vector<double> roi = p.numbers("flare_roi");
        if (roi.size() != 4 || !(0 <= roi[0] && roi[0] < roi[2] && roi[2] <= 1) ||
            !(0 <= roi[1] && roi[1] < roi[3] && roi[3] <= 1))
            throw std::invalid_argument(owner + ": flare_roi must be (x_min, y_min, x_max, y_max) with "
                                                "0 <= x_min < x_max <= 1 and 0 <= y_min < y_max <= 1, got " +
                                        python_repr(p.at("flare_roi")));
        const std::size_t colours = p.numbers("src_color").size();
        if (colours < 1 || colours > 4)
            throw std::invalid_argument(owner + ": src_color must hold 1 to 4 integers, got " +
                                        python_repr(p.at("src_color")));
    };
    r.add(std::move(flare));

    TransformDecl haze = pixel::pixel_transform(
        "AtmosphericFog",
        {range_param("density_range", Json::array({1.0, 3.0})).between(0.0, std::nullopt),
         integers_param("fog_color", Json::array({200, 200, 200})),
         choice_param("depth_mode", "linear", Json::array({"linear", "diagonal", "radial"}))},
        atmospheric_fog);
    haze.check = [](const std::string& owner, const Params& p) {
        if (p.numbers("fog_color").empty())
            throw std::invalid_argument(owner + ": fog_color must hold at least one value");
    };
    r.add(std::move(haze));

    TransformDecl lens = pixel::pixel_transform(
        "LensFlare",
        {numbers_param("flare_roi", Json::array({0, 0, 1, 0.5})).between(0.0, 1.0),
         range_param("num_ghosts_range", Json::array({3, 7})).between(0, std::nullopt).whole(),
         range_param("intensity_range", Json::array({0.3, 0.7})).between(0.0, 1.0),
         range_param("num_rays_range", Json::array({4, 8})).between(2, std::nullopt).whole(),
         range_param("bloom_range", Json::array({0.01, 0.05})).between(0.0, 1.0)},
        lens_flare);
    lens.check = [](const std::string& owner, const Params& p) {
        const std::vector<double> roi = p.numbers("flare_roi");
        if (roi.size() != 4 || !(roi[0] < roi[2]) || !(roi[1] < roi[3]))
            throw std::invalid_argument(owner + ": flare_roi must be (x_min, y_min, x_max, y_max) with x_min < x_max "
                                                "and y_min < y_max, got " + python_repr(p.at("flare_roi")));
    };
    r.add(std::move(lens));
}

}  // namespace instaug
