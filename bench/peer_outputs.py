"""The peers suite's output forms, written once for every library and every environment (NumPy only;
torch tensors are handled by duck typing, OpenCV imported where a function needs it).

Two forms: "stacked" (the image, one (N, H, W) 0/1 mask array, (N, 4) boxes, N classes) and
"index_map" (the image, one (H/4, W/4) map whose value v > 0 is instance v - 1, boxes, classes).
Each library's call returns an `Output` of one form; `consume` reads every byte of it as a collate
function does (inside the timer); `check` then proves that same output sane (outside the timer): a
benchmark that times a broken pipeline is worthless."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

RATIO = 4  # YOLO-seg trains on masks at 1/4 resolution
CLASS_IDS = {"disc": 0, "box": 1}  # the synthetic scenes' class names


@dataclass
class Output:
    """One sample in one output form. `boxes` are pixel xyxy unless `box_format` is "xywhn"
    (Ultralytics' normalised centre boxes); the image is (H, W, C) or, for tensors, (C, H, W)."""

    image: Any
    boxes: Any
    classes: Any
    masks: Any = None
    index_map: Any = None
    box_format: str = "xyxy"


def _batched(x: Any) -> Any:
    """A copy of `x` as a batch of one: what collate does with it (every byte read)."""
    if hasattr(x, "contiguous"):  # a torch tensor
        return x.contiguous().unsqueeze(0).clone()
    return np.stack([np.asarray(x)])


def consume_stacked(out: Output) -> Output:
    return Output(_batched(out.image), _batched(out.boxes), _batched(out.classes), masks=_batched(out.masks))


def consume_index_map(out: Output) -> Output:
    return Output(
        _batched(out.image),
        _batched(out.boxes),
        _batched(out.classes),
        index_map=_batched(out.index_map),
        box_format=out.box_format,
    )


CONSUME = {"stacked": consume_stacked, "index_map": consume_index_map}


def index_map_from_masks(
    masks: list[np.ndarray], shape: tuple[int, int], ratio: int = RATIO
) -> tuple[np.ndarray, np.ndarray]:
    """Ultralytics' polygons2masks_overlap from full-resolution 0/1 masks (for a library that returns
    per-row masks): each mask shrunk to 1/ratio (cv2.resize, INTER_LINEAR), areas there, painted in
    area-descending order so smaller masks lie on top. Returns the map and that order (its value
    k + 1 is instance order[k])."""
    import cv2

    height, width = shape
    dtype = np.int32 if len(masks) > 255 else np.uint8
    small = [cv2.resize(m, (width // ratio, height // ratio), interpolation=cv2.INTER_LINEAR) for m in masks]
    order = np.argsort(-np.array([int(s.sum()) for s in small]), kind="stable")
    index_map = np.zeros((height // ratio, width // ratio), dtype)
    for k, i in enumerate(order):
        np.maximum(index_map, small[i].astype(dtype) * (k + 1), out=index_map)
    return index_map, order


def _numpy(x: Any) -> np.ndarray:
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


def pixel_boxes(out: Output, height: int, width: int) -> np.ndarray:
    boxes = _numpy(out.boxes).reshape(-1, 4).astype(np.float64)
    if out.box_format == "xywhn":
        cx, cy, w, h = boxes.T * [[width], [height], [width], [height]]
        boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return boxes


def _tight_boxes(planes: np.ndarray) -> np.ndarray:
    """(N, 4) xyxy (exclusive ends) of each plane's non-zero pixels; rows of -1 where a plane is empty."""
    out = np.full((len(planes), 4), -1, np.int64)
    for k, plane in enumerate(planes):
        cols, rows = np.flatnonzero(plane.any(0)), np.flatnonzero(plane.any(1))
        if len(cols):
            out[k] = cols[0], rows[0], cols[-1] + 1, rows[-1] + 1
    return out


def check(out: Output, form: str) -> int:
    """Returns how many instances the index map could not show (0 for stacked masks); raises
    ValueError unless the (consumed, batch-of-one) output is sane: a 640 px uint8 image,
    as many boxes as classes as masks (index-map values 0..N), masks binary, every instance non-empty
    (the index map may lose a few, see below) and inside its box (2 px tolerance at full
    resolution; one low-resolution pixel and the rounding of the box to that grid for the index
    map)."""
    image = _numpy(out.image)[0]
    if image.dtype != np.uint8 or sorted(image.shape) != [3, 640, 640]:
        raise ValueError(f"image {image.dtype} {image.shape}, not a 640x640 RGB uint8 image")
    height = width = 640
    boxes = pixel_boxes(Output(None, _numpy(out.boxes)[0], None, box_format=out.box_format), height, width)
    classes = _numpy(out.classes)[0].reshape(-1)
    n = len(boxes)
    if len(classes) != n:
        raise ValueError(f"{n} boxes but {len(classes)} classes")
    if form == "stacked":
        masks = _numpy(out.masks)[0]
        if masks.shape != (n, height, width):
            raise ValueError(f"masks {masks.shape} for {n} boxes")
        if n and (masks.min() < 0 or masks.max() > 1):
            raise ValueError(f"masks not binary: values {np.unique(masks)[:8]}")
        tight, scale, slack = _tight_boxes(masks), 1, np.array([2.0, 2.0, 2.0, 2.0])
        lo, hi = boxes[:, :2], boxes[:, 2:]
    else:
        index_map = _numpy(out.index_map)[0]
        if index_map.shape != (height // RATIO, width // RATIO):
            raise ValueError(f"index map {index_map.shape}, not {(height // RATIO, width // RATIO)}")
        if index_map.max() > n or index_map.min() < 0:
            raise ValueError(f"index map values {index_map.min()}..{index_map.max()} for {n} instances")
        planes = index_map[None] == np.arange(1, n + 1)[:, None, None]
        tight, scale, slack = _tight_boxes(planes), RATIO, np.array([1.0, 1.0, 1.0, 1.0])
        lo, hi = np.floor(boxes[:, :2] / RATIO), np.ceil(boxes[:, 2:] / RATIO)
    empty = tight[:, 0] < 0
    vanished = 0
    if form == "index_map":
        # A small object, or the sliver left of one by a crop or a paste over it, can fall between
        # the 1/4 grid's samples (Ultralytics' own Format loses such objects too), and a box can be
        # far larger than its mask, so no box tells which absences are fair: they are counted, and
        # fail only when a tenth of the objects (two at least) are gone - a broken map.
        vanished = int(empty.sum())
        if vanished < max(2, n / 10):
            empty[:] = False
    empty = np.flatnonzero(empty)
    if len(empty):
        raise ValueError(f"{len(empty)} of {n} instance masks empty (instances {empty[:5].tolist()})")
    shown = tight[:, 0] >= 0
    outside = np.flatnonzero(
        shown & ((tight[:, :2] < lo - slack[:2]).any(1) | (tight[:, 2:] > hi + slack[2:]).any(1))
    )
    if len(outside):
        k = outside[0]
        raise ValueError(
            f"{len(outside)} of {n} masks outside their box: mask {(tight[k] * scale).tolist()} "
            f"box {np.round(boxes[k], 1).tolist()}"
        )
    return vanished


def measure(call: Callable[[int], Output], form: str, calls: int, warmup: int = 5) -> dict[str, Any]:
    """Median ms of `calls` calls (call i gets sample i, cycling over the scenes) with the output
    consumed, after a warm-up; every output, warm-up included, is checked after its timer stops.
    A failed check is kept in "error" (the case then reports it instead of a time) and its call
    left out of the times; the others go on, for a note on what the passing calls cost."""
    consume = CONSUME[form]
    times, instances, vanished, errors = [], [], [], []
    for i in range(-warmup, calls):
        start = time.perf_counter()
        out = consume(call(i + warmup))
        elapsed = time.perf_counter() - start
        try:
            gone = check(out, form)
        except ValueError as exc:
            errors.append(f"call {i + warmup}: {exc}")
            continue
        if i >= 0:  # past the warm-up
            times.append(elapsed)
            vanished.append(gone)
            instances.append(len(_numpy(out.classes)[0].reshape(-1)))
    result = {
        "ms": 1000 * statistics.median(times) if times else None,
        "instances": statistics.mean(instances) if instances else None,
        "vanished": statistics.mean(vanished) if vanished else None,
    }
    if errors:
        result["error"] = f"{len(errors)} of {warmup + calls} outputs failed the checks; first: {errors[0]}"
    return result


Case = tuple[Callable[[], Callable[[int], Output]], str]  # (makes the call, output form)


def run_cases(cases: dict[str, Case], calls: int) -> dict[str, Any]:
    """{case: median ms, or "error: ..."}, {case: mean instances per output}, {case: mean instances
    per output absent from the index map} and, for a case some of whose outputs failed the checks,
    the median of its passing calls. Each case's call is made when its turn comes (its inputs can be
    large) and dropped after."""
    medians: dict[str, Any] = {}
    counts: dict[str, float] = {}
    vanished: dict[str, float] = {}
    passing: dict[str, float] = {}
    for name, (make, form) in cases.items():
        try:
            result = measure(make(), form, calls)
        except Exception as exc:  # a library that cannot run a case says why
            medians[name] = f"error: {type(exc).__name__}: {str(exc)[:160]}"
            continue
        if "error" in result:
            medians[name] = f"error: {result['error'][:200]}"
            if result["ms"] is not None:
                passing[name] = result["ms"]
            continue
        medians[name], counts[name], vanished[name] = result["ms"], result["instances"], result["vanished"]
    return {"median_ms": medians, "instances": counts, "vanished": vanished, "passing_ms": passing}
