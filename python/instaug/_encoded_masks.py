"""Instance masks as datasets store them: COCO RLE (compressed or not), COCO polygons and YOLO-seg
normalised polygons. The core turns each straight into the row's tile; no full plane is made."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from instaug import _core

# In the core's order (Pipeline.run's mask_output numbers them).
MASK_OUTPUTS = ("per_row", "stacked", "index_map", "coco_rle")


def check_mask_output(form: str, ratio: int, binding: frozenset[str] | None) -> tuple[str, int]:
    """Compose's mask_output and mask_output_ratio (their types and values are checked by the core's
    schema first): a form other than per-row needs bound instance masks, a ratio a form that shrinks."""
    if form != "per_row" and not (binding and {"mask", "masks"} & binding):
        raise ValueError(
            f"mask_output={form!r} shapes the instance masks: "
            "it needs instance_binding with 'masks' or 'mask'"
        )
    if ratio != 1 and form not in ("stacked", "index_map"):
        raise ValueError(
            f"mask_output_ratio={ratio} needs mask_output 'stacked' or 'index_map', got {form!r}"
        )
    return form, int(ratio)


def is_encoded(mask: Any) -> bool:
    """A COCO RLE dict or a list of polygons (masks given as arrays are planes)."""
    return isinstance(mask, (dict, list, tuple))


def _rle(value: dict[str, Any], where: str, height: int, width: int) -> Any:
    if "size" not in value or "counts" not in value:
        raise ValueError(
            f"{where}: a COCO RLE dict needs 'size' [h, w] and 'counts', got keys {sorted(value)}"
        )
    size = value["size"]
    if not isinstance(size, (list, tuple, np.ndarray)) or len(size) != 2:
        raise ValueError(f"{where}['size'] must be [height, width], got {size!r}")
    rle_height, rle_width = (int(v) for v in size)
    counts = value["counts"]
    if isinstance(counts, str):
        counts = counts.encode("ascii")
    if isinstance(counts, bytes):
        return _core.EncodedMask(rle=counts, rle_height=rle_height, rle_width=rle_width)
    runs = np.asarray(counts)
    if runs.ndim != 1 or (runs.size and runs.dtype.kind not in "iu"):
        raise TypeError(f"{where}['counts'] must be a compressed string or a list of run lengths")
    if runs.size and (runs.min() < 0 or runs.max() > 0xFFFFFFFF):
        raise ValueError(f"{where}['counts'] must be non-negative run lengths below 2**32")
    return _core.EncodedMask(
        counts=np.ascontiguousarray(runs, dtype=np.int64), rle_height=rle_height, rle_width=rle_width
    )


def _polygons(value: Sequence[Any], where: str, height: int, width: int, polygon_format: str) -> Any:
    # A flat list of numbers is one polygon (a YOLO-seg label line); COCO lists polygons.
    flat = len(value) > 0 and not isinstance(value[0], (list, tuple, np.ndarray))
    polygons = []
    for i, polygon in enumerate([value] if flat else value):
        try:
            points = np.asarray(polygon, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{where}[{i}] must be a list of numbers x1, y1, x2, y2, ...") from exc
        if points.ndim == 2 and points.shape[1] == 2:  # (K, 2) vertices
            points = points.reshape(-1)
        if points.ndim != 1:
            raise ValueError(f"{where}[{i}] must be a flat x1, y1, ... list or (K, 2) vertices")
        if polygon_format == "yolo":
            points = points * np.tile([width, height], len(points) // 2 + 1)[: len(points)]
        polygons.append(points.tolist())
    return _core.EncodedMask(polygons=polygons)


def encoded_mask(value: Any, where: str, height: int, width: int, polygon_format: str) -> Any:
    """The core's EncodedMask for a dict (RLE) or list (polygons)."""
    if isinstance(value, dict):
        return _rle(value, where, height, width)
    return _polygons(value, where, height, width, polygon_format)


def rle_dict(counts: bytes, height: int, width: int) -> dict[str, Any]:
    """A row's RLE as pycocotools writes it (and reads it back)."""
    return {"size": [height, width], "counts": counts}


def mask_to_rle(mask: np.ndarray) -> dict[str, Any]:
    """COCO's compressed RLE of a (H, W) mask (non-zero: 1), as pycocotools.mask.encode gives it."""
    if not isinstance(mask, np.ndarray) or mask.ndim != 2:
        raise ValueError(f"mask must be a 2-D array, got {type(mask).__name__} {np.shape(mask)}")
    return rle_dict(_core.rle_from_mask(mask), int(mask.shape[0]), int(mask.shape[1]))


def rle_to_mask(rle: dict[str, Any], where: str = "rle") -> np.ndarray:
    """The (H, W) uint8 0/1 mask of a COCO RLE dict, compressed or run lengths: mask_to_rle's
    inverse, decoded by the core's reader of pycocotools' format (as pycocotools.mask.decode)."""
    if not isinstance(rle, dict):
        kind = type(rle).__name__
        raise ValueError(f"{where} must be a COCO RLE dict {{'size': [h, w], 'counts': ...}}, got {kind}")
    encoded = _rle(rle, where, 0, 0)
    height, width = (int(v) for v in rle["size"])
    return _core.mask_of_encoded(encoded, height, width, where)
