// Per-value colour steps on uint8 images as 256-entry tables, and their fusion: consecutive
// table steps compose into one table per channel and the image is read and written once.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>


namespace instaug {

using Table8 = std::array<uint8_t, 256>;

// f(v) for v = 0..255, clipped to [0, 255] and truncated, as the reference's
// `np.clip(...).astype(np.uint8)`.
Table8 table_of(const std::function<double(int)>& f);
std::vector<Table8> same_for_all(int channels, const std::function<double(int)>& f);

// A run of table steps applied as one pass.
class TableChain {
public:
    explicit TableChain(const cv::Mat& image);

    void add(const std::vector<Table8>& tables);
    // Grey mean of the image after the steps so far: exact before the first step; afterwards from
    // per-channel histograms pushed through the tables (RGB weights as OpenCV's RGB2GRAY).
    double grey_mean();
    bool empty() const { return composed_.empty(); }
    cv::Mat apply() const;

private:
    const cv::Mat& image_;
    std::vector<Table8> composed_;
    std::vector<std::array<double, 256>> histograms_;
};

// The reference's torchvision brightness (a gain) and contrast (a blend with the grey mean) as
// tables; `brightness_first` picks the order.
std::vector<Table8> brightness_contrast_tables(int channels, double brightness, double contrast,
                                               bool brightness_first, const std::function<double()>& grey_mean);

// Applies one table per channel.
cv::Mat apply_tables(const cv::Mat& image, const std::vector<Table8>& tables);

// Grey mean (uint8 scale) as the reference computes it: RGB2GRAY for 3 channels, else all values.
double exact_grey_mean(const cv::Mat& image);

}  // namespace instaug
