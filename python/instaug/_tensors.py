"""ToTensorV2: the result as torch tensors (torch is imported only here, when the Compose has it)."""

from __future__ import annotations

from typing import Any

import numpy as np


def to_tensors(out: dict[str, Any], transpose_mask: bool) -> dict[str, Any]:
    """ToTensorV2: image (C, H, W); masks as tensors, (H, W, C) ones as (C, H, W) with transpose_mask."""
    import torch

    def mask_tensor(mask: np.ndarray) -> Any:
        if transpose_mask and mask.ndim == 3:
            mask = mask.transpose(2, 0, 1)
        # The core's 64-bit arrays carry NumPy's "long long" type codes, which torch.from_numpy
        # refuses; the canonical dtype of the same size and kind is the same data.
        return torch.from_numpy(np.ascontiguousarray(mask).view(np.dtype(mask.dtype.str)))

    if "image" in out:
        image = out["image"]
        image = image[:, :, None] if image.ndim == 2 else image
        out["image"] = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))
    if "mask" in out:
        out["mask"] = mask_tensor(out["mask"])
    if "masks" in out:
        if "instances" in out:  # mask_output="stacked": one (N, H, W) tensor, instances' masks its rows
            out["masks"] = mask_tensor(out["masks"])
            for row, inst in enumerate(out["instances"]):
                inst["mask"] = out["masks"][row]
        else:
            out["masks"] = [mask_tensor(m) for m in out["masks"]]
    if "index_map" in out:
        out["index_map"] = mask_tensor(out["index_map"])
    for inst in out.get("instances", []):
        if isinstance(inst.get("mask"), np.ndarray):  # not a COCO RLE dict (mask_output="coco_rle")
            inst["mask"] = mask_tensor(inst["mask"])
    return out
