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
        out["masks"] = [mask_tensor(m) for m in out["masks"]]
    for inst in out.get("instances", []):
        if "mask" in inst:
            inst["mask"] = mask_tensor(inst["mask"])
    return out
