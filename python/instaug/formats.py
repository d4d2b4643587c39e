"""Box and keypoint formats, converted to and from the core's layouts in NumPy.

Boxes travel as absolute pascal_voc (pixel edges, float64); keypoints as (x, y, z, angle in
radians, scale), the reference's internal layout.
"""

from __future__ import annotations

import numpy as np

BBOX_FORMATS = ("coco", "pascal_voc", "albumentations", "yolo", "cxcywh")
KEYPOINT_FORMATS = ("xy", "yx", "xya", "xys", "xyas", "xysa", "xyz")

# Column of each internal keypoint column (x, y, z, angle, scale) in the user format, None if absent.
_KEYPOINT_COLUMNS = {
    "xy": (0, 1, None, None, None),
    "yx": (1, 0, None, None, None),
    "xya": (0, 1, None, 2, None),
    "xys": (0, 1, None, None, 2),
    "xyas": (0, 1, None, 2, 3),
    "xysa": (0, 1, None, 3, 2),
    "xyz": (0, 1, 2, None, None),
}
_TWO_PI = 2.0 * np.pi


def bboxes_to_absolute(boxes: np.ndarray, coord_format: str, height: int, width: int) -> np.ndarray:
    """(N, 4) boxes in `coord_format` -> absolute x1, y1, x2, y2 (float64)."""
    b = boxes.astype(np.float64, copy=True)
    if coord_format == "coco":
        b[:, 2] += b[:, 0]
        b[:, 3] += b[:, 1]
    elif coord_format == "albumentations":
        b[:, [0, 2]] *= width
        b[:, [1, 3]] *= height
    elif coord_format in ("yolo", "cxcywh"):
        if coord_format == "yolo":
            b[:, [0, 2]] *= width
            b[:, [1, 3]] *= height
        cx, cy, w, h = b[:, 0].copy(), b[:, 1].copy(), b[:, 2].copy(), b[:, 3].copy()
        b[:, 0], b[:, 1], b[:, 2], b[:, 3] = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
    return b


def bboxes_from_absolute(boxes: np.ndarray, coord_format: str, height: int, width: int) -> np.ndarray:
    """Absolute x1, y1, x2, y2 -> (N, 4) float32 boxes in `coord_format`."""
    b = boxes.astype(np.float64, copy=True)
    if coord_format == "coco":
        b[:, 2] -= b[:, 0]
        b[:, 3] -= b[:, 1]
    elif coord_format == "albumentations":
        b[:, [0, 2]] /= width
        b[:, [1, 3]] /= height
    elif coord_format in ("yolo", "cxcywh"):
        x1, y1, x2, y2 = b[:, 0].copy(), b[:, 1].copy(), b[:, 2].copy(), b[:, 3].copy()
        b[:, 0], b[:, 1], b[:, 2], b[:, 3] = (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1
        if coord_format == "yolo":
            b[:, [0, 2]] /= width
            b[:, [1, 3]] /= height
    return b.astype(np.float32)


def keypoints_to_internal(points: np.ndarray, coord_format: str, angle_in_degrees: bool) -> np.ndarray:
    """(M, len(format)) keypoints -> (M, 5) float64 x, y, z, angle (radians in [0, 2pi)), scale."""
    out = np.zeros((points.shape[0], 5), dtype=np.float64)
    for internal, column in enumerate(_KEYPOINT_COLUMNS[coord_format]):
        if column is not None:
            out[:, internal] = points[:, column]
    if angle_in_degrees:
        out[:, 3] = np.radians(out[:, 3])
    out[:, 3] = np.mod(out[:, 3], _TWO_PI)
    return out


def keypoints_from_internal(points: np.ndarray, coord_format: str, angle_in_degrees: bool) -> np.ndarray:
    """(M, 5) internal keypoints -> (M, len(format)) float32 in `coord_format`."""
    angle = np.mod(points[:, 3], _TWO_PI)
    if angle_in_degrees:
        angle = np.degrees(angle)
    columns = _KEYPOINT_COLUMNS[coord_format]
    out = np.empty((points.shape[0], len(coord_format)), dtype=np.float32)
    for internal, column in enumerate(columns):
        if column is not None:
            out[:, column] = angle if internal == 3 else points[:, internal]
    return out
