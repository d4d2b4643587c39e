#include "core/cell_shuffle.hpp"

#include <algorithm>
#include <cmath>

namespace instaug {

GeometricStep make_shuffle_step(int width, int height, std::shared_ptr<const CellMoves> cells) {
    GeometricStep s;
    s.kind = StepKind::Shuffle;
    s.in_width = s.out_width = width;
    s.in_height = s.out_height = height;
    s.cells = std::move(cells);
    return s;
}

cv::Mat shuffle_plane(const cv::Mat& plane, const CellMoves& cells) {
    cv::Mat out(plane.size(), plane.type());
    for (const CellMove& m : cells)
        if (!m.from.empty()) plane(m.from).copyTo(out(cv::Rect(m.to, m.from.size())));
    return out;
}

MaskTile shuffle_tile(const MaskTile& tile, const CellMoves& cells) {
    if (tile.empty()) return tile;
    cv::Rect bounds;
    for (const CellMove& m : cells) {
        const cv::Rect piece = m.from & tile.rect();
        if (piece.empty()) continue;
        const cv::Rect moved(piece.tl() - m.from.tl() + m.to, piece.size());
        bounds = bounds.empty() ? moved : (bounds | moved);
    }
    MaskTile out;
    out.x0 = bounds.x;
    out.y0 = bounds.y;
    out.data = cv::Mat::zeros(bounds.size(), tile.data.type());
    for (const CellMove& m : cells) {
        const cv::Rect piece = m.from & tile.rect();
        if (piece.empty()) continue;
        const cv::Point moved = piece.tl() - m.from.tl() + m.to;
        tile.data(piece - tile.rect().tl()).copyTo(out.data(cv::Rect(moved - bounds.tl(), piece.size())));
    }
    tighten_tile(out);
    return out;
}

std::array<double, 4> shuffle_box(const std::array<double, 4>& box, const CellMoves& cells) {
    double x1 = 1e300, y1 = 1e300, x2 = -1e300, y2 = -1e300;
    for (const CellMove& m : cells) {
        const double left = std::max(box[0], static_cast<double>(m.from.x));
        const double top = std::max(box[1], static_cast<double>(m.from.y));
        const double right = std::min(box[2], static_cast<double>(m.from.br().x));
        const double bottom = std::min(box[3], static_cast<double>(m.from.br().y));
        if (right <= left || bottom <= top) continue;
        const double dx = m.to.x - m.from.x, dy = m.to.y - m.from.y;
        x1 = std::min(x1, left + dx);
        y1 = std::min(y1, top + dy);
        x2 = std::max(x2, right + dx);
        y2 = std::max(y2, bottom + dy);
    }
    if (x2 < x1) return box;
    return {x1, y1, x2, y2};
}

void shuffle_point(const CellMoves& cells, double& x, double& y) {
    const double px = x + 0.5, py = y + 0.5;
    for (const CellMove& m : cells)
        if (m.from.x <= px && px < m.from.br().x && m.from.y <= py && py < m.from.br().y) {
            x += m.to.x - m.from.x;
            y += m.to.y - m.from.y;
            return;
        }
}

}  // namespace instaug
