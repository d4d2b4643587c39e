#include "kernels/mask_tile_ops.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <opencv2/imgproc.hpp>
#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

#include "core/parallel_for.hpp"
#include "core/cell_shuffle.hpp"
#include "core/remap_field.hpp"
#include "kernels/image_ops.hpp"
#include "kernels/warp_nearest.hpp"

namespace instaug {
namespace {

// True when any byte of the run is non-zero. No early exit: most mask rows are all zero, and the
// scan is bound by memory, so a plain OR over 16-byte loads is all the work there is.
bool any_nonzero_byte(const uint8_t* p, int n) {
    int i = 0;
#if defined(__SSE2__)
    __m128i a = _mm_setzero_si128(), b = _mm_setzero_si128();
    for (; i + 32 <= n; i += 32) {
        a = _mm_or_si128(a, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
        b = _mm_or_si128(b, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 16)));
    }
    a = _mm_or_si128(a, b);
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_setzero_si128())) != 0xFFFF) return true;
#endif
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        std::memcpy(&word, p + i, 8);
        acc |= word;
    }
    for (; i < n; ++i) acc |= p[i];
    return acc != 0;
}

// First / last non-zero byte of a run known to hold one, a machine word at a time.
int first_nonzero_byte(const uint8_t* p, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        std::memcpy(&word, p + i, 8);
        if (word) break;
    }
    for (; i < n; ++i)
        if (p[i]) return i;
    return -1;
}

int last_nonzero_byte(const uint8_t* p, int n) {
    int i = n;
    for (; i >= 8; i -= 8) {
        uint64_t word;
        std::memcpy(&word, p + i - 8, 8);
        if (word) break;
    }
    for (--i; i >= 0; --i)
        if (p[i]) return i;
    return -1;
}

// Element range [first, last] of the non-zero elements of a packed row; false when all zero.
bool row_extent(const uint8_t* row, int width, int element_bytes, int& first, int& last) {
    const int n = width * element_bytes;
    if (!any_nonzero_byte(row, n)) return false;
    first = first_nonzero_byte(row, n) / element_bytes;
    last = last_nonzero_byte(row, n) / element_bytes;
    return true;
}

// Asks for the cache lines of a row some rows ahead: a region narrower than the plane is a set of
// short runs, which the hardware prefetcher alone follows at about half the memory bandwidth.
inline void prefetch_run(const uint8_t* p, int n) {
#if defined(__SSE2__)
    for (int i = 0; i < n; i += 64) _mm_prefetch(reinterpret_cast<const char*>(p + i), _MM_HINT_T0);
    if (n > 0) _mm_prefetch(reinterpret_cast<const char*>(p + n - 1), _MM_HINT_T0);
#else
    (void)p;
    (void)n;
#endif
}

// Tight element range [first, last] of non-zero elements in every row; false when all zero.
bool nonzero_extent(const cv::Mat& m, int& x_first, int& y_first, int& x_last, int& y_last) {
    const int bytes = static_cast<int>(m.elemSize());
    x_first = m.cols; x_last = -1; y_first = m.rows; y_last = -1;
    for (int y = 0; y < m.rows; ++y) {
        int first, last;
        if (!row_extent(m.ptr<uint8_t>(y), m.cols, bytes, first, last)) continue;
        x_first = std::min(x_first, first);
        x_last = std::max(x_last, last);
        y_first = std::min(y_first, y);
        y_last = y;
    }
    return x_last >= 0;
}

// Destination rectangle that can receive the tile: its mapped corners, one pixel of slack, clipped
// to the output canvas. Falls back to the whole canvas when a corner crosses the horizon.
cv::Rect destination_rect(const MaskTile& tile, const GeometricStep& step) {
    const cv::Matx33d e = step.edge_matrix();
    const double xs[2] = {static_cast<double>(tile.x0), static_cast<double>(tile.x0 + tile.width())};
    const double ys[2] = {static_cast<double>(tile.y0), static_cast<double>(tile.y0 + tile.height())};
    double x_min = 1e300, y_min = 1e300, x_max = -1e300, y_max = -1e300;
    const cv::Rect canvas(0, 0, step.out_width, step.out_height);
    for (double x : xs)
        for (double y : ys) {
            const double w = e(2, 0) * x + e(2, 1) * y + e(2, 2);
            if (w <= 1e-12) return canvas;
            const cv::Point2d p = map_point(e, x, y);
            x_min = std::min(x_min, p.x); x_max = std::max(x_max, p.x);
            y_min = std::min(y_min, p.y); y_max = std::max(y_max, p.y);
        }
    const double lo_x = std::max(std::floor(x_min) - 1.0, -1.0), lo_y = std::max(std::floor(y_min) - 1.0, -1.0);
    const double hi_x = std::min(std::ceil(x_max) + 1.0, step.out_width + 1.0);
    const double hi_y = std::min(std::ceil(y_max) + 1.0, step.out_height + 1.0);
    if (hi_x <= lo_x || hi_y <= lo_y) return cv::Rect();
    cv::Rect r(static_cast<int>(lo_x), static_cast<int>(lo_y), static_cast<int>(hi_x - lo_x),
               static_cast<int>(hi_y - lo_y));
    return r & canvas;
}

