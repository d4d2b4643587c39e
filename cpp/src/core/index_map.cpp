#include "core/index_map.hpp"

#include <algorithm>
#include <numeric>

#include "core/low_resolution_mask.hpp"
#include "core/parallel_for.hpp"

namespace instaug {

cv::Mat overlap_index_map(const std::vector<MaskTile>& tiles, int width, int height, int ratio) {
    const cv::Size size = low_resolution_size(width, height, ratio);
    const int n = static_cast<int>(tiles.size());
    std::vector<MaskTile> low(tiles.size());
    std::vector<long long> area(tiles.size());
    parallel_for_each_row(n, 64, [&](int i) {
        low[i] = low_resolution_tile(tiles[i], width, height, ratio);
        area[i] = low[i].empty() ? 0 : tile_nonzero_count(low[i]);
    });
    std::vector<int> order(tiles.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return area[a] > area[b]; });
    const bool wide = n > 255;
    cv::Mat map = cv::Mat::zeros(size, wide ? CV_32SC1 : CV_8UC1);
    for (int row : order) {
        const MaskTile& tile = low[row];
        if (tile.empty()) continue;
        for (int y = 0; y < tile.height(); ++y) {
            const uint8_t* on = tile.data.ptr<uint8_t>(y);
            if (wide) {
                int32_t* dst = map.ptr<int32_t>(tile.y0 + y) + tile.x0;
                for (int x = 0; x < tile.width(); ++x)
                    if (on[x]) dst[x] = row + 1;
            } else {
                uint8_t* dst = map.ptr<uint8_t>(tile.y0 + y) + tile.x0;
                for (int x = 0; x < tile.width(); ++x)
                    if (on[x]) dst[x] = static_cast<uint8_t>(row + 1);
            }
        }
    }
    return map;
}

}  // namespace instaug
