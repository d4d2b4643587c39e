"""BboxParams and KeypointParams: how boxes and keypoints are read, written and kept."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from instaug._checks import check_bool, check_number
from instaug.formats import BBOX_FORMATS, KEYPOINT_FORMATS


def _check_label_fields(owner: str, label_fields: Any) -> list[str]:
    if label_fields is None:
        return []
    if isinstance(label_fields, str) or not isinstance(label_fields, Sequence):
        raise ValueError(f"{owner}: label_fields must be a list of field names, got {label_fields!r}")
    fields = list(label_fields)
    if not all(isinstance(f, str) for f in fields):
        raise ValueError(f"{owner}: label_fields must hold strings, got {label_fields!r}")
    if len(set(fields)) != len(fields):
        raise ValueError(f"{owner}: label_fields has duplicates: {label_fields!r}")
    return fields


class BboxParams:
    """Box format and the survival rules of the bbox processor.

    `bbox_from_mask` (ours): with masks bound, every surviving row's box is recomputed as the tight
    box of its transformed mask wherever the filter runs; survival itself is decided as usual.
    """

    def __init__(
        self,
        coord_format: str,
        label_fields: Sequence[str] | None = None,
        bbox_type: str = "hbb",
        min_area: float = 0.0,
        min_visibility: float = 0.0,
        min_width: float = 0.0,
        min_height: float = 0.0,
        max_accept_ratio: float | None = None,
        check_each_transform: bool = True,
        clip_bboxes_on_input: bool = False,
        clip_after_transform: bool = True,
        filter_invalid_bboxes: bool = False,
        bbox_from_mask: bool = False,
    ) -> None:
        owner = "BboxParams"
        if coord_format not in BBOX_FORMATS:
            raise ValueError(
                f"{owner}: coord_format must be one of {list(BBOX_FORMATS)}, got {coord_format!r}"
            )
        if bbox_type != "hbb":
            raise ValueError(
                f"{owner}: bbox_type must be 'hbb' (oriented boxes are not supported), got {bbox_type!r}"
            )
        self.coord_format = coord_format
        self.label_fields = _check_label_fields(owner, label_fields)
        self.bbox_type = bbox_type
        self.min_area = check_number(owner, "min_area", min_area, minimum=0)
        self.min_visibility = check_number(owner, "min_visibility", min_visibility, minimum=0)
        if self.min_visibility > 1:
            raise ValueError(f"{owner}: min_visibility must be in [0, 1], got {min_visibility!r}")
        self.min_width = check_number(owner, "min_width", min_width, minimum=0)
        self.min_height = check_number(owner, "min_height", min_height, minimum=0)
        if max_accept_ratio is not None:
            max_accept_ratio = check_number(owner, "max_accept_ratio", max_accept_ratio, minimum=1.0)
        self.max_accept_ratio = max_accept_ratio
        self.check_each_transform = check_bool(owner, "check_each_transform", check_each_transform)
        self.clip_bboxes_on_input = check_bool(owner, "clip_bboxes_on_input", clip_bboxes_on_input)
        self.clip_after_transform = check_bool(owner, "clip_after_transform", clip_after_transform)
        self.filter_invalid_bboxes = check_bool(owner, "filter_invalid_bboxes", filter_invalid_bboxes)
        self.bbox_from_mask = check_bool(owner, "bbox_from_mask", bbox_from_mask)

    def core_config(self) -> dict[str, float]:
        return {
            "min_area": self.min_area,
            "min_visibility": self.min_visibility,
            "min_width": self.min_width,
            "min_height": self.min_height,
            "max_accept_ratio": -1.0 if self.max_accept_ratio is None else self.max_accept_ratio,
            "check_each_transform": float(self.check_each_transform),
            "clip_after_transform": float(self.clip_after_transform),
            "bbox_from_mask": float(self.bbox_from_mask),
            "filter_invalid_on_input": float(self.filter_invalid_bboxes),
        }

    def to_dict_private(self) -> dict[str, Any]:
        """As a pipeline file holds it (the reference's keys; bbox_from_mask, ours, only when set,
        which the reference cannot read)."""
        out = {
            key: getattr(self, key)
            for key in (
                "coord_format",
                "label_fields",
                "bbox_type",
                "min_area",
                "min_visibility",
                "min_width",
                "min_height",
                "check_each_transform",
                "clip_bboxes_on_input",
                "filter_invalid_bboxes",
                "max_accept_ratio",
                "clip_after_transform",
            )
        }
        return {**out, "bbox_from_mask": True} if self.bbox_from_mask else out

    def __repr__(self) -> str:
        return f"BboxParams({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


class KeypointParams:
    """Keypoint format, label fields and the visibility rule of free keypoints.

    `label_mapping` is {transform_name: {label_field: {from_label: to_label}}}: when a transform of
    that name is applied, the labels are renamed (left/right swaps under HorizontalFlip).
    """

    def __init__(
        self,
        coord_format: str,
        label_fields: Sequence[str] | None = None,
        remove_invisible: bool = True,
        angle_in_degrees: bool = True,
        check_each_transform: bool = True,
        label_mapping: dict[str, dict[str, dict[Any, Any]]] | None = None,
    ) -> None:
        owner = "KeypointParams"
        if coord_format not in KEYPOINT_FORMATS:
            raise ValueError(
                f"{owner}: coord_format must be one of {list(KEYPOINT_FORMATS)}, got {coord_format!r}"
            )
        self.coord_format = coord_format
        self.label_fields = _check_label_fields(owner, label_fields)
        self.remove_invisible = check_bool(owner, "remove_invisible", remove_invisible)
        self.angle_in_degrees = check_bool(owner, "angle_in_degrees", angle_in_degrees)
        self.check_each_transform = check_bool(owner, "check_each_transform", check_each_transform)
        if label_mapping is None:
            label_mapping = {}
        if not isinstance(label_mapping, dict) or not all(
            isinstance(fields, dict) and all(isinstance(m, dict) for m in fields.values())
            for fields in label_mapping.values()
        ):
            raise ValueError(
                f"{owner}: label_mapping must be {{transform_name: {{label_field: {{from: to}}}}}}, "
                f"got {label_mapping!r}"
            )
        self.label_mapping = label_mapping

    def bound_copy(self) -> KeypointParams:
        """With keypoints bound to rows, survival belongs to the row: nothing is removed alone."""
        params = copy.copy(self)
        params.remove_invisible = False
        params.check_each_transform = False
        return params

    def core_config(self) -> dict[str, float]:
        return {
            "remove_invisible": float(self.remove_invisible),
            "check_each_transform": float(self.check_each_transform),
        }

    def to_dict_private(self) -> dict[str, Any]:
        keys = (
            "coord_format",
            "label_fields",
            "remove_invisible",
            "angle_in_degrees",
            "check_each_transform",
        )
        return {
            **{key: getattr(self, key) for key in keys},
            "label_mapping": copy.deepcopy(self.label_mapping),
        }

    def __repr__(self) -> str:
        return f"KeypointParams({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"
