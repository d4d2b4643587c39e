"""The instance binding: per-object dicts in, one row table for the core, per-object dicts out.

Labels and any extra keys never cross into C++: the core returns each surviving row's source id
and the dicts are rebuilt from the caller's own objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from instaug._encoded_masks import encoded_mask, is_encoded, rle_dict
from instaug._label_mapping import KeypointLabelMapping
from instaug._targets import as_float_rows, check_instance_mask, prepare_boxes, prepare_keypoints
from instaug.formats import bboxes_from_absolute, keypoints_from_internal
from instaug.params import BboxParams, KeypointParams

BINDABLE = ("mask", "masks", "bboxes", "keypoints")
_KEY_FOR_TARGET = {"mask": "mask", "masks": "mask", "bboxes": "bbox", "keypoints": "keypoints"}


def check_binding(
    binding: Any, bbox_params: BboxParams | None, keypoint_params: KeypointParams | None
) -> frozenset[str]:
    if isinstance(binding, str) or not isinstance(binding, (list, tuple, set, frozenset)):
        raise ValueError(
            f"instance_binding must be a list of target names from {list(BINDABLE)}, got {binding!r}"
        )
    targets = frozenset(binding)
    unknown = sorted(t for t in targets if t not in BINDABLE)
    if unknown:
        raise ValueError(f"instance_binding: unknown targets {unknown}; expected names from {list(BINDABLE)}")
    if len(targets) < 2:
        raise ValueError(f"instance_binding needs at least two of {list(BINDABLE)}, got {sorted(targets)}")
    if {"mask", "masks"} <= targets:
        raise ValueError("instance_binding: 'mask' and 'masks' are mutually exclusive; pick one")
    if "bboxes" in targets and bbox_params is None:
        raise ValueError("instance_binding with 'bboxes' needs bbox_params")
    if "keypoints" in targets and keypoint_params is None:
        raise ValueError("instance_binding with 'keypoints' needs keypoint_params")
    return targets


def _check_labels(
    instance: dict[str, Any], key: str, fields: list[str], index: int, length: int | None
) -> None:
    if key not in instance:
        if fields:
            raise ValueError(f"instances[{index}] is missing {key!r} with label fields {fields}")
        return
    labels = instance[key]
    if not isinstance(labels, dict):
        raise TypeError(
            f"instances[{index}][{key!r}] must be a dict keyed by label field {fields}, "
            f"got {type(labels).__name__}"
        )
    for field in fields:
        if field not in labels:
            raise ValueError(f"instances[{index}][{key!r}] is missing label field {field!r}")
        if length is not None:
            value = labels[field]
            if (
                isinstance(value, (str, bytes))
                or not isinstance(value, (Sequence, np.ndarray))
                or len(value) != length
            ):
                raise ValueError(
                    f"instances[{index}][{key!r}][{field!r}] must list one label per keypoint ({length}), "
                    f"got {value!r}"
                )


def _box_rows(values: list[Any]) -> np.ndarray:
    """The instances' boxes as (N, 4) float64: one conversion for all when they stack, else row by
    row, naming the first bad one."""
    try:
        boxes = np.array(values, dtype=np.float64).reshape(len(values), -1) if values else None
    except (TypeError, ValueError):
        boxes = None
    if boxes is not None and boxes.shape[1:] == (4,) and np.isfinite(boxes).all():
        return boxes
    rows = []
    for i, value in enumerate(values):
        try:
            box = np.asarray(value, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            box = None
        if box is None or box.shape != (4,) or not np.isfinite(box).all():
            raise ValueError(f"instances[{i}]['bbox'] must be 4 finite numbers, got {value!r}")
        rows.append(box)
    return np.stack(rows) if rows else np.zeros((0, 4), dtype=np.float64)


class BoundInstances:
    """Core inputs for a list of instance dicts, and the way back."""

    def __init__(
        self,
        instances: Any,
        binding: frozenset[str],
        bbox_params: BboxParams | None,
        keypoint_params: KeypointParams | None,
        height: int,
        width: int,
        polygon_format: str = "coco",
    ) -> None:
        if not isinstance(instances, (list, tuple)):
            raise TypeError(f"instances must be a list of dicts, got {type(instances).__name__}")
        self.instances = instances
        self.templates: list[dict[str, Any]] = list(instances)
        self.binding = binding
        self.bbox_params = bbox_params
        self.keypoint_params = keypoint_params
        self.has_masks = bool({"mask", "masks"} & binding)
        self.has_boxes = "bboxes" in binding
        self.has_keypoints = "keypoints" in binding
        n = len(instances)
        required = sorted({_KEY_FOR_TARGET[t] for t in binding})
        masks: list[np.ndarray | None] = []  # None: the row's mask is encoded (polygons, RLE)
        self.encoded_masks: dict[int, Any] = {}
        self.mask_has_channel_axis: list[bool] = []
        box_values: list[Any] = []
        keypoint_rows: list[np.ndarray] = []
        offsets = np.zeros(n + 1, dtype=np.int64)
        kp_width = len(keypoint_params.coord_format) if keypoint_params else 0
        for i, inst in enumerate(instances):
            if not isinstance(inst, dict):
                raise TypeError(f"instances[{i}] must be a dict, got {type(inst).__name__}")
            for key in required:
                if key not in inst:
                    raise ValueError(f"instances[{i}] is missing key {key!r} required by instance_binding")
            if self.has_masks:
                where = f"instances[{i}]['mask']"
                if is_encoded(inst["mask"]):
                    self.encoded_masks[i] = encoded_mask(inst["mask"], where, height, width, polygon_format)
                    masks.append(None)
                    self.mask_has_channel_axis.append(False)
                else:
                    masks.append(check_instance_mask(inst["mask"], where, height, width))
                    self.mask_has_channel_axis.append(np.ndim(inst["mask"]) == 3)
            if self.has_boxes:
                box_values.append(inst["bbox"])
                _check_labels(inst, "bbox_labels", bbox_params.label_fields, i, None)  # type: ignore[union-attr]
            if self.has_keypoints:
                kps = as_float_rows(inst["keypoints"], f"instances[{i}]['keypoints']", kp_width)
                if kps.shape[1] != kp_width:
                    raise ValueError(
                        f"instances[{i}]['keypoints'] must be (K, {kp_width}) for coord_format "
                        f"{keypoint_params.coord_format!r}, got shape {kps.shape}"  # type: ignore[union-attr]
                    )
                keypoint_rows.append(kps)
                offsets[i + 1] = offsets[i] + len(kps)
                _check_labels(inst, "keypoint_labels", keypoint_params.label_fields, i, len(kps))  # type: ignore[union-attr]
        dtypes = {np.dtype(np.uint8) if m is None else m.dtype for m in masks}
        if self.has_masks and len(dtypes) > 1:
            raise ValueError(
                f"instances' masks must share one dtype (polygon and RLE masks are uint8), "
                f"got {sorted(str(d) for d in dtypes)}"
            )
        self.masks = masks
        self.plane_masks = [m for m in masks if m is not None]
        self.boxes = (
            prepare_boxes(_box_rows(box_values), bbox_params, height, width, "instances[*]['bbox']")  # type: ignore[arg-type]
            if self.has_boxes
            else None
        )
        if self.has_keypoints:
            stacked = np.concatenate(keypoint_rows) if keypoint_rows else np.zeros((0, kp_width))
            self.keypoints: np.ndarray | None = prepare_keypoints(stacked, keypoint_params)  # type: ignore[arg-type]
            self.offsets: np.ndarray | None = offsets
        else:
            self.keypoints = None
            self.offsets = None
        self.source_ids = np.arange(n, dtype=np.int64)

    def _channel_axis(self, source: int) -> bool:
        """(H, W, 1) masks come back (H, W, 1); rows from mixing follow the first instance."""
        axes = self.mask_has_channel_axis
        return axes[source] if source < len(axes) else bool(axes and axes[0])

    def mask_dtype(self) -> np.dtype | None:
        if self.encoded_masks:
            return np.dtype(np.uint8)
        return self.plane_masks[0].dtype if self.plane_masks else None

    def unpack(
        self,
        result: dict[str, Any],
        label_mapping: KeypointLabelMapping | None,
        template: Callable[[int], dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Output dicts; `template(id)` gives a row's labels and extra keys (the caller's instance
        dicts, then the rows that mixing brought)."""
        ids = result["source_ids"]
        height, width = result["height"], result["width"]
        boxes = (
            bboxes_from_absolute(result["boxes"], self.bbox_params.coord_format, height, width)  # type: ignore[union-attr]
            if self.has_boxes
            else None
        )
        masks = result.get("masks", result.get("stacked_masks"))
        rles = result.get("rles")
        if masks is not None and len(ids) == 0:
            dtype = self.mask_dtype() or np.uint8
            masks = np.zeros((0, height, width), dtype=dtype)
        if self.has_keypoints:
            kp = self.keypoint_params
            points = keypoints_from_internal(result["keypoints"], kp.coord_format, kp.angle_in_degrees)  # type: ignore[union-attr]
            offsets = result["keypoint_offsets"]
        out: list[dict[str, Any]] = []
        for row, source in enumerate(ids.tolist()):
            inst = dict(template(source))  # extra keys and labels: the caller's own objects
            if boxes is not None:
                inst["bbox"] = boxes[row]
            if masks is not None:
                inst["mask"] = masks[row][:, :, None] if self._channel_axis(source) else masks[row]
            elif rles is not None:
                inst["mask"] = rle_dict(rles[row], height, width)
            elif self.has_masks:  # the index map holds the masks: the input's must not pass for them
                inst.pop("mask", None)
            if self.has_keypoints:
                inst["keypoints"] = points[offsets[row] : offsets[row + 1]]
                if "keypoint_labels" in inst and label_mapping is not None:
                    inst["keypoints"], inst["keypoint_labels"] = label_mapping.apply(
                        inst["keypoints"], inst["keypoint_labels"]
                    )
            out.append(inst)
        return out
