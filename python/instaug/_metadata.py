"""Metadata for the mixing transforms: validated, converted to core items, and every object they
bring registered as a new row source.

mosaic_metadata: a list of per-image dicts:
    {"image": (H, W[, C]), "masks": (N, H, W) or list of (H, W)  [or "mask": (H, W, N)],
     "bboxes": (N, 4) in BboxParams.coord_format, "bbox_labels": {field: list of N},
     "keypoints": (N, K, n) or list of (K, n), "keypoint_labels": {field: list of N lists},
     "mask": (H, W[, C]) semantic mask when the call has a plain mask=}
copy_paste_metadata: a list of per-object dicts:
    {"image": (H, W[, C]), "mask": (H, W) and/or "bbox": 4 numbers, "bbox_labels": {field: value},
     "keypoints": (K, n), "keypoint_labels": {field: list of K}, any extra keys (kept on the row)}
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from instaug import _core
from instaug._encoded_masks import encoded_mask, is_encoded
from instaug._targets import (
    as_float_rows,
    check_instance_mask,
    check_mask_plane,
    packed,
    prepare_boxes,
    prepare_keypoints,
)
from instaug.params import BboxParams, KeypointParams

_DONOR_GEOMETRY_KEYS = ("image", "mask", "bbox", "keypoints")


class RowRegistry:
    """Where each row id comes from: a template dict (labels, extra keys) for instance output, and
    per-field labels for the plain bboxes= style. Rows arrive in blocks (the caller's instances, one
    Mosaic neighbour, one donor); a block builds a row's template only when that row is output, so
    the objects of a neighbour that Mosaic crops away cost no Python work."""

    def __init__(
        self,
        templates: list[dict[str, Any]],
        plain_labels: dict[str, list[Any]],
        plain_extras: np.ndarray | None = None,
    ) -> None:
        self._starts: list[int] = [0]
        self._builders: list[Callable[[int], dict[str, Any]]] = [templates.__getitem__]
        self.size = len(templates)
        self.plain_labels = plain_labels
        # Columns after the 4 coordinates of plain bboxes=, one block per source, kept with the row.
        self._extras = [] if plain_extras is None else [plain_extras]
        self.new_rows = 0

    def add_block(
        self,
        count: int,
        template: Callable[[int], dict[str, Any]],
        plain: dict[str, Sequence[Any]],
        extras: np.ndarray | None = None,
        where: str = "",
    ) -> np.ndarray:
        """Registers `count` rows; `template(j)` makes row j's template; `extras` are their plain
        boxes' columns after the coordinates. Returns their ids."""
        if self._extras:
            width = self._extras[0].shape[1]
            given = 0 if extras is None else extras.shape[1]
            if count and given != width:
                raise ValueError(
                    f"{where}: its boxes carry {given} column(s) after the coordinates; the call's bboxes "
                    f"carry {width}: give every box the same columns"
                )
        ids = np.arange(self.size, self.size + count, dtype=np.int64)
        if count:
            self._starts.append(self.size)
            self._builders.append(template)
            for field, values in plain.items():
                self.plain_labels[field].extend(values)
            if self._extras:
                self._extras.append(extras)  # type: ignore[arg-type]
            self.size += count
            self.new_rows += count
        return ids

    def plain_extras(self, ids: np.ndarray) -> np.ndarray:
        """The extra box columns of rows `ids` (float64)."""
        if not self._extras:
            return np.zeros((len(ids), 0))
        return np.concatenate(self._extras)[ids]

    def template(self, row_id: int) -> dict[str, Any]:
        block = bisect.bisect_right(self._starts, row_id) - 1
        return self._builders[block](row_id - self._starts[block])


