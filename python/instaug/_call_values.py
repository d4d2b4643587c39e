"""Values of a call that transforms read by a key they are given: RandomCropNearBBox's box,
GuidedCoarseDropout's region, the domain adaptations' reference images; and the first label of
every row, for the dropouts that pick rows by label. They are checked here and handed to the core
as they are: the caller aligns them with the input, and they come back unchanged."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from instaug._targets import check_image, packed

if TYPE_CHECKING:
    from instaug._metadata import RowRegistry
    from instaug.params import BboxParams

# "box": 4 numbers in pixels; "images": a non-empty list of images; "region": one (H, W) array the
# image's size, non-zero where the transform may act.
CallKind = Literal["box", "images", "region"]


def collect_call_keys(transforms: Iterable[Any]) -> dict[str, CallKind]:
    """The keys the transforms read, each with what it must hold (one meaning per key)."""
    keys: dict[str, CallKind] = {}
    for t in transforms:
        for key, kind in t.call_keys().items():
            if keys.get(key, kind) != kind:
                raise ValueError(
                    f"the call key {key!r} is read by two transforms as different things "
                    f"({keys[key]} and {kind}); give each its own key"
                )
            keys[key] = kind
    return keys


def read_call_values(
    keys: dict[str, CallKind], data: dict[str, Any], height: int, width: int
) -> tuple[dict[str, list[float]], dict[str, list[np.ndarray]]]:
    """The numbers and the images the call holds under `keys`, checked. A missing key is an error
    only when a transform reading it runs (the core says so), as the reference's."""
    numbers: dict[str, list[float]] = {}
    images: dict[str, list[np.ndarray]] = {}
    for key, kind in keys.items():
        if key not in data:
            continue
        value = data[key]
        if kind == "box":
            numbers[key] = _box(value, key)
        elif kind == "images":
            images[key] = _images(value, key)
        else:
            images[key] = [_region(value, key, height, width)]
    return numbers, images


def _box(value: Any, key: str) -> list[float]:
    expected = f"{key} must be 4 numbers (x_min, y_min, x_max, y_max) in pixels"
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"{expected}, got {type(value).__name__}")
    try:
        box = [float(v) for v in np.asarray(value, dtype=object).reshape(-1)]
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{expected}, got {value!r}") from exc
    if len(box) != 4 or not all(math.isfinite(v) for v in box):
        raise ValueError(f"{expected}, got {value!r}")
    return box


def _images(value: Any, key: str) -> list[np.ndarray]:
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"{key} must be a non-empty list of images (numpy arrays), got {value!r:.80}")
    return [check_image(image, f"{key}[{i}]") for i, image in enumerate(value)]


def _region(value: Any, key: str, height: int, width: int) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{key} must be a numpy array (H, W), got {type(value).__name__}")
    if value.shape != (height, width):
        raise ValueError(
            f"{key} must be (H, W) = ({height}, {width}), the image's size; got shape {value.shape}"
        )
    if value.dtype.kind not in "biuf" or not np.isin(value, (0, 1)).all():
        raise ValueError(f"{key} must be binary with values 0 or 1 (or booleans)")
    return packed(np.asarray(value != 0, dtype=np.uint8))


def row_labels_json(registry: RowRegistry, bbox_params: BboxParams | None) -> str:
    """The first label of every row by source id, as JSON: the first of BboxParams.label_fields
    (an instance's bbox_labels entry, or the call's list), or the first extra column of plain
    boxes when there is no label field, as the reference reads column 4 of its boxes."""
    fields = bbox_params.label_fields if bbox_params else []
    field = fields[0] if fields else None
    if field is not None and field in registry.plain_labels:
        labels: list[Any] = list(registry.plain_labels[field])
    elif field is None:
        extras = registry.plain_extras(np.arange(registry.size))
        labels = extras[:, 0].tolist() if extras.shape[1] else [None] * registry.size
    else:
        labels = [(registry.template(i).get("bbox_labels") or {}).get(field) for i in range(registry.size)]
    return json.dumps([_json_label(v) for v in labels])


def _json_label(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
