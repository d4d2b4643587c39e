// An instance mask held as a region of interest: the object's values inside a tile placed at
// (x0, y0) on the canvas; the mask is zero everywhere outside the tile. Warps then cost the
// object's area, not the canvas area.
#pragma once
#include <opencv2/core.hpp>

namespace instaug {

struct MaskTile {
    int x0 = 0;
    int y0 = 0;
    cv::Mat data;  // element type is the mask dtype (opaque bytes for nearest work)

    bool empty() const { return data.empty() || data.rows == 0 || data.cols == 0; }
    int width() const { return data.cols; }
    int height() const { return data.rows; }
    cv::Rect rect() const { return cv::Rect(x0, y0, data.cols, data.rows); }
};

// A caller's full (H, W) mask plane, not yet cut into a tile (strided view, any element size).
struct MaskPlaneView {
    const uint8_t* data = nullptr;
    int width = 0, height = 0;
    std::ptrdiff_t row_stride = 0, col_stride = 0;  // bytes
    int element_bytes = 1;
    int cv_type = CV_8UC1;
};

// True when any byte of the element at `p` is non-zero (masks of any element size).
inline bool element_nonzero(const uint8_t* p, int bytes) {
    for (int b = 0; b < bytes; ++b)
        if (p[b]) return true;
    return false;
}

// Shrinks the tile to the tight bounding box of its non-zero elements (an empty tile when none).
void tighten_tile(MaskTile& tile);

// Tight box of the tile's non-zero elements in canvas pixel edges; false when the tile is empty.
bool tile_tight_box(const MaskTile& tile, double box[4]);

// Counts non-zero elements (any element size).
long long tile_nonzero_count(const MaskTile& tile);

// Writes the tile into a full, packed (height, width) plane of `element_bytes` elements (the tile's
// own element size); the rest of the plane is zeroed unless `plane_is_zero` says it already is.
// Each byte is written once. The tile must lie inside the plane.
void write_tile_to_plane(const MaskTile& tile, uint8_t* plane, int width, int height, size_t element_bytes,
                         bool plane_is_zero);

}  // namespace instaug
