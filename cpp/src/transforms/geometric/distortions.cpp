// The non-rigid distortions: OpticalDistortion, GridDistortion, PiecewiseAffine and
// ElasticTransform. Each draws a dense map (the reference's formulas, optionally at a lower
// resolution and brought up to size) and becomes one Remap step.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>

#include "core/math_constants.hpp"
#include "core/remap_field.hpp"
#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

struct Maps {
    cv::Mat x, y;  // CV_32FC1
};

Maps identity_maps(int width, int height) {
    Maps m{cv::Mat(height, width, CV_32F), cv::Mat(height, width, CV_32F)};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            m.x.at<float>(y, x) = static_cast<float>(x);
            m.y.at<float>(y, x) = static_cast<float>(y);
        }
    return m;
}

// The size the map is drawn at: the canvas scaled by a resolution drawn from map_resolution_range
// (at least 2 pixels a side), as the reference's BaseDistortion.
cv::Size map_size(const Params& params, Random& rng, int width, int height) {
    const auto range = params.range("map_resolution_range");
    const double r = range[0] == range[1] ? range[0] : rng.uniform(range[0], range[1]);
    rng.note("map_resolution_range", r);
    return {std::max(2, static_cast<int>(width * r)), std::max(2, static_cast<int>(height * r))};
}

std::vector<GeometricStep> remap_steps(Maps maps, const Params& params, int width, int height) {
    upscale_maps(maps.x, maps.y, width, height, params.integer32("interpolation"));
    return {make_remap_step(width, height, make_remap_field(maps.x, maps.y), pixel_options(params))};
}

// OpticalDistortion, "camera": OpenCV's undistortion map for the camera matrix [[W, 0, W/2],
// [0, H, H/2]] and k1 = k2 = k, in closed form (pixel u at (u - W/2) / W). "fisheye": a radial
// scale 1 + k |d|^2 / ((W/2)^2 + (H/2)^2) about (W/2, H/2).
Maps optical_maps(double k, const std::string& mode, int width, int height) {
    Maps m{cv::Mat(height, width, CV_32F), cv::Mat(height, width, CV_32F)};
    const double cx = width / 2.0, cy = height / 2.0;
    const double k32 = static_cast<float>(k);
    const double fisheye = k / (cx * cx + cy * cy);
    for (int v = 0; v < height; ++v)
        for (int u = 0; u < width; ++u) {
            if (mode == "camera") {
                const double x = (u - cx) / width, y = (v - cy) / height, r2 = x * x + y * y;
                const double f = 1 + k32 * r2 + k32 * r2 * r2;
                m.x.at<float>(v, u) = static_cast<float>(width * x * f + cx);
                m.y.at<float>(v, u) = static_cast<float>(height * y * f + cy);
            } else {  // in float32, as the reference computes it
                const float x = static_cast<float>(u - cx), y = static_cast<float>(v - cy);
                const float s = (x * x + y * y) * static_cast<float>(fisheye) + 1.0f;
                m.x.at<float>(v, u) = x * s + static_cast<float>(cx);
                m.y.at<float>(v, u) = y * s + static_cast<float>(cy);
            }
        }
    return m;
}

std::vector<GeometricStep> optical_distortion(const Params& params, Random& rng, int width, int height) {
    const cv::Size size = map_size(params, rng, width, height);
    const auto range = params.range("distort_range");
    const double k = rng.uniform(range[0], range[1]);
    rng.note("distort_range", k);
    if (k == 0) return remap_steps(identity_maps(width, height), params, width, height);
    return remap_steps(optical_maps(k, params.text("mode"), size.width, size.height), params, width, height);
}

// One axis of GridDistortion's map: num_steps segments of side // num_steps pixels, segment i
// stretched by steps[i] (the reference's generate_grid; pixels past the last segment stay 0).
std::vector<float> grid_axis(int side, int num_steps, const std::vector<double>& steps) {
    std::vector<float> axis(side, 0.0f);
    const int step = side / num_steps;
    double previous = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const int start = static_cast<int>(i) * step, end = std::min(start + step, side);
        const double current = previous + step * steps[i];
        for (int j = start; j < end; ++j)  // np.linspace(previous, current, end - start)
            axis[j] = static_cast<float>(end - start == 1 ? previous
                                                          : previous + (current - previous) * (j - start) / (end - start - 1));
        previous = current;
    }
    return axis;
}