// The destination-to-source index map used by the nearest kernels: floor() of it is the source
// pixel whose centre is nearest to the exact inverse of the destination centre. For resizes this is
// OpenCV's INTER_NEAREST_EXACT rule (centre-aligned), not INTER_NEAREST's floor(u / scale), which
// shifts masks by up to half a source pixel against boxes and linearly resized images.
cv::Matx33d nearest_index_map(const GeometricStep& step) {
    const cv::Matx33d half(1, 0, 0.5, 0, 1, 0.5, 0, 0, 1);
    return half * step.matrix.inv();
}

MaskTile resample_tile(const MaskTile& tile, const GeometricStep& step) {
    const cv::Rect rect = destination_rect(tile, step);
    if (rect.empty()) return {};
    MaskTile out;
    out.x0 = rect.x;
    out.y0 = rect.y;
    out.data = cv::Mat::zeros(rect.height, rect.width, tile.data.type());
    const int interpolation = step.tile_interpolation >= 0 ? step.tile_interpolation : step.pixels.mask_interpolation;
    if (interpolation == kNearest) {
        const PlainView src{const_cast<uint8_t*>(tile.data.ptr<uint8_t>()), tile.width(), tile.height(),
                            static_cast<std::ptrdiff_t>(tile.data.step[0]), static_cast<int>(tile.data.elemSize())};
        PlainView dst{out.data.ptr<uint8_t>(), rect.width, rect.height, static_cast<std::ptrdiff_t>(out.data.step[0]),
                      static_cast<int>(out.data.elemSize())};
        static const uint8_t zeros[64] = {0};
        warp_nearest(src, tile.x0, tile.y0, dst, rect.x, rect.y, nearest_index_map(step),
                     step.perspective, zeros);
    } else {
        // Smooth mask interpolation through OpenCV in the tile's local frame. Masks have one
        // channel: eight byte channels are a 64-bit integer mask, whose bytes cannot be blended.
        if (tile.data.type() == CV_8UC(8))
            throw std::invalid_argument("masks of a 64-bit integer dtype support only nearest mask interpolation");
        const cv::Matx33d local = cv::Matx33d(1, 0, -rect.x, 0, 1, -rect.y, 0, 0, 1) * step.matrix *
                                  cv::Matx33d(1, 0, tile.x0, 0, 1, tile.y0, 0, 0, 1);
        const int depth = tile.data.depth();
        const bool native = depth == CV_8U || depth == CV_16U || depth == CV_16S || depth == CV_32F;
        cv::Mat src = tile.data;
        if (!native) tile.data.convertTo(src, CV_32F);
        cv::Mat warped;
        if (step.perspective)
            cv::warpPerspective(src, warped, cv::Mat(local), rect.size(), interpolation, cv::BORDER_CONSTANT,
                                cv::Scalar::all(0));
        else
            cv::warpAffine(src, warped, cv::Mat(local).rowRange(0, 2), rect.size(), interpolation,
                           cv::BORDER_CONSTANT, cv::Scalar::all(0));
        if (!native) warped.convertTo(out.data, tile.data.type());
        else out.data = warped;
    }
    tighten_tile(out);
    return out;
}

}  // namespace

void tighten_tile(MaskTile& tile) {
    if (tile.empty()) { tile = MaskTile{}; return; }
    int x_first, y_first, x_last, y_last;
    if (!nonzero_extent(tile.data, x_first, y_first, x_last, y_last)) { tile = MaskTile{}; return; }
    if (x_first == 0 && y_first == 0 && x_last == tile.width() - 1 && y_last == tile.height() - 1) return;
    tile.data = tile.data(cv::Rect(x_first, y_first, x_last - x_first + 1, y_last - y_first + 1));
    tile.x0 += x_first;
    tile.y0 += y_first;
}

