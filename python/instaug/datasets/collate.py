"""collate: AugmentedDataset's outputs as one training batch (torch tensors where torch is installed,
NumPy arrays otherwise)."""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np


def _torch() -> ModuleType | None:
    try:
        import torch
    except ImportError:
        return None
    return torch


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch")


class _Arrays:
    """Arrays in the batch's kind: torch tensors (sharing NumPy's memory) or NumPy arrays."""

    def __init__(self, torch: ModuleType | None) -> None:
        self.torch = torch

    def of(self, array: np.ndarray) -> Any:
        if self.torch is None:
            return array
        array = np.ascontiguousarray(array)
        if not array.flags.writeable:  # torch warns on (and may write through) read-only memory
            array = array.copy()
        return self.torch.from_numpy(array)

    def stack(self, values: Sequence[Any], empty: tuple[int, ...], dtype: Any = np.uint8) -> Any:
        """`values` (arrays or tensors of one shape) stacked; `empty` is the shape of none."""
        if not values:
            return self.of(np.zeros(empty, dtype=dtype))
        if all(_is_tensor(v) for v in values):
            return self.torch.stack(list(values))  # type: ignore[union-attr]
        return self.of(np.stack([v.numpy() if _is_tensor(v) else np.asarray(v) for v in values]))

    def column(self, values: list[Any]) -> Any:
        """A label column: an array when its values are numbers (or equal-length lists of numbers,
        as keypoint labels are), else the list."""
        if not values:
            return self.of(np.zeros(0, dtype=np.int64))
        try:
            array = np.asarray(values)
        except ValueError:  # ragged
            return list(values)
        return self.of(array) if array.dtype.kind in "biuf" else list(values)


def _images(batch: Sequence[dict[str, Any]], arrays: _Arrays) -> Any:
    images = [s["image"] for s in batch]
    if all(_is_tensor(i) for i in images):  # ToTensorV2: (C, H, W) already
        shapes = {tuple(i.shape) for i in images}
        if len(shapes) > 1:
            raise ValueError(f"collate: the images differ in shape {sorted(shapes)}")
        return arrays.torch.stack(images)  # type: ignore[union-attr]
    planes = [i[:, :, None] if i.ndim == 2 else i for i in (np.asarray(i) for i in images)]
    shapes = {p.shape for p in planes}
    if len(shapes) > 1:
        raise ValueError(
            f"collate: the images differ in shape {sorted(shapes)}; end the pipeline with a transform "
            "of fixed output size (Mosaic's target_size, Resize, LetterBox, PadIfNeeded + crop)"
        )
    return arrays.of(np.stack(planes).transpose(0, 3, 1, 2))


def _image_size(sample: dict[str, Any]) -> tuple[int, int]:
    image = sample["image"]
    return tuple(image.shape[-2:]) if _is_tensor(image) else tuple(image.shape[:2])  # type: ignore[return-value]


def _targets(batch: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """The instance keys to collate: what AugmentedDataset says, else what the instances carry."""
    given = [s["targets"] for s in batch if s.get("targets") is not None]
    if given:
        return tuple(given[0])
    found = {k for s in batch for inst in s["instances"] for k in ("bbox", "mask", "keypoints") if k in inst}
    return tuple(k for k in ("bbox", "mask", "keypoints") if k in found)


def _masks(sample: dict[str, Any], arrays: _Arrays) -> Any:
    if "masks" in sample:  # mask_output="stacked": the (N, H, W) array the core wrote once
        masks = sample["masks"]
        return masks if _is_tensor(masks) else arrays.of(masks)
    masks = [inst["mask"] for inst in sample["instances"]]
    if any(isinstance(m, dict) for m in masks):  # mask_output="coco_rle": dicts stay dicts
        return masks
    planes = [m[..., 0] if m.ndim == 3 and not _is_tensor(m) else m for m in masks]
    return arrays.stack(planes, (0, *_image_size(sample)))


def _labels(instances: list[dict[str, Any]], key: str, fields: list[str], arrays: _Arrays) -> dict[str, Any]:
    return {f: arrays.column([inst.get(key, {}).get(f) for inst in instances]) for f in fields}


def collate(batch: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A DataLoader's collate_fn for AugmentedDataset outputs:

    - "images": (N, C, H, W), stacked (uint8 or float, as the pipeline makes them);
    - per sample (lists of N): "boxes" (n_i, 4) float32, "labels" {field: (n_i,) or a list of
      non-numbers}, "masks" (n_i, H, W) (the stacked output as it is; COCO RLE dicts as lists),
      "keypoints" (n_i, K, columns of KeypointParams' coord_format) and "keypoint_labels"
      {field: (n_i, K)}, as the pipeline binds them;
    - "index_map": (N, H', W') stacked, with Compose(mask_output="index_map");
    - "index", "image_id": lists.
    Arrays are torch tensors where torch is installed, else NumPy arrays."""
    if not batch:
        raise ValueError("collate: an empty batch")
    arrays = _Arrays(_torch())
    out: dict[str, Any] = {"images": _images(batch, arrays)}
    instances = [s["instances"] for s in batch]
    targets = _targets(batch)
    if "bbox" in targets:
        out["boxes"] = [
            arrays.of(
                np.asarray(
                    [np.asarray(i["bbox"], dtype=np.float32) for i in group], dtype=np.float32
                ).reshape(-1, 4)
            )
            for group in instances
        ]
    fields = list(dict.fromkeys(f for group in instances for i in group for f in i.get("bbox_labels", {})))
    out["labels"] = [_labels(group, "bbox_labels", fields, arrays) for group in instances]
    if "mask" in targets and not any("index_map" in s for s in batch):
        out["masks"] = [_masks(s, arrays) for s in batch]
    if "keypoints" in targets:
        out["keypoints"] = [_keypoints(group, arrays) for group in instances]
        kp_fields = list(
            dict.fromkeys(f for group in instances for i in group for f in i.get("keypoint_labels", {}))
        )
        out["keypoint_labels"] = [_labels(group, "keypoint_labels", kp_fields, arrays) for group in instances]
    if any("index_map" in s for s in batch):
        maps = [
            np.asarray(s["index_map"]) if not _is_tensor(s["index_map"]) else s["index_map"].numpy()
            for s in batch
        ]
        dtype = np.result_type(*maps)  # uint8 up to 255 rows, int32 past that: one dtype for the batch
        out["index_map"] = arrays.stack([m.astype(dtype, copy=False) for m in maps], (0, 0, 0), dtype)
    out["index"] = [s.get("index") for s in batch]
    out["image_id"] = [s.get("image_id") for s in batch]
    return out


def _keypoints(instances: list[dict[str, Any]], arrays: _Arrays) -> Any:
    groups = [np.asarray(i["keypoints"], dtype=np.float32) for i in instances]
    if len({g.shape for g in groups}) > 1:  # rows with different keypoint counts cannot stack
        return [arrays.of(g) for g in groups]
    return arrays.of(np.stack(groups) if groups else np.zeros((0, 0, 2), dtype=np.float32))