// The reference's normalize_grid_distortion_steps: the last step scaled to its shorter segment,
// then all scaled so that they span side / floor(side / num_steps) segments.
void normalise_steps(std::vector<double>& steps, int side, int num_steps) {
    const int step = side / num_steps;
    const int last = std::min(side, (num_steps + 1) * step) - num_steps * step;
    steps.back() *= static_cast<double>(last) / step;
    double sum = 0;
    for (double s : steps) sum += static_cast<float>(s);
    const double target = side / std::floor(static_cast<double>(side) / num_steps);
    for (double& s : steps) s = static_cast<float>(static_cast<float>(s) * static_cast<float>(target / sum));
}

std::vector<GeometricStep> grid_distortion(const Params& params, Random& rng, int width, int height) {
    const cv::Size size = map_size(params, rng, width, height);
    const int num_steps = std::min({params.integer32("num_steps"), size.width, size.height});
    const auto range = params.range("distort_range");
    std::vector<double> xs(num_steps + 1), ys(num_steps + 1);
    double low = 1e300, high = -1e300;
    for (auto* steps : {&xs, &ys})
        for (double& s : *steps) {
            const double u = rng.uniform(range[0], range[1]);
            s = 1 + u;
            low = std::min(low, u);
            high = std::max(high, u);
        }
    rng.note("distort_range", Json::array({low, high}));
    if (low == 0 && high == 0) return remap_steps(identity_maps(width, height), params, width, height);
    if (params.flag("normalized")) {
        normalise_steps(xs, size.width, num_steps);
        normalise_steps(ys, size.height, num_steps);
    }
    const std::vector<float> xx = grid_axis(size.width, num_steps, xs), yy = grid_axis(size.height, num_steps, ys);
    Maps m{cv::Mat(size.height, size.width, CV_32F), cv::Mat(size.height, size.width, CV_32F)};
    for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x) {
            m.x.at<float>(y, x) = xx[x];
            m.y.at<float>(y, x) = yy[y];
        }
    return remap_steps(m, params, width, height);
}

// PiecewiseAffine: a rows x cols grid of control points over the map, each moved by Gaussian
// jitter (clipped to the map); every pixel samples the inverse-square-distance weighted mean of
// the moved points (the reference's create_piecewise_affine_maps).
Maps piecewise_maps(int width, int height, int rows, int cols, double scale, bool absolute, Random& rng) {
    const double sigma = absolute ? scale / 3 : scale * std::min(width, height) / 3;
    struct Control {
        float x, y, to_x, to_y;
    };
    std::vector<Control> controls;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const float x = static_cast<float>(cols == 1 ? 0.0 : (width - 1.0) * c / (cols - 1));
            const float y = static_cast<float>(rows == 1 ? 0.0 : (height - 1.0) * r / (rows - 1));
            const float jitter_y = static_cast<float>(rng.normal(0, sigma));
            const float jitter_x = static_cast<float>(rng.normal(0, sigma));
            controls.push_back({x, y, std::clamp(x + jitter_x, 0.0f, width - 1.0f),
                                std::clamp(y + jitter_y, 0.0f, height - 1.0f)});
        }
    Maps m{cv::Mat(height, width, CV_32F), cv::Mat(height, width, CV_32F)};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            float sum = 0, mx = 0, my = 0;
            for (const Control& c : controls) {
                const float dx = x - c.x, dy = y - c.y;
                const float w = 1.0f / (dx * dx + dy * dy + 1e-8f);
                sum += w;
                mx += w * c.to_x;
                my += w * c.to_y;
            }
            m.x.at<float>(y, x) = std::clamp(mx / sum, 0.0f, width - 1.0f);
            m.y.at<float>(y, x) = std::clamp(my / sum, 0.0f, height - 1.0f);
        }
    return m;
}

std::vector<GeometricStep> piecewise_affine(const Params& params, Random& rng, int width, int height) {
    const cv::Size size = map_size(params, rng, width, height);
    const auto rows_range = params.range("nb_rows_range"), cols_range = params.range("nb_cols_range");
    const int rows = std::max<int64_t>(2, rng.randint(static_cast<int64_t>(rows_range[0]), static_cast<int64_t>(rows_range[1])));
    const int cols = std::max<int64_t>(2, rng.randint(static_cast<int64_t>(cols_range[0]), static_cast<int64_t>(cols_range[1])));
    const auto scale_range = params.range("scale_range");
    const double scale = rng.uniform(scale_range[0], scale_range[1]);
    rng.note("scale_range", scale);
    rng.note("nb_rows_range", rows);
    rng.note("nb_cols_range", cols);
    if (scale <= 0) return remap_steps(identity_maps(width, height), params, width, height);
    return remap_steps(piecewise_maps(size.width, size.height, rows, cols, scale, params.flag("absolute_scale"), rng),
                       params, width, height);
}

