#include "core/coco_rle.hpp"

#include <algorithm>
#include <stdexcept>

namespace instaug {

std::vector<uint32_t> rle_counts_of_tile(const MaskTile& tile, int width, int height) {
    std::vector<uint32_t> counts;
    const uint64_t total = static_cast<uint64_t>(width) * height;
    uint64_t run_start = 0;
    bool value = false;
    if (!tile.empty()) {
        const int elem = static_cast<int>(tile.data.elemSize());
        // A run changes value at `position` (column-major index).
        auto change = [&](uint64_t position) {
            counts.push_back(static_cast<uint32_t>(position - run_start));
            run_start = position;
            value = !value;
        };
        for (int tx = 0; tx < tile.width(); ++tx) {
            const uint64_t top = static_cast<uint64_t>(tile.x0 + tx) * height;
            const uint64_t column = top + tile.y0;
            // The canvas is 0 above and below the tile: a run of 1s from the column before ends there.
            if (value && tile.y0 > 0) change(top);
            for (int ty = 0; ty < tile.height(); ++ty)
                if (element_nonzero(tile.data.ptr<uint8_t>(ty) + tx * elem, elem) != value) change(column + ty);
            if (value && tile.y0 + tile.height() < height) change(column + tile.height());
        }
        // ... and right of it: a run of 1s down to the last column's bottom ends there.
        const uint64_t after = static_cast<uint64_t>(tile.x0 + tile.width()) * height;
        if (value && after < total) change(after);
    }
    counts.push_back(static_cast<uint32_t>(total - run_start));
    return counts;
}

// pycocotools' rleToString / rleFrString (maskApi.c): signed 5-bit groups, 0x20 marks "more",
// each byte offset by 48 into printable ASCII.
std::string rle_counts_to_string(const std::vector<uint32_t>& counts) {
    std::string out;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        long long x = counts[i];
        if (i > 2) x -= counts[i - 2];
        bool more = true;
        while (more) {
            char c = static_cast<char>(x & 0x1f);
            x >>= 5;
            more = (c & 0x10) ? x != -1 : x != 0;
            if (more) c |= 0x20;
            out.push_back(static_cast<char>(c + 48));
        }
    }
    return out;
}

std::vector<uint32_t> rle_counts_from_string(const std::string& text, const std::string& where) {
    std::vector<uint32_t> counts;
    std::size_t p = 0;
    while (p < text.size()) {
        long long x = 0;
        int k = 0;
        bool more = true;
        while (more) {
            if (p >= text.size() || k > 6)
                throw std::invalid_argument(where + ": the RLE counts string ends inside a count");
            const int c = static_cast<unsigned char>(text[p]) - 48;
            if (c < 0 || c > 63) throw std::invalid_argument(where + ": the RLE counts string holds a byte outside '0'..'o'");
            x |= static_cast<long long>(c & 0x1f) << (5 * k);
            more = (c & 0x20) != 0;
            ++p;
            ++k;
            // Sign extension, shifted as unsigned (shifting a negative number is undefined).
            if (!more && (c & 0x10)) x |= static_cast<long long>(~0ULL << (5 * k));
        }
        if (counts.size() > 2) x += counts[counts.size() - 2];
        if (x < 0 || x > 0xffffffffLL) throw std::invalid_argument(where + ": the RLE counts string decodes to a negative run");
        counts.push_back(static_cast<uint32_t>(x));
    }
    return counts;
}

MaskTile tile_from_rle_counts(const std::vector<uint32_t>& counts, int width, int height, const std::string& where) {
    const uint64_t total = static_cast<uint64_t>(width) * height;
    uint64_t sum = 0;
    for (uint32_t c : counts) sum += c;
    if (sum > total)
        throw std::invalid_argument(where + ": the RLE runs cover " + std::to_string(sum) + " pixels, more than the " +
                                    std::to_string(height) + " x " + std::to_string(width) + " canvas");
    // First pass: the box of the 1-runs, so that only the tile is allocated.
    int x_min = width, x_max = -1, y_min = height, y_max = -1;
    uint64_t pos = 0;
    for (std::size_t i = 0; i < counts.size(); pos += counts[i], ++i) {
        if (i % 2 == 0 || counts[i] == 0) continue;
        const uint64_t last = pos + counts[i] - 1;
        const int xa = static_cast<int>(pos / height), xb = static_cast<int>(last / height);
        x_min = std::min(x_min, xa);
        x_max = std::max(x_max, xb);
        if (xa != xb) {
            y_min = 0;
            y_max = height - 1;
        } else {
            y_min = std::min(y_min, static_cast<int>(pos % height));
            y_max = std::max(y_max, static_cast<int>(last % height));
        }
    }
    MaskTile tile;
    if (x_max < 0) return tile;
    tile.x0 = x_min;
    tile.y0 = y_min;
    tile.data = cv::Mat::zeros(y_max - y_min + 1, x_max - x_min + 1, CV_8UC1);
    pos = 0;
    for (std::size_t i = 0; i < counts.size(); pos += counts[i], ++i) {
        if (i % 2 == 0) continue;
        for (uint64_t p = pos; p < pos + counts[i]; ++p) {
            const int x = static_cast<int>(p / height), y = static_cast<int>(p % height);
            tile.data.at<uint8_t>(y - y_min, x - x_min) = 1;
        }
    }
    tighten_tile(tile);
    return tile;
}

}  // namespace instaug