bool tile_tight_box(const MaskTile& tile, double box[4]) {
    if (tile.empty()) return false;
    int x_first, y_first, x_last, y_last;
    if (!nonzero_extent(tile.data, x_first, y_first, x_last, y_last)) return false;
    box[0] = tile.x0 + x_first;
    box[1] = tile.y0 + y_first;
    box[2] = tile.x0 + x_last + 1;
    box[3] = tile.y0 + y_last + 1;
    return true;
}

long long tile_nonzero_count(const MaskTile& tile) {
    if (tile.empty()) return 0;
    const int bytes = static_cast<int>(tile.data.elemSize());
    if (bytes == 1) return cv::countNonZero(tile.data);  // vectorised in OpenCV
    long long count = 0;
    for (int y = 0; y < tile.height(); ++y) {
        const uint8_t* row = tile.data.ptr<uint8_t>(y);
        for (int x = 0; x < tile.width(); ++x) count += element_nonzero(row + x * bytes, bytes);
    }
    return count;
}

void write_tile_to_plane(const MaskTile& tile, uint8_t* plane, int width, int height, size_t element_bytes,
                         bool plane_is_zero) {
    const size_t elem = element_bytes;
    const size_t row_bytes = static_cast<size_t>(width) * elem;
    // Checked in every build: a tile outside its plane would write past the caller's buffer.
    if (!tile.empty() && (tile.data.elemSize() != elem || tile.x0 < 0 || tile.y0 < 0 ||
                          tile.x0 + tile.width() > width || tile.y0 + tile.height() > height))
        throw std::logic_error("mask tile does not fit its output plane");
    if (tile.empty()) {
        if (!plane_is_zero) std::memset(plane, 0, row_bytes * height);
        return;
    }
    const size_t inside = static_cast<size_t>(tile.width()) * elem;
    // Zero runs between tile rows are contiguous in the plane (a row's right margin, then the next
    // row's left one): one memset each, not two per row.
    uint8_t* zero_from = plane;
    for (int ty = 0; ty < tile.height(); ++ty) {
        uint8_t* dst = plane + (tile.y0 + ty) * row_bytes + static_cast<size_t>(tile.x0) * elem;
        if (!plane_is_zero) std::memset(zero_from, 0, static_cast<size_t>(dst - zero_from));
        std::memcpy(dst, tile.data.ptr<uint8_t>(ty), inside);
        zero_from = dst + inside;
    }
    if (!plane_is_zero) std::memset(zero_from, 0, static_cast<size_t>(plane + row_bytes * height - zero_from));
}

MaskTile transform_tile(const MaskTile& tile, const GeometricStep& step) {
    if (tile.empty()) return {};
    MaskTile out;
    switch (step.kind) {
        case StepKind::HorizontalFlip:
            out.x0 = step.in_width - tile.x0 - tile.width();
            out.y0 = tile.y0;
            cv::flip(tile.data, out.data, 1);
            return out;
        case StepKind::VerticalFlip:
            out.x0 = tile.x0;
            out.y0 = step.in_height - tile.y0 - tile.height();
            cv::flip(tile.data, out.data, 0);
            return out;
        case StepKind::Transpose:
            out.x0 = tile.y0;
            out.y0 = tile.x0;
            out.data = transposed(tile.data);
            return out;
        case StepKind::Crop: {
            const cv::Rect window(step.offset_x, step.offset_y, step.out_width, step.out_height);
            const cv::Rect kept = tile.rect() & window;
            if (kept.empty()) return {};
            out.x0 = kept.x - step.offset_x;
            out.y0 = kept.y - step.offset_y;
            out.data = tile.data(cv::Rect(kept.x - tile.x0, kept.y - tile.y0, kept.width, kept.height));
            tighten_tile(out);
            return out;
        }
        case StepKind::Pad:
            out = tile;
            out.x0 += step.offset_x;
            out.y0 += step.offset_y;
            return out;
        case StepKind::Resize:
            return resample_tile(tile, step);
        case StepKind::Warp: {
            int dx, dy;
            if (!step.integer_shift(dx, dy)) return resample_tile(tile, step);
            // Whole-pixel moves: the tile moves, cut to the canvas.
            const cv::Rect moved(tile.x0 + dx, tile.y0 + dy, tile.width(), tile.height());
            const cv::Rect kept = moved & cv::Rect(0, 0, step.out_width, step.out_height);
            if (kept.empty()) return {};
            out.x0 = kept.x;
            out.y0 = kept.y;
            out.data = tile.data(cv::Rect(kept.x - moved.x, kept.y - moved.y, kept.width, kept.height));
            if (kept != moved) tighten_tile(out);
            return out;
        }
        case StepKind::Remap:
            return remap_tile(tile, *step.field);
        case StepKind::Shuffle:
            return shuffle_tile(tile, *step.cells);
    }
    return out;
}