// ElasticTransform: a cubic B-spline displacement over a control grid whose coefficients are
// drawn uniformly in a disk of radius magnitude * (min side - 1) (the reference's bounded elastic
// field: the map stays one-to-one).
cv::Mat spline_basis(int length, int count) {
    cv::Mat basis = cv::Mat::zeros(length, count, CV_32F);
    const int spans = count - 3;
    for (int i = 0; i < length; ++i) {
        const float t = length <= 1 ? 0.0f : static_cast<float>(i) * static_cast<float>(static_cast<double>(spans) / (length - 1));
        const int base = std::clamp(static_cast<int>(std::floor(t)), 0, spans - 1);
        const float f = t - base;
        const float w[4] = {(1 - f) * (1 - f) * (1 - f) / 6, (3 * f * f * f - 6 * f * f + 4) / 6,
                            (-3 * f * f * f + 3 * f * f + 3 * f + 1) / 6, f * f * f / 6};
        for (int k = 0; k < 4; ++k) basis.at<float>(i, base + k) = w[k];
    }
    return basis;
}

std::vector<GeometricStep> elastic_transform(const Params& params, Random& rng, int width, int height) {
    const auto range = params.range("displacement_range");
    const double magnitude = range[0] == range[1] ? range[0] : rng.uniform(range[0], range[1]);
    rng.note("displacement_range", Json::array({magnitude, magnitude}));
    if (magnitude == 0 || std::min(width, height) <= 1) return {};
    const Json& grid = params.at("control_grid_shape");
    const int rows = grid[0].get<int>(), cols = grid[1].get<int>();
    const float radius = static_cast<float>(magnitude * (std::min(width, height) - 1));
    cv::Mat dx(rows, cols, CV_32F), dy(rows, cols, CV_32F);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const float reach = radius * std::sqrt(static_cast<float>(rng.uniform01()));
            const float angle = static_cast<float>(2 * kPi) * static_cast<float>(rng.uniform01());
            dx.at<float>(r, c) = reach * std::cos(angle);
            dy.at<float>(r, c) = reach * std::sin(angle);
        }
    const cv::Mat row_basis = spline_basis(height, rows), column_basis = spline_basis(width, cols);
    Maps m;
    m.x = row_basis * dx * column_basis.t();
    m.y = row_basis * dy * column_basis.t();
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            m.x.at<float>(y, x) += static_cast<float>(x);
            m.y.at<float>(y, x) += static_cast<float>(y);
        }
    return remap_steps(m, params, width, height);
}

// ThinPlateSpline: a num x num grid of control points on the unit square (a 5-point cross for
// 2), each moved by N(0, scale / 10); the map is the thin-plate spline through the moves, its
// kernel d^2 log(d^2 + 1e-6) (the reference's compute_tps_weights and tps_transform).
double tps_kernel(double squared) { return squared * std::log(squared + 1e-6); }

std::vector<GeometricStep> thin_plate_spline(const Params& params, Random& rng, int width, int height) {
    const cv::Size size = map_size(params, rng, width, height);
    const int n = params.integer32("num_control_points");
    std::vector<cv::Point2d> from;
    if (n == 2) from = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {0.5, 0.5}};
    else
        for (int r = 0; r < n; ++r)
            for (int c = 0; c < n; ++c) from.emplace_back(static_cast<double>(c) / (n - 1), static_cast<double>(r) / (n - 1));
    const auto range = params.range("scale_range");
    const double scale = rng.uniform(range[0], range[1]) / 10;
    rng.note("scale_range", scale * 10);
    const int k = static_cast<int>(from.size());
    cv::Mat system = cv::Mat::zeros(k + 3, k + 3, CV_64F), target = cv::Mat::zeros(k + 3, 2, CV_64F);
    for (int i = 0; i < k; ++i) {
        for (int j = 0; j < k; ++j) {
            const cv::Point2d d = from[i] - from[j];
            system.at<double>(i, j) = tps_kernel(d.dot(d));
        }
        const double affine[3] = {1, from[i].x, from[i].y};
        for (int a = 0; a < 3; ++a) system.at<double>(i, k + a) = system.at<double>(k + a, i) = affine[a];
        target.at<double>(i, 0) = from[i].x + rng.normal(0, scale);
        target.at<double>(i, 1) = from[i].y + rng.normal(0, scale);
    }
    cv::Mat weights;
    cv::solve(system, target, weights, cv::DECOMP_LU);
    Maps m{cv::Mat(size.height, size.width, CV_32F), cv::Mat(size.height, size.width, CV_32F)};
    for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x) {
            const double px = static_cast<double>(x) / size.width, py = static_cast<double>(y) / size.height;
            double out[2];
            for (int axis = 0; axis < 2; ++axis) {
                double v = weights.at<double>(k, axis) + weights.at<double>(k + 1, axis) * px + weights.at<double>(k + 2, axis) * py;
                for (int i = 0; i < k; ++i) {
                    const double dx = px - from[i].x, dy = py - from[i].y;
                    v += weights.at<double>(i, axis) * tps_kernel(dx * dx + dy * dy);
                }
                out[axis] = v;
            }
            m.x.at<float>(y, x) = static_cast<float>(out[0] * size.width);
            m.y.at<float>(y, x) = static_cast<float>(out[1] * size.height);
        }
    return remap_steps(m, params, width, height);
}

