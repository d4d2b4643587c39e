// What the geometric transforms share: how their resampling arguments (interpolation, border,
// fills) become PixelOptions, the reference's padding arithmetic, and the common parameters.
#pragma once
#include <string>
#include <vector>

#include "core/geometric_step.hpp"
#include "core/random.hpp"
#include "transforms/params.hpp"
#include "transforms/schema.hpp"

namespace instaug {

// Largest canvas side (OpenCV's remap needs sides below SHRT_MAX) and window coordinate.
constexpr int64_t kMaxSide = 32766;
constexpr int64_t kMaxCoordinate = 2147483647;

// The pad_position / position choices.
Json pad_positions();
// The rotate_method choices ("largest_box", "ellipse"): Affine and Rotate.
Json rotate_methods();
// The area_for_downscale choices (None, "image", "image_mask").
ParamDecl area_for_downscale_param();

PixelOptions pixel_options(const Params& params);
// pixel_options, with INTER_AREA when area_for_downscale asks for it and the step shrinks.
PixelOptions resize_options(const Params& params, int width, int height, int out_width, int out_height);
cv::Scalar scalar_from(const std::vector<double>& values);

int python_round(double v);  // half to even, as Python's round()

struct Padding {
    int top = 0, bottom = 0, left = 0, right = 0;
    bool any() const { return top || bottom || left || right; }
};

// The reference's get_padding_params (min sizes and divisors; <= 0: unset).
Padding padding_for(int height, int width, int min_height, int min_width, int height_divisor, int width_divisor);
// The reference's adjust_padding_by_position.
Padding position_padding(Padding p, const std::string& position, Random& rng);

// The reference's create_affine_transformation_matrix, in pixel-centre coordinates (affine.cpp).
cv::Matx33d affine_matrix(double tx, double ty, double shear_x_deg, double shear_y_deg, double sx, double sy,
                          double rotate_deg, double cx, double cy);

}  // namespace instaug