MaskTile tile_inside(const MaskTile& tile, cv::Rect region) {
    if (tile.empty() || region.empty()) return tile;
    const cv::Rect kept = tile.rect() & region;
    if (kept.empty()) return {};
    if (kept == tile.rect()) return tile;
    MaskTile out;
    out.x0 = kept.x;
    out.y0 = kept.y;
    out.data = tile.data(cv::Rect(kept.x - tile.x0, kept.y - tile.y0, kept.width, kept.height));
    tighten_tile(out);
    return out;
}

cv::Rect box_pixels(const std::array<double, 4>& box) {
    constexpr double kSnap = 1e-4;
    const int x0 = static_cast<int>(std::floor(box[0] + kSnap)), y0 = static_cast<int>(std::floor(box[1] + kSnap));
    const int x1 = static_cast<int>(std::ceil(box[2] - kSnap)), y1 = static_cast<int>(std::ceil(box[3] - kSnap));
    return cv::Rect(x0, y0, std::max(x1 - x0, 0), std::max(y1 - y0, 0));
}

void resolve_masks(Sample& sample, cv::Rect region, const std::vector<uint8_t>* needed) {
    if (sample.unresolved_masks.empty()) return;
    InstanceTable& rows = sample.rows;
    const int n = static_cast<int>(sample.unresolved_masks.size());
    parallel_for_each_row(n, 64, [&](int i) {
        if (needed && !(*needed)[i])
            rows.masks[i] = MaskTile{};
        else if (sample.unresolved_masks[i].data == nullptr)
            rows.masks[i] = tile_inside(rows.masks[i], region);  // came as a tile (polygons, RLE)
        else
            rows.masks[i] = tile_from_plane(sample.unresolved_masks[i], region);
    });
    // Only a read of the whole plane tells a blank input mask. Mosaic reads a part (what its cells
    // show): a row empty there is judged as a neighbour's row is, by the mask it shows.
    const bool whole = region.empty() || region == cv::Rect(0, 0, sample.unresolved_masks[0].width,
                                                            sample.unresolved_masks[0].height);
    for (int i = 0; whole && i < n; ++i)
        if (rows.masks[i].empty()) sample.blank_mask_sources.push_back(rows.source_ids[i]);
    sample.unresolved_masks.clear();
}

MaskTile tile_from_plane(const MaskPlaneView& plane, cv::Rect region) {
    const cv::Rect whole(0, 0, plane.width, plane.height);
    region = region.empty() ? whole : (region & whole);
    MaskTile tile;
    if (region.empty()) return tile;
    const int element_bytes = plane.element_bytes, cv_type = plane.cv_type;
    const std::ptrdiff_t row_stride = plane.row_stride, col_stride = plane.col_stride;
    const uint8_t* data = plane.data + region.y * row_stride + region.x * col_stride;
    const int width = region.width, height = region.height;
    const bool packed = col_stride == element_bytes;
    int x_first = width, x_last = -1, y_first = height, y_last = -1;
    constexpr int kPrefetchRows = 8;
    for (int y = 0; y < height; ++y) {
        const uint8_t* row = data + y * row_stride;
        int first = -1, last = -1;
        if (packed) {
            if (y + kPrefetchRows < height) prefetch_run(row + kPrefetchRows * row_stride, width * element_bytes);
            if (!row_extent(row, width, element_bytes, first, last)) continue;
        } else {
            for (int x = 0; x < width; ++x)
                if (element_nonzero(row + x * col_stride, element_bytes)) { first = x; break; }
            if (first < 0) continue;
            for (int x = width - 1; x >= first; --x)
                if (element_nonzero(row + x * col_stride, element_bytes)) { last = x; break; }
        }
        x_first = std::min(x_first, first);
        x_last = std::max(x_last, last);
        y_first = std::min(y_first, y);
        y_last = y;
    }
    if (x_last < 0) return tile;
    tile.x0 = region.x + x_first;
    tile.y0 = region.y + y_first;
    const int w = x_last - x_first + 1, h = y_last - y_first + 1;
    tile.data.create(h, w, cv_type);
    for (int y = 0; y < h; ++y) {
        const uint8_t* src = data + (y + y_first) * row_stride + x_first * col_stride;
        uint8_t* dst = tile.data.ptr<uint8_t>(y);
        if (packed) {
            std::memcpy(dst, src, static_cast<std::size_t>(w) * element_bytes);
        } else {
            for (int x = 0; x < w; ++x) std::memcpy(dst + x * element_bytes, src + x * col_stride, element_bytes);
        }
    }
    return tile;
}

}  // namespace instaug
