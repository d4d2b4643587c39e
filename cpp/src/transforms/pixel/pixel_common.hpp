// What the pixel transforms share: dtype round trips, clipping, tables, the grey image, and the
// reference's brightness/contrast formulas (RandomBrightnessContrast and ColorJitter both use them).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/random.hpp"
#include "transforms/params.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace pixel {

cv::Mat to_uint8(const cv::Mat& image);    // float32 [0, 1] -> uint8 (x 255, rounded, clipped)
cv::Mat to_float32(const cv::Mat& image);  // uint8 -> float32 / 255
// The reference's float32_io round trip, value for value: v / 255 in float32; rint(v x 255) in
// float32, clipped, NaN to 0 (to_uint8 / to_float32 scale in float64 and may differ by an ulp).
cv::Mat float32_io_in(const cv::Mat& image);   // uint8 -> float32
cv::Mat float32_io_out(const cv::Mat& image);  // float32 -> uint8
cv::Mat gray_of(const cv::Mat& image);     // weighted average for RGB, channel mean otherwise
cv::Mat clip01(cv::Mat image);             // float32 clipped to [0, 1] in place
// The float32 route of uint8-only operations: x 255, rounded, operate, / 255.
cv::Mat through_uint8(const cv::Mat& image, const std::function<cv::Mat(const cv::Mat&)>& op);
// A uint8 table applied to every channel; values clipped to [0, 255] and truncated, as the
// reference's LUTs (`np.clip(...).astype(np.uint8)`).
cv::Mat apply_lut(const cv::Mat& image, const std::function<double(int)>& f);
void require_grey_or_rgb(const cv::Mat& image, const std::string& transform);
// A uniform draw from the range argument `name`.
double draw(const Params& params, const char* name, Random& rng);
// An 8-bit hue (0..179) moved by `shift` and wrapped into [0, 180), as the reference's tables.
double shifted_hue(int v, double shift);
// torchvision's brightness (a gain) and contrast (a blend with the grey mean); `brightness_first`
// picks the order. uint8 images go through tables.
cv::Mat brightness_contrast(const cv::Mat& image, double brightness, double contrast, bool brightness_first);

// A pixel transform's declaration: its parameters, then p (by default 0.5, the reference's), and op.
TransformDecl pixel_transform(const std::string& name, std::vector<ParamDecl> params, PixelOp op, double p = 0.5);
// A table transform's: one table per channel on uint8 images (fused), `pixels` on the others.
TransformDecl table_transform(const std::string& name, std::vector<ParamDecl> params, TableSampler tables,
                              PixelOp pixels);
// The image's channels in `order` (a fresh image: the input is never written).
cv::Mat channels_in_order(const cv::Mat& image, const std::vector<int>& order);
// 0..count-1 in an order drawn uniformly.
std::vector<int> random_order(int count, Random& rng);

}  // namespace pixel
}  // namespace instaug
