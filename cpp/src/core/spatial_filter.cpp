#include "core/spatial_filter.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/bbox_filter.hpp"

namespace instaug {

void check_filterable(const cv::Mat& plane, const char* what) {
    if (plane.depth() == CV_8U && plane.channels() % 8 == 0)
        throw std::invalid_argument(std::string(what) + " of a 64-bit integer dtype cannot be dilated or eroded");
}

MaskTile filter_tile(const MaskTile& tile, const SpatialFilter& filter, int width, int height) {
    if (tile.empty()) return tile;
    check_filterable(tile.data, "masks");
    const cv::Rect window = cv::Rect(tile.x0 - filter.reach_x, tile.y0 - filter.reach_y,
                                     tile.width() + 2 * filter.reach_x, tile.height() + 2 * filter.reach_y) &
                            cv::Rect(0, 0, width, height);
    cv::Mat padded = cv::Mat::zeros(window.size(), tile.data.type());
    tile.data.copyTo(padded(tile.rect() - window.tl()));
    MaskTile out{window.x, window.y, filter.apply(padded)};
    tighten_tile(out);
    return out;
}

std::array<double, 4> filter_box(const std::array<double, 4>& box, const SpatialFilter& filter, int width,
                                 int height) {
    const auto edge = [](double v, int side) { return static_cast<int>(reference_pixels(v, side)); };
    const cv::Rect canvas(0, 0, width, height);
    const cv::Rect raster = cv::Rect(cv::Point(edge(box[0], width), edge(box[1], height)),
                                     cv::Point(edge(box[2], width), edge(box[3], height))) &
                            canvas;
    if (raster.empty() || edge(box[2], width) <= edge(box[0], width) || edge(box[3], height) <= edge(box[1], height))
        return {0, 0, 0, 0};
    MaskTile tile{raster.x, raster.y, cv::Mat::ones(raster.size(), CV_8UC1)};
    double tight[4];
    if (!tile_tight_box(filter_tile(tile, filter, width, height), tight)) return {0, 0, 0, 0};
    return {tight[0], tight[1], tight[2], tight[3]};
}

}  // namespace instaug