// WaterRefraction: num_waves plane sine waves of drawn direction, phase, frequency about
// 1 / wavelength and amplitude, each displacing pixels across its direction of travel.
std::vector<GeometricStep> water_refraction(const Params& params, Random& rng, int width, int height) {
    const cv::Size size = map_size(params, rng, width, height);
    const double side = std::min(size.width, size.height);
    const auto amplitudes = params.range("amplitude_range"), wavelengths = params.range("wavelength_range");
    const auto counts = params.range("num_waves_range");
    const double amplitude = rng.uniform(amplitudes[0], amplitudes[1]);
    const double wavelength = rng.uniform(wavelengths[0], wavelengths[1]);
    const int waves = static_cast<int>(rng.randint(static_cast<int64_t>(counts[0]), static_cast<int64_t>(counts[1])));
    rng.note("amplitude_range", amplitude);
    rng.note("wavelength_range", wavelength);
    rng.note("num_waves_range", waves);
    Maps m = identity_maps(size.width, size.height);
    for (int w = 0; w < waves; ++w) {
        const double angle = rng.uniform(0, 2 * kPi), phase = rng.uniform(0, 2 * kPi);
        const double frequency = rng.uniform(0.7, 1.3) / (wavelength * side);
        const double strength = amplitude * side * rng.uniform(0.5, 1.0);
        const double along_x = std::cos(angle), along_y = std::sin(angle);
        for (int y = 0; y < size.height; ++y)
            for (int x = 0; x < size.width; ++x) {
                const double d = strength * std::sin(2 * kPi * frequency * (x * along_x + y * along_y) + phase);
                m.x.at<float>(y, x) += static_cast<float>(d * -along_y);
                m.y.at<float>(y, x) += static_cast<float>(d * along_x);
            }
    }
    return remap_steps(m, params, width, height);
}

// PixelSpread: every pixel samples a neighbour up to `radius` away in each axis, drawn uniformly.
std::vector<GeometricStep> pixel_spread(const Params& params, Random& rng, int width, int height) {
    const auto range = params.range("map_resolution_range");
    const double resolution = range[0] == range[1] ? range[0] : rng.uniform(range[0], range[1]);
    rng.note("map_resolution_range", resolution);
    const cv::Size size(std::max(2, static_cast<int>(width * resolution)), std::max(2, static_cast<int>(height * resolution)));
    const int radius = std::max(1, python_round(params.integer32("radius") * resolution));
    Maps m = identity_maps(size.width, size.height);
    cv::RNG offsets(rng.next_u64());
    for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x) {
            m.y.at<float>(y, x) += static_cast<float>(offsets.uniform(-radius, radius + 1));
            m.x.at<float>(y, x) += static_cast<float>(offsets.uniform(-radius, radius + 1));
        }
    return remap_steps(m, params, width, height);
}

// What every distortion takes after its own parameters (the reference's BaseDistortion).
// ElasticTransform, which is no BaseDistortion there, has neither keypoint_remapping_method nor
// map_resolution_range, and p last.
std::vector<ParamDecl> resampling_params(bool base_distortion) {
    std::vector<ParamDecl> out;
    if (base_distortion) {
        out.push_back(choice_param("keypoint_remapping_method", "mask", Json::array({"direct", "mask"})));
        out.push_back(probability_param(0.5));
    }
    out.push_back(border_mode_param(kBorderConstant));
    out.push_back(fill_param("fill", 0));
    out.push_back(fill_param("fill_mask", 0));
    if (base_distortion)
        out.push_back(range_param("map_resolution_range", Json::array({1.0, 1.0})).between(0.0, 1.0));
    else
        out.push_back(probability_param(0.5));
    return out;
}

void check_map_resolution(const std::string& owner, const Params& p) {
    if (p.has("map_resolution_range") && !(p.range("map_resolution_range")[0] > 0))
        throw std::invalid_argument(owner + ": map_resolution_range values must be > 0");
}

