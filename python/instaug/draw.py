"""Pictures of a sample for a person to look at: masks tinted and outlined, boxes with their labels,
keypoints and skeletons, each instance in its own colour. Every function returns a new (H, W, 3)
uint8 RGB array and leaves its inputs alone.

Pillow draws the lines and text (`pip install pillow`, or the "demo" extra); it is imported only
when a picture is drawn, so `import instaug` does not need it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from instaug import _core
from instaug._encoded_masks import encoded_mask, rle_to_mask
from instaug.formats import _KEYPOINT_COLUMNS, BBOX_FORMATS, KEYPOINT_FORMATS, bboxes_to_absolute

__all__ = ["PALETTE", "draw", "draw_instances", "grid"]

Color = tuple[int, int, int]

# Sasha Trubetskoy's distinct colours without the pale ones, which vanish when blended.
PALETTE: tuple[Color, ...] = (
    (230, 25, 75),
    (60, 180, 75),
    (255, 225, 25),
    (0, 130, 200),
    (245, 130, 48),
    (145, 30, 180),
    (70, 240, 240),
    (240, 50, 230),
    (210, 245, 60),
    (250, 190, 212),
    (0, 128, 128),
    (170, 110, 40),
    (128, 0, 0),
    (170, 255, 195),
    (128, 128, 0),
    (0, 0, 128),
)
# Free keypoints belong to no row, so they take no row colour.
FREE_KEYPOINT_COLOR: Color = (255, 255, 255)
RIM: Color = (0, 0, 0)


@dataclass
class _Row:
    """One object as it is drawn: pixels, x1 y1 x2 y2 box, (K, 2) x y keypoints."""

    color: Color
    mask: np.ndarray | None = None
    box: np.ndarray | None = None
    label: str | None = None
    keypoints: np.ndarray | None = None


@dataclass
class _Style:
    alpha: float
    thickness: int
    skeleton: list[tuple[int, int]]


# --- public ---------------------------------------------------------------------------------------


def draw_instances(
    image: np.ndarray,
    instances: Sequence[Mapping[str, Any]],
    *,
    bbox_format: str = "pascal_voc",
    keypoint_format: str = "xy",
    label_key: str | None = None,
    skeleton: Sequence[tuple[int, int]] | None = None,
    alpha: float = 0.45,
    thickness: int | None = None,
    colors: Sequence[Sequence[int]] | None = None,
) -> np.ndarray:
    """The image with each instance dict (a Compose's `out["instances"]`) drawn in its own colour:
    "mask" ((H, W) array or COCO RLE dict), "bbox" in `bbox_format`, "keypoints" in
    `keypoint_format` joined by `skeleton` pairs, and the `label_key` field of "bbox_labels" (its
    first field if None) on a tab over the box. `thickness` None scales with the image."""
    canvas = _as_rgb(image, "image")
    height, width = canvas.shape[:2]
    _check_formats(bbox_format, keypoint_format)
    palette = _palette(colors)
    rows = [
        _instance_row(inst, i, palette, height, width, bbox_format, keypoint_format, label_key)
        for i, inst in enumerate(instances)
    ]
    style = _style(alpha, thickness, skeleton, height, width)
    for i, row in enumerate(rows):
        _check_skeleton(style.skeleton, row.keypoints, f"instances[{i}]['keypoints']")
    return _paint(canvas, rows, None, style)


def draw(
    image: np.ndarray,
    *,
    masks: Sequence[Any] | np.ndarray | None = None,
    bboxes: np.ndarray | Sequence[Sequence[float]] | None = None,
    labels: Sequence[Any] | None = None,
    keypoints: np.ndarray | Sequence[Sequence[float]] | None = None,
    index_map: np.ndarray | None = None,
    bbox_format: str = "pascal_voc",
    keypoint_format: str = "xy",
    skeleton: Sequence[tuple[int, int]] | None = None,
    alpha: float = 0.45,
    thickness: int | None = None,
    colors: Sequence[Sequence[int]] | None = None,
) -> np.ndarray:
    """The image with the outputs of a plain call drawn: `masks` (a list or (N, H, W) stack of
    planes), `bboxes` (N, >=4) with `labels` (one per box), free `keypoints` (M, >=2) joined by
    `skeleton`, or an `index_map` (row + 1 per pixel, at full or 1/k resolution). Mask i and box i
    share colour i, as they are row i of an instance-bound output."""
    canvas = _as_rgb(image, "image")
    height, width = canvas.shape[:2]
    _check_formats(bbox_format, keypoint_format)
    palette = _palette(colors)
    if masks is not None and index_map is not None:
        raise ValueError("masks and index_map both given: draw one of them")
    planes = (
        _mask_planes(masks, height, width) if index_map is None else _index_planes(index_map, height, width)
    )
    boxes = _boxes(bboxes, bbox_format, height, width)
    texts = _labels(labels, len(boxes) if bboxes is not None else len(planes))
    count = max(len(planes), len(boxes), len(texts))
    rows = [
        _Row(
            color=palette[i % len(palette)],
            mask=planes[i] if i < len(planes) else None,
            box=boxes[i] if i < len(boxes) else None,
            label=texts[i] if i < len(texts) else None,
        )
        for i in range(count)
    ]
    points = None if keypoints is None else _keypoints(keypoints, keypoint_format, "keypoints")
    style = _style(alpha, thickness, skeleton, height, width)
    _check_skeleton(style.skeleton, points, "keypoints")
    return _paint(canvas, rows, points, style)


def grid(images: Sequence[np.ndarray], columns: int | None = None, pad: int = 4) -> np.ndarray:
    """The images tiled row by row on white, `pad` pixels apart and around; each is centred in its
    cell (cells are as wide as their column's widest picture, as tall as their row's tallest)."""
    pictures = [_as_rgb(image, f"images[{i}]") for i, image in enumerate(images)]
    if not pictures:
        raise ValueError("images is empty: grid needs at least one picture")
    if columns is None:
        columns = math.ceil(math.sqrt(len(pictures)))
    if not isinstance(columns, (int, np.integer)) or columns < 1:
        raise ValueError(f"columns must be a positive integer or None, got {columns!r}")
    if not isinstance(pad, (int, np.integer)) or pad < 0:
        raise ValueError(f"pad must be a non-negative integer, got {pad!r}")
    columns = min(int(columns), len(pictures))
    cells = [pictures[i : i + columns] for i in range(0, len(pictures), columns)]
    widths = [max(row[c].shape[1] for row in cells if c < len(row)) for c in range(columns)]
    heights = [max(p.shape[0] for p in row) for row in cells]
    out = np.full(
        (sum(heights) + pad * (len(heights) + 1), sum(widths) + pad * (columns + 1), 3), 255, np.uint8
    )
    top = pad
    for r, row in enumerate(cells):
        left = pad
        for c, picture in enumerate(row):
            h, w = picture.shape[:2]
            y, x = top + (heights[r] - h) // 2, left + (widths[c] - w) // 2
            out[y : y + h, x : x + w] = picture
            left += widths[c] + pad
        top += heights[r] + pad
    return out


# --- inputs ---------------------------------------------------------------------------------------


def _as_rgb(image: Any, name: str) -> np.ndarray:
    """A fresh uint8 (H, W, 3) copy of a grey, RGB or RGBA image of any dtype."""
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[2] not in (1, 3, 4) and a.shape[0] in (1, 3, 4):
        raise ValueError(
            f"{name} has shape {a.shape}: planar (C, H, W) images are not drawn, "
            "pass np.moveaxis(image, 0, -1)"
        )
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)) or a.size == 0:
        raise ValueError(
            f"{name} must be a non-empty (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) array, got {a.shape}"
        )
    if a.ndim == 3:
        a = a[..., :3]  # alpha is not shown
    if a.dtype != np.uint8:
        a = _to_uint8(a)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    return np.array(a, dtype=np.uint8, copy=True, order="C")


def _to_uint8(a: np.ndarray) -> np.ndarray:
    """Display levels: a float image in [0, 1] (ToFloat) times 255, anything else (Normalize's
    output, uint16) stretched from its min-max to 0..255."""
    if a.dtype == bool:
        return a.astype(np.uint8) * 255
    values = a.astype(np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(a.shape, np.uint8)
    low, high = float(values[finite].min()), float(values[finite].max())
    values = np.where(finite, values, low)
    if a.dtype.kind == "f" and low >= 0.0 and high <= 1.0:
        scaled = values * 255.0
    else:
        scaled = (values - low) * (255.0 / (high - low) if high > low else 0.0)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _check_formats(bbox_format: str, keypoint_format: str) -> None:
    if bbox_format not in BBOX_FORMATS:
        raise ValueError(f"bbox_format must be one of {BBOX_FORMATS}, got {bbox_format!r}")
    if keypoint_format not in KEYPOINT_FORMATS:
        raise ValueError(f"keypoint_format must be one of {KEYPOINT_FORMATS}, got {keypoint_format!r}")


def _palette(colors: Sequence[Sequence[int]] | None) -> list[Color]:
    if colors is None:
        return list(PALETTE)
    table = np.asarray(colors)
    if table.ndim == 1:  # one colour for every instance
        table = table[None]
    if table.ndim != 2 or table.shape[0] == 0 or table.shape[1] != 3 or table.dtype.kind not in "iuf":
        raise ValueError(f"colors must be RGB triples, (N, 3) values in 0..255, got shape {table.shape}")
    if table.min() < 0 or table.max() > 255:
        raise ValueError("colors must hold values in 0..255")
    return [(int(r), int(g), int(b)) for r, g, b in np.rint(table)]


def _style(
    alpha: float, thickness: int | None, skeleton: Sequence[tuple[int, int]] | None, height: int, width: int
) -> _Style:
    if not 0.0 <= float(alpha) <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha!r}")
    if thickness is None:
        # One pixel up to ~450 px, so small pictures keep their detail; thicker on large ones.
        thickness = max(1, round(max(height, width) / 300))
    if not isinstance(thickness, (int, np.integer)) or thickness < 1:
        raise ValueError(f"thickness must be a positive integer or None, got {thickness!r}")
    pairs = np.asarray([] if skeleton is None else skeleton)
    if pairs.size and (
        pairs.ndim != 2 or pairs.shape[1] != 2 or pairs.dtype.kind not in "iu" or pairs.min() < 0
    ):
        raise ValueError("skeleton must be a list of (i, j) pairs of non-negative keypoint indices")
    return _Style(float(alpha), int(thickness), [(int(i), int(j)) for i, j in pairs.reshape(-1, 2)])


def _check_skeleton(skeleton: list[tuple[int, int]], points: np.ndarray | None, where: str) -> None:
    if skeleton and points is not None and len(points):
        top = max(max(pair) for pair in skeleton)
        if top >= len(points):
            raise ValueError(f"skeleton joins keypoint {top} but {where} has {len(points)} keypoints")


def _plane(value: Any, height: int, width: int, where: str) -> np.ndarray:
    """A boolean (H, W) plane of an array, a COCO RLE dict or COCO polygons; a plane at 1/k
    resolution (mask_output_ratio) is brought to the image by nearest neighbour."""
    if isinstance(value, dict):
        plane = rle_to_mask(value)
    elif isinstance(value, (list, tuple)):
        plane = _polygon_plane(value, height, width, where)
    else:
        plane = np.asarray(value)
    if plane.ndim == 3 and plane.shape[2] == 1:
        plane = plane[..., 0]
    if plane.ndim != 2:
        raise ValueError(f"{where} must be an (H, W) mask, got shape {plane.shape}")
    return _upscale(plane != 0, height, width, where)


def _upscale(plane: np.ndarray, height: int, width: int, where: str) -> np.ndarray:
    h, w = plane.shape
    if (h, w) == (height, width):
        return plane
    if not (0 < h <= height and 0 < w <= width and _one_ratio(height, h) & _one_ratio(width, w)):
        raise ValueError(
            f"{where} has shape {(h, w)}, which is neither the image's {(height, width)} "
            "nor (H // k, W // k) for one k"
        )
    return plane[(np.arange(height) * h) // height][:, (np.arange(width) * w) // width]


def _one_ratio(full: int, small: int) -> set[int]:
    """The ratios k with full // k == small."""
    return set(range(full // (small + 1) + 1, full // small + 1))


def _polygon_plane(polygons: Sequence[Any], height: int, width: int, where: str) -> np.ndarray:
    """COCO polygons (pixels) filled by the core, with the rule the pipeline rasterises them by."""
    return _core.mask_of_encoded(encoded_mask(polygons, where, height, width, "coco"), height, width, where)


def _mask_planes(masks: Any, height: int, width: int) -> list[np.ndarray]:
    if masks is None:
        return []
    if isinstance(masks, np.ndarray) and masks.ndim != 3:
        raise ValueError(f"masks must be a list or an (N, H, W) stack of planes, got shape {masks.shape}")
    return [_plane(m, height, width, f"masks[{i}]") for i, m in enumerate(masks)]


def _index_planes(index_map: Any, height: int, width: int) -> list[np.ndarray]:
    indices = np.asarray(index_map)
    if indices.ndim != 2 or indices.dtype.kind not in "iu":
        raise ValueError(f"index_map must be an (H, W) integer array, got {indices.dtype} {indices.shape}")
    indices = _upscale(indices, height, width, "index_map")
    return [indices == v for v in range(1, int(indices.max(initial=0)) + 1)]


def _boxes(bboxes: Any, bbox_format: str, height: int, width: int) -> np.ndarray:
    if bboxes is None:
        return np.zeros((0, 4))
    boxes = np.asarray(bboxes, dtype=np.float64)
    if boxes.size == 0:
        return np.zeros((0, 4))
    if boxes.ndim != 2 or boxes.shape[1] < 4:
        raise ValueError(f"bboxes must be (N, >=4), got shape {boxes.shape}")
    return bboxes_to_absolute(boxes[:, :4], bbox_format, height, width)


def _labels(labels: Sequence[Any] | None, count: int) -> list[str]:
    if labels is None:
        return []
    texts = [str(v) for v in labels]
    if len(texts) != count:
        raise ValueError(f"labels has {len(texts)} values for {count} boxes (or masks, without boxes)")
    return texts


def _keypoints(value: Any, keypoint_format: str, where: str) -> np.ndarray:
    """(K, 2) x, y of keypoints in `keypoint_format`."""
    points = np.asarray(value, dtype=np.float64)
    if points.size == 0:
        return np.zeros((0, 2))
    if points.ndim != 2 or points.shape[1] < 2:
        raise ValueError(f"{where} must be (K, >=2) in {keypoint_format!r}, got shape {points.shape}")
    x_column, y_column = _KEYPOINT_COLUMNS[keypoint_format][:2]
    return points[:, [x_column, y_column]]


def _instance_row(
    inst: Mapping[str, Any],
    i: int,
    palette: list[Color],
    height: int,
    width: int,
    bbox_format: str,
    keypoint_format: str,
    label_key: str | None,
) -> _Row:
    where = f"instances[{i}]"
    if not isinstance(inst, Mapping):
        raise ValueError(f"{where} must be a dict, got {type(inst).__name__}")
    row = _Row(color=palette[i % len(palette)])
    if inst.get("mask") is not None:
        row.mask = _plane(inst["mask"], height, width, f"{where}['mask']")
    if inst.get("bbox") is not None:
        box = np.asarray(inst["bbox"], dtype=np.float64).reshape(-1)
        if box.size < 4:
            raise ValueError(f"{where}['bbox'] must hold 4 coordinates in {bbox_format!r}, got {box.size}")
        row.box = bboxes_to_absolute(box[None, :4], bbox_format, height, width)[0]
    if inst.get("keypoints") is not None:
        row.keypoints = _keypoints(inst["keypoints"], keypoint_format, f"{where}['keypoints']")
    row.label = _instance_label(inst.get("bbox_labels"), label_key, where)
    return row


def _instance_label(fields: Any, label_key: str | None, where: str) -> str | None:
    if not fields:
        return None
    if not isinstance(fields, Mapping):
        raise ValueError(
            f"{where}['bbox_labels'] must be a dict of label fields, got {type(fields).__name__}"
        )
    if label_key is None:
        return str(next(iter(fields.values())))
    if label_key not in fields:
        raise ValueError(
            f"label_key {label_key!r} is not a field of {where}['bbox_labels'] ({sorted(fields)})"
        )
    return str(fields[label_key])


# --- painting -------------------------------------------------------------------------------------


def _paint(canvas: np.ndarray, rows: list[_Row], free_points: np.ndarray | None, style: _Style) -> np.ndarray:
    _blend_masks(canvas, rows, style)
    image_module, draw_module, _ = _pil()
    picture = image_module.fromarray(canvas)
    pen = draw_module.Draw(picture)
    for row in rows:
        if row.box is not None:
            _draw_box(pen, row.box, row.color, style.thickness)
    for row in rows:
        if row.keypoints is not None:
            _draw_keypoints(pen, row.keypoints, row.color, style, canvas.shape[:2])
    if free_points is not None:
        _draw_keypoints(pen, free_points, FREE_KEYPOINT_COLOR, style, canvas.shape[:2])
    # Labels last, so that no line crosses their text.
    font = _font(max(10, round(min(canvas.shape[:2]) / 40)))
    for row in rows:
        anchor = _label_anchor(row, canvas.shape[:2])
        if row.label and anchor is not None:
            _draw_label(pen, font, row.label, anchor, row.color, canvas.shape[:2])
    return np.array(picture, dtype=np.uint8)


def _blend_masks(canvas: np.ndarray, rows: list[_Row], style: _Style) -> None:
    """Tints every mask first and outlines after, so that an overlapping mask does not dim another's
    outline. Works on each mask's bounding crop: instances are mostly small."""
    crops = [(row, _extent(row.mask)) for row in rows if row.mask is not None]
    crops = [(row, extent) for row, extent in crops if extent is not None]
    for row, (y0, y1, x0, x1) in crops:
        region = canvas[y0:y1, x0:x1]
        inside = row.mask[y0:y1, x0:x1]
        tinted = region[inside] * (1.0 - style.alpha) + np.asarray(row.color, np.float64) * style.alpha
        region[inside] = np.clip(np.rint(tinted), 0, 255).astype(np.uint8)
    for row, (y0, y1, x0, x1) in crops:
        inside = row.mask[y0:y1, x0:x1]
        canvas[y0:y1, x0:x1][inside & ~_eroded(inside, style.thickness)] = row.color


def _extent(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """y0, y1, x0, x1 of the mask's pixels, None if it has none."""
    ys, xs = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    if ys.size == 0:
        return None
    return int(ys[0]), int(ys[-1]) + 1, int(xs[0]), int(xs[-1]) + 1


def _eroded(mask: np.ndarray, steps: int) -> np.ndarray:
    """The mask eroded `steps` times by the 4-neighbourhood; outside the crop counts as background,
    so an object cut by the image edge is outlined along it."""
    inner = mask
    for _ in range(steps):
        p = np.pad(inner, 1)
        inner = p[1:-1, 1:-1] & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    return inner


def _draw_box(pen: Any, box: np.ndarray, color: Color, thickness: int) -> None:
    if not np.isfinite(box).all():
        return
    x1, y1, x2, y2 = (float(v) for v in box)
    # Pascal VOC's x2, y2 are pixel edges: the last pixel inside is x2 - 1.
    pen.rectangle([x1, y1, max(x1, x2 - 1), max(y1, y2 - 1)], outline=color, width=thickness)


def _visible(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    height, width = shape
    x, y = points[:, 0], points[:, 1]
    with np.errstate(invalid="ignore"):
        return np.isfinite(x) & np.isfinite(y) & (x >= 0) & (x < width) & (y >= 0) & (y < height)


def _draw_keypoints(
    pen: Any, points: np.ndarray, color: Color, style: _Style, shape: tuple[int, int]
) -> None:
    visible = _visible(points, shape)
    for i, j in style.skeleton:
        if i < len(points) and j < len(points) and visible[i] and visible[j]:
            pen.line([tuple(points[i]), tuple(points[j])], fill=color, width=style.thickness)
    radius = style.thickness + 1.5
    for x, y in points[visible]:
        # A dark rim keeps a dot seen on a background of its own colour.
        pen.ellipse([x - radius, y - radius, x + radius, y + radius], fill=color, outline=RIM, width=1)


def _label_anchor(row: _Row, shape: tuple[int, int]) -> tuple[float, float] | None:
    """Top-left corner of what the label names: its box, else its mask, else its keypoints."""
    if row.box is not None and np.isfinite(row.box).all():
        return float(row.box[0]), float(row.box[1])
    extent = None if row.mask is None else _extent(row.mask)
    if extent is not None:
        return float(extent[2]), float(extent[0])
    if row.keypoints is not None:
        seen = row.keypoints[_visible(row.keypoints, shape)]
        if len(seen):
            return float(seen[:, 0].min()), float(seen[:, 1].min())
    return None


def _draw_label(
    pen: Any, font: Any, text: str, anchor: tuple[float, float], color: Color, shape: tuple[int, int]
) -> None:
    height, width = shape
    left, top, right, bottom = pen.textbbox((0, 0), text, font=font)
    margin = 2
    tab_w, tab_h = right - left + 2 * margin, bottom - top + 2 * margin
    x = min(max(anchor[0], 0.0), max(width - tab_w, 0))
    # Above the box where there is room, so the tab hides none of the object; else inside it.
    y = anchor[1] - tab_h if anchor[1] - tab_h >= 0 else max(anchor[1], 0.0)
    y = min(y, max(height - tab_h, 0))
    pen.rectangle([x, y, x + tab_w - 1, y + tab_h - 1], fill=color)
    ink = (0, 0, 0) if 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2] > 150 else (255, 255, 255)
    pen.text((x + margin - left, y + margin - top), text, fill=ink, font=font)


# --- Pillow ---------------------------------------------------------------------------------------


def _pil() -> tuple[Any, Any, Any]:
    """PIL's Image, ImageDraw and ImageFont, imported on first use: Pillow is optional."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError as error:
        raise ImportError("instaug.draw needs Pillow: pip install pillow") from error
    return Image, ImageDraw, ImageFont


@functools.lru_cache(maxsize=8)
def _font(size: int) -> Any:
    """Pillow's bundled font at `size` px; its fixed bitmap font where FreeType is missing (or
    Pillow is older than 10.1)."""
    font_module = _pil()[2]
    try:
        return font_module.load_default(size=size)
    except (TypeError, OSError, ImportError, AttributeError):
        return font_module.load_default()