class MetadataReader:
    """Turns the metadata lists of one call into core items."""

    def __init__(
        self,
        image: np.ndarray,
        binding: frozenset[str],
        bbox_params: BboxParams | None,
        keypoint_params: KeypointParams | None,
        row_masks: list[np.ndarray] | None,
        registry: RowRegistry,
        plain_bboxes: bool,
        plain_mask: bool,
        polygon_format: str = "coco",
    ) -> None:
        self.image = image
        self.binding = binding
        self.bbox_params = bbox_params
        self.keypoint_params = keypoint_params
        self.row_masks = row_masks or []
        self.mask_dtype: np.dtype | None = self.row_masks[0].dtype if self.row_masks else None
        self._mask_on: bytes | None = None
        self.registry = registry
        self.has_masks = bool({"mask", "masks"} & binding)
        self.has_boxes = "bboxes" in binding or plain_bboxes
        self.has_keypoints = "keypoints" in binding
        self.plain_bboxes = plain_bboxes
        self.plain_mask = plain_mask
        self.polygon_format = polygon_format

    # -- shared checks -------------------------------------------------------------------------
    def _check_dict(self, item: Any, where: str) -> dict[str, Any]:
        if not isinstance(item, dict):
            raise TypeError(f"{where} must be a dict, got {type(item).__name__}")
        if "image" not in item:
            raise ValueError(f"{where} is missing key 'image'")
        return item

    def _check_image(self, image: Any, where: str) -> np.ndarray:
        if not isinstance(image, np.ndarray) or image.ndim not in (2, 3):
            raise ValueError(f"{where}['image'] must be an (H, W) or (H, W, C) array")
        if image.shape[0] == 0 or image.shape[1] == 0:
            raise ValueError(f"{where}['image'] must not be empty, got shape {image.shape}")
        channels = 1 if image.ndim == 2 else image.shape[2]
        expected = 1 if self.image.ndim == 2 else self.image.shape[2]
        if channels != expected:
            raise ValueError(f"{where}['image'] has {channels} channel(s); the image has {expected}")
        if image.dtype != self.image.dtype:
            raise ValueError(f"{where}['image'] has dtype {image.dtype}; the image has {self.image.dtype}")
        if image.ndim != self.image.ndim:
            image = image.reshape(self.image.shape[:2] if self.image.ndim == 2 else (*image.shape[:2], 1))
        return packed(image)

    def _encoded(self, mask: Any, where: str, height: int, width: int) -> Any:
        """A neighbour's or donor's mask given as RLE or polygons: the core's EncodedMask (0/1 bytes,
        so the call's masks must be uint8)."""
        if self.mask_dtype is None:
            self.mask_dtype = np.dtype(np.uint8)
        if self.mask_dtype != np.uint8:
            raise ValueError(
                f"{where}: polygon and RLE masks are uint8; this call's masks are {self.mask_dtype}"
            )
        return encoded_mask(mask, where, height, width, self.polygon_format)

    def _as_mask_dtype(self, mask: np.ndarray) -> np.ndarray:
        if self.mask_dtype is None:
            self.mask_dtype = mask.dtype
        return mask if mask.dtype == self.mask_dtype else mask.astype(self.mask_dtype)

    def _mask_on_bytes(self) -> bytes:
        """One mask element marking "object" in this call's masks, for donors given by a box alone:
        the first non-blank row mask's largest value (0/255 masks paste 255), else 1. Read only
        when such a donor comes, and once a call."""
        if self._mask_on is None:
            dtype = np.dtype(np.uint8) if self.mask_dtype is None else self.mask_dtype
            on = next((top for top in (m.max() for m in self.row_masks) if top), 1)
            self._mask_on = np.asarray(on).astype(dtype).reshape(1).tobytes()
        return self._mask_on

    def _labels(self, item: dict[str, Any], key: str, fields: list[str], where: str) -> dict[str, Any]:
        if not fields:
            labels = item.get(key, {})
            if not isinstance(labels, dict):
                raise TypeError(f"{where}[{key!r}] must be a dict, got {type(labels).__name__}")
            return labels
        if key not in item:
            raise ValueError(f"{where} is missing {key!r} with label fields {fields}")
        labels = item[key]
        if not isinstance(labels, dict):
            raise TypeError(
                f"{where}[{key!r}] must be a dict keyed by label field {fields}, got {type(labels).__name__}"
            )
        for field in fields:
            if field not in labels:
                raise ValueError(f"{where}[{key!r}] is missing label field {field!r}")
        return labels

    def _keypoints(self, value: Any, where: str) -> np.ndarray:
        width = len(self.keypoint_params.coord_format)  # type: ignore[union-attr]
        points = as_float_rows(value, where, width)
        if points.shape[1] != width:
            raise ValueError(f"{where} must be (K, {width}), got shape {points.shape}")
        return points

    # -- Mosaic --------------------------------------------------------------------------------
    def mosaic_item(self, item: Any, where: str) -> _core.MixItem:
        item = self._check_dict(item, where)
        image = self._check_image(item["image"], where)
        height, width = image.shape[:2]
        masks: list[np.ndarray | None] = []
        encoded: dict[int, Any] = {}
        n: int | None = None
        if self.has_masks:
            masks, encoded = self._mosaic_masks(item, where, height, width)
            n = len(masks)
        boxes = None
        box_fields = self.bbox_params.label_fields if self.bbox_params and self.has_boxes else []
        if self.has_boxes:
            if "bboxes" not in item:
                raise ValueError(f"{where} is missing key 'bboxes'")
            raw = as_float_rows(item["bboxes"], f"{where}['bboxes']", 4)
            if n is not None and len(raw) != n:
                raise ValueError(f"{where} has {n} masks but {len(raw)} bboxes")
            n = len(raw)
            boxes = prepare_boxes(raw, self.bbox_params, height, width, f"{where}['bboxes']")  # type: ignore[arg-type]
        n = n or 0
        labels = self._labels(item, "bbox_labels", box_fields, where)
        for field in box_fields:
            if len(labels[field]) != n:
                raise ValueError(
                    f"{where}['bbox_labels'][{field!r}] has {len(labels[field])} labels for {n} objects"
                )
        points, offsets, kp_labels = None, None, None
        if self.has_keypoints:
            points, offsets, kp_labels = self._mosaic_keypoints(item, where, n)
        semantic = None
        if self.plain_mask and item.get("mask") is not None and not self.has_masks:
            semantic = check_mask_plane(item["mask"], f"{where}['mask']", height, width)
        with_box_labels = bool(box_fields) or "bbox_labels" in item

        def template(j: int) -> dict[str, Any]:
            out: dict[str, Any] = {}
            if with_box_labels:
                out["bbox_labels"] = {f: v[j] for f, v in labels.items()}
            if kp_labels is not None:
                out["keypoint_labels"] = {f: v[j] for f, v in kp_labels.items()}
            return out

        plain = {f: labels[f] for f in box_fields} if self.plain_bboxes else {}
        extras = raw[:, 4:] if self.plain_bboxes and boxes is not None else None
        ids = self.registry.add_block(n, template, plain, extras, f"{where}['bboxes']")
        return _core.MixItem(
            image=image,
            semantic_mask=semantic,
            masks=masks,
            encoded_masks=encoded,
            boxes=boxes,
            keypoints=points,
            keypoint_offsets=offsets,
            source_ids=ids,
            mask_on=b"",
        )

    def _mosaic_masks(
        self, item: dict[str, Any], where: str, height: int, width: int
    ) -> tuple[list[np.ndarray | None], dict[int, Any]]:
        """The neighbour's masks (None where one came as RLE or polygons) and its encoded ones."""
        if "masks" in item:
            stack = item["masks"]
            if isinstance(stack, np.ndarray):
                # One check and one dtype conversion for the whole stack, not one per object.
                if stack.ndim != 3:
                    raise ValueError(f"{where}['masks'] must be (N, H, W), got shape {stack.shape}")
                if len(stack):
                    check_instance_mask(stack[0], f"{where}['masks'][0]", height, width)
                return list(self._as_mask_dtype(stack)), {}
            planes = list(stack)
        elif "mask" in item and isinstance(item["mask"], np.ndarray) and item["mask"].ndim == 3:
            stack = item["mask"]
            planes = [stack[:, :, j] for j in range(stack.shape[2])]
        else:
            raise ValueError(f"{where} is missing key 'masks' ((N, H, W) instance masks)")
        masks: list[np.ndarray | None] = []
        encoded: dict[int, Any] = {}
        for j, m in enumerate(planes):
            at = f"{where}['masks'][{j}]"
            if is_encoded(m):
                encoded[j] = self._encoded(m, at, height, width)
                masks.append(None)
            else:
                masks.append(self._as_mask_dtype(check_instance_mask(m, at, height, width)))
        return masks, encoded

    def _mosaic_keypoints(self, item: dict[str, Any], where: str, n: int) -> tuple:
        groups = item.get("keypoints", [])
        if len(groups) != n:
            raise ValueError(
                f"{where}['keypoints'] must hold one (K, n) group per object ({n}), got {len(groups)}"
            )
        rows = [self._keypoints(g, f"{where}['keypoints'][{j}]") for j, g in enumerate(groups)]
        fields = self.keypoint_params.label_fields  # type: ignore[union-attr]
        labels = self._labels(item, "keypoint_labels", fields, where)
        offsets = np.zeros(n + 1, dtype=np.int64)
        for j, r in enumerate(rows):
            offsets[j + 1] = offsets[j] + len(r)
        width = len(self.keypoint_params.coord_format)  # type: ignore[union-attr]
        stacked = np.concatenate(rows) if rows else np.zeros((0, width))
        return prepare_keypoints(stacked, self.keypoint_params), offsets, labels  # type: ignore[arg-type]

    # -- OverlayElements -----------------------------------------------------------------------
    def overlay_item(self, item: Any, where: str) -> _core.MixItem:
        """One element: its image (the call image's dtype and channels), an optional box (x_min,
        y_min, x_max, y_max normalised to [0, 1], as the reference; entries after them ignored),
        an optional mask (non-zero where the element shows) and mask_id (written into mask=)."""
        if self.image is None:
            raise ValueError(f"{where}: OverlayElements pastes onto the image; pass image=")
        item = self._check_dict(item, where)
        image = self._check_image(item["image"], where)
        mask = item.get("mask")
        if mask is not None:
            mask = np.asarray(mask)
            if mask.ndim == 3 and mask.shape[2] == 1:
                mask = mask[:, :, 0]
            if mask.shape != image.shape[:2]:
                raise ValueError(f"{where}['mask'] must be (H, W) with its image's size {image.shape[:2]}")
            mask = packed(np.asarray(mask != 0, dtype=np.uint8))
        boxes = None
        if item.get("bbox") is not None:
            raw = as_float_rows(
                np.asarray(item["bbox"], dtype=np.float64).reshape(1, -1), f"{where}['bbox']", 4
            )
            box = raw[:, :4]
            if not (((box >= 0) & (box <= 1)).all() and box[0, 0] < box[0, 2] and box[0, 1] < box[0, 3]):
                raise ValueError(
                    f"{where}['bbox'] must be x_min < x_max, y_min < y_max, normalised to [0, 1]; "
                    f"got {box[0].tolist()}"
                )
            boxes = np.ascontiguousarray(box)
        mask_id = item.get("mask_id")
        return _core.MixItem(
            image=image,
            semantic_mask=mask,
            boxes=boxes,
            source_ids=np.zeros(0, dtype=np.int64),
            mask_value=math.nan if mask_id is None else float(mask_id),
        )

    # -- CopyAndPaste --------------------------------------------------------------------------
    def donor_item(self, item: Any, where: str) -> _core.MixItem:
        item = self._check_dict(item, where)
        image = self._check_image(item["image"], where)
        height, width = image.shape[:2]
        mask = item.get("mask")
        bbox = item.get("bbox")
        if mask is None and bbox is None:
            raise ValueError(f"{where} needs a 'mask' or a 'bbox' to define what is pasted")
        masks: list[np.ndarray | None] = []
        encoded: dict[int, Any] = {}
        if mask is not None and is_encoded(mask):
            encoded[0] = self._encoded(mask, f"{where}['mask']", height, width)
            masks = [None]
        elif mask is not None:
            # An empty mask (without a bbox) pastes nothing: the core skips it, without a Python
            # pass over the plane here.
            masks = [self._as_mask_dtype(check_instance_mask(mask, f"{where}['mask']", height, width))]
        boxes, extras = None, None
        if bbox is not None:
            if self.bbox_params is None:
                raise ValueError(f"{where}['bbox'] needs Compose(bbox_params=...) to read its coord_format")
            raw = as_float_rows(np.asarray(bbox, dtype=np.float64).reshape(1, -1), f"{where}['bbox']", 4)
            boxes = prepare_boxes(raw, self.bbox_params, height, width, f"{where}['bbox']")
            extras = raw[:, 4:]
        elif self.has_boxes:
            boxes = np.zeros((1, 4))  # replaced by the tight box of the pasted mask
        box_fields = self.bbox_params.label_fields if self.bbox_params and self.has_boxes else []
        labels = self._labels(item, "bbox_labels", box_fields, where)
        points, offsets = None, None
        if self.has_keypoints:
            kps = self._keypoints(item.get("keypoints", np.zeros((0, 2))), f"{where}['keypoints']")
            fields = self.keypoint_params.label_fields  # type: ignore[union-attr]
            kp_labels = self._labels(item, "keypoint_labels", fields if len(kps) else [], where)
            for field in fields if len(kps) else []:
                if len(kp_labels[field]) != len(kps):
                    raise ValueError(
                        f"{where}['keypoint_labels'][{field!r}] must list one label per keypoint"
                    )
            points = prepare_keypoints(kps, self.keypoint_params)  # type: ignore[arg-type]
            offsets = np.array([0, len(kps)], dtype=np.int64)
        template = {k: v for k, v in item.items() if k not in _DONOR_GEOMETRY_KEYS}
        plain = {f: [labels[f]] for f in box_fields} if self.plain_bboxes else {}
        ids = self.registry.add_block(1, lambda _: template, plain, extras, f"{where}['bbox']")
        mask_on = self._mask_on_bytes() if self.has_masks and mask is None else b""
        return _core.MixItem(
            image=image,
            semantic_mask=None,
            masks=masks,
            encoded_masks=encoded,
            boxes=boxes,
            keypoints=points,
            keypoint_offsets=offsets,
            source_ids=ids,
            mask_on=mask_on,
        )


