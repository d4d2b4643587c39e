#include "core/polygon_mask.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace instaug {

MaskTile tile_from_polygons(const std::vector<std::vector<double>>& polygons, int width, int height,
                            const std::string& where) {
    std::vector<std::vector<cv::Point>> points(polygons.size());
    int x_min = INT_MAX, y_min = INT_MAX, x_max = INT_MIN, y_max = INT_MIN;
    for (std::size_t p = 0; p < polygons.size(); ++p) {
        const auto& flat = polygons[p];
        const std::string at = where + "[" + std::to_string(p) + "]";
        if (flat.size() % 2 != 0) throw std::invalid_argument(at + ": a polygon needs x, y pairs, got an odd count");
        if (flat.size() < 6) throw std::invalid_argument(at + ": a polygon needs at least 3 vertices");
        for (std::size_t i = 0; i < flat.size(); i += 2) {
            const double x = flat[i], y = flat[i + 1];
            // Far outside any canvas is still a polygon; the bound keeps the int conversion defined.
            if (!std::isfinite(x) || !std::isfinite(y) || std::abs(x) > 1e8 || std::abs(y) > 1e8)
                throw std::invalid_argument(at + ": polygon coordinates must be finite numbers within +-1e8");
            const cv::Point v(static_cast<int>(std::trunc(x)), static_cast<int>(std::trunc(y)));
            points[p].push_back(v);
            x_min = std::min(x_min, v.x);
            y_min = std::min(y_min, v.y);
            x_max = std::max(x_max, v.x);
            y_max = std::max(y_max, v.y);
        }
    }
    MaskTile tile;
    const cv::Rect box = cv::Rect(cv::Point(x_min, y_min), cv::Point(x_max + 1, y_max + 1)) & cv::Rect(0, 0, width, height);
    if (points.empty() || box.empty()) return tile;
    tile.x0 = box.x;
    tile.y0 = box.y;
    tile.data = cv::Mat::zeros(box.height, box.width, CV_8UC1);
    cv::fillPoly(tile.data, points, cv::Scalar(1), cv::LINE_8, 0, cv::Point(-box.x, -box.y));
    tighten_tile(tile);
    return tile;
}

}  // namespace instaug