TransformDecl distortion(const std::string& name, std::vector<ParamDecl> own, StepSampler steps,
                         bool base_distortion = true) {
    for (ParamDecl& p : resampling_params(base_distortion)) own.push_back(std::move(p));
    TransformDecl d = declare(name, TransformKind::Geometric, std::move(own));
    d.steps = std::move(steps);
    d.check = check_map_resolution;
    return d;
}

// WaterRefraction's and PixelSpread's order: keypoint_remapping_method, border_mode, fill,
// fill_mask, map_resolution_range, then p; their border reflects by default.
TransformDecl late_p_distortion(const std::string& name, std::vector<ParamDecl> own, StepSampler steps,
                                int border_mode) {
    own.push_back(choice_param("keypoint_remapping_method", "mask", Json::array({"direct", "mask"})));
    own.push_back(border_mode_param(border_mode));
    own.push_back(fill_param("fill", 0));
    own.push_back(fill_param("fill_mask", 0));
    own.push_back(range_param("map_resolution_range", Json::array({1.0, 1.0})).between(0.0, 1.0));
    own.push_back(probability_param(0.5));
    TransformDecl d = declare(name, TransformKind::Geometric, std::move(own));
    d.steps = std::move(steps);
    d.check = check_map_resolution;
    return d;
}

}  // namespace

void register_distortions(Registry& r) {
    const ParamDecl interpolation = interpolation_param("interpolation", kLinear);
    const ParamDecl mask_interpolation = interpolation_param("mask_interpolation", kNearest);
    r.add(distortion("OpticalDistortion",
                     {range_param("distort_range", Json::array({-0.05, 0.05})), interpolation, mask_interpolation,
                      choice_param("mode", "camera", Json::array({"camera", "fisheye"}))},
                     optical_distortion));
    r.add(distortion("GridDistortion",
                     {integer_param("num_steps", 5).between(1, 100000),
                      range_param("distort_range", Json::array({-0.3, 0.3})).between(-1.0, 1.0), interpolation,
                      flag_param("normalized", true), mask_interpolation},
                     grid_distortion));
    r.add(distortion("PiecewiseAffine",
                     {range_param("scale_range", Json::array({0.03, 0.05})).between(0.0, std::nullopt),
                      range_param("nb_rows_range", Json::array({4, 4})).between(2, 1000).whole(),
                      range_param("nb_cols_range", Json::array({4, 4})).between(2, 1000).whole(), interpolation,
                      mask_interpolation, flag_param("absolute_scale", false)},
                     piecewise_affine));
    r.add(distortion("ThinPlateSpline",
                     {range_param("scale_range", Json::array({0.2, 0.4})).between(0.0, 1.0),
                      integer_param("num_control_points", 4).between(2, 64), interpolation, mask_interpolation},
                     thin_plate_spline));
    r.add(late_p_distortion("WaterRefraction",
                            {range_param("amplitude_range", Json::array({0.01, 0.05})).between(0.0, 1.0),
                             range_param("wavelength_range", Json::array({0.05, 0.2})).between(0.0, std::nullopt),
                             range_param("num_waves_range", Json::array({3, 7})).between(1, 1000).whole(),
                             interpolation, mask_interpolation},
                            water_refraction, kBorderReflect101));
    r.add(late_p_distortion("PixelSpread",
                            {integer_param("radius", 2).between(1, 10000), interpolation_param("interpolation", kNearest),
                             mask_interpolation},
                            pixel_spread, kBorderReflect101));
    TransformDecl elastic = distortion(
        "ElasticTransform",
        {range_param("displacement_range", Json::array({0.02, 0.05})).between(0.0, std::nullopt),
         int_pair_param("control_grid_shape", Json::array({7, 7})).between(4, 1000), interpolation, mask_interpolation},
        elastic_transform, false);
    elastic.check = [](const std::string& owner, const Params& p) {
        const Json& grid = p.at("control_grid_shape");
        const double rows = grid[0].get<double>(), cols = grid[1].get<double>();
        const double high = p.range("displacement_range")[1];
        // The reference's topology bound: beyond it the field could fold the image over itself.
        if (!(2 * high * std::sqrt((rows - 3) * (rows - 3) + (cols - 3) * (cols - 3)) < 0.75))
            throw std::invalid_argument(owner + ": displacement_range and control_grid_shape violate the strict "
                                        "topology bound 2 * max displacement * sqrt((rows-3)^2 + (cols-3)^2) < 0.75");
    };
    r.add(std::move(elastic));
}

}  // namespace instaug