def read_metadata(
    data: dict[str, Any], transforms: Sequence[Any], reader: MetadataReader
) -> dict[str, list[_core.MixItem]]:
    """Core items for every mixing transform's metadata key (each key read once)."""
    from instaug.transforms.mixing import CopyAndPaste, Mosaic, OverlayElements

    kinds = {
        Mosaic: reader.mosaic_item,
        CopyAndPaste: reader.donor_item,
        OverlayElements: reader.overlay_item,
    }
    readers: dict[str, Callable[[Any, str], _core.MixItem]] = {}
    for t in transforms:
        kind = next((read for cls, read in kinds.items() if isinstance(t, cls)), None)
        if kind is None:
            continue
        key = t.metadata_key
        if key in readers and readers[key] != kind:
            raise ValueError(
                f"metadata_key {key!r} is read by two kinds of mixing transform; give each its own key"
            )
        readers[key] = kind
    out: dict[str, list[_core.MixItem]] = {}
    for key, read in readers.items():
        if key not in data:
            raise ValueError(
                f"the pipeline has a transform reading {key}=; pass it in the call (a list, may be empty)"
            )
        items = data[key]
        if isinstance(items, dict) and readers[key] == reader.overlay_item:
            items = [items]  # the reference takes one element as a dict
        if not isinstance(items, (list, tuple)):
            raise TypeError(f"{key} must be a list of dicts, got {type(items).__name__}")
        out[key] = [read(item, f"{key}[{i}]") for i, item in enumerate(items)]
    return out
