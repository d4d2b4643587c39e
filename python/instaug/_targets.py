"""Reading the call's targets into arrays for the core, with errors that name the argument."""

from __future__ import annotations

from typing import Any

import numpy as np

from instaug import _core
from instaug.formats import keypoints_to_internal
from instaug.params import BboxParams, KeypointParams

_IMAGE_DTYPES = (np.uint8, np.float32)
# Integer and bool masks; float masks are accepted for plain `mask=` planes too.
_MASK_KINDS = "biuf"
MAX_MASK_CHANNEL_BYTES = 512  # OpenCV's CV_CN_MAX


def check_image(image: Any, name: str = "image") -> np.ndarray:
    if not isinstance(image, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(image).__name__}")
    if image.dtype.type not in _IMAGE_DTYPES:
        raise ValueError(f"{name} must be uint8 or float32, got dtype {image.dtype}")
    if image.ndim not in (2, 3) or (image.ndim == 3 and not 1 <= image.shape[2] <= 4):
        raise ValueError(f"{name} must be (H, W) or (H, W, C) with 1 to 4 channels, got shape {image.shape}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"{name} must not be empty, got shape {image.shape}")
    return packed(image)


def native_byte_order(array: np.ndarray) -> np.ndarray:
    """The array itself, or its copy in this machine's byte order (the core reads native values)."""
    return array if array.dtype.isnative else array.astype(array.dtype.newbyteorder("="))


def packed(array: np.ndarray) -> np.ndarray:
    """The array itself when the core can read it in place: pixels packed along rows, rows one after
    another at increasing addresses (any padding between them: a crop view of a bigger array), and
    aligned. Any other layout NumPy can make (negative or zero strides, Fortran order, unaligned) is
    copied, so that every layout gives the output of its C-contiguous copy."""
    array = native_byte_order(array)
    if array.ndim < 2 or not array.flags.aligned:
        return np.array(array, order="C")  # ascontiguousarray keeps a contiguous unaligned array
    pixel = array.itemsize * (array.shape[2] if array.ndim == 3 else 1)
    channels_packed = array.ndim == 2 or array.strides[2] == array.itemsize or array.shape[2] == 1
    rows_apart = array.shape[0] == 1 or array.strides[0] >= pixel * array.shape[1]
    if channels_packed and (array.strides[1] == pixel or array.shape[1] == 1) and rows_apart:
        return array
    return np.ascontiguousarray(array)


def check_mask_plane(mask: Any, name: str, height: int, width: int) -> np.ndarray:
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(mask).__name__}")
    if mask.dtype.kind not in _MASK_KINDS:
        raise ValueError(f"{name} must have an integer, bool or float dtype, got {mask.dtype}")
    if mask.ndim not in (2, 3) or mask.shape[:2] != (height, width):
        raise ValueError(
            f"{name} must be ({height}, {width}) or ({height}, {width}, C), got shape {mask.shape}"
        )
    # The core holds at most 512 bytes' worth of channels a pixel (64-bit values take 8 each).
    most = MAX_MASK_CHANNEL_BYTES // (8 if mask.dtype.itemsize == 8 else 1)
    if mask.ndim == 3 and not 1 <= mask.shape[2] <= most:
        raise ValueError(f"{name} must have 1 to {most} channels, got shape {mask.shape}")
    return packed(mask)


def check_instance_mask(mask: Any, where: str, height: int, width: int) -> np.ndarray:
    """An instance mask, (H, W) or (H, W, 1), as a 2-D view (no copy)."""
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"{where} must be a numpy array, got {type(mask).__name__}")
    if mask.dtype.kind not in "biu":
        raise ValueError(f"{where} must have an integer or bool dtype, got {mask.dtype}")
    if mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[:, :, 0]
    if mask.ndim != 2 or mask.shape != (height, width):
        raise ValueError(
            f"{where} must be ({height}, {width}) or ({height}, {width}, 1), got shape {mask.shape}"
        )
    return native_byte_order(mask)


def as_float_rows(value: Any, name: str, min_columns: int) -> np.ndarray:
    try:
        arr = np.require(value, np.float64, ["ALIGNED", "ENSUREARRAY"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric rows, got {value!r}") from exc
    if arr.size == 0:
        return arr.reshape(0, max(min_columns, arr.shape[-1] if arr.ndim == 2 else min_columns))
    if arr.ndim != 2 or arr.shape[1] < min_columns:
        raise ValueError(f"{name} must have shape (N, >= {min_columns}), got {arr.shape}")
    if not np.isfinite(arr[:, :min_columns]).all():
        raise ValueError(f"{name} must hold finite numbers")
    return arr


def prepare_boxes(boxes: np.ndarray, params: BboxParams, height: int, width: int, name: str) -> np.ndarray:
    """User boxes -> absolute xyxy, clipped on input if asked, checked as the reference checks them
    (by the core, which the C++ API shares: the same message from both)."""
    # Not ascontiguousarray: it keeps a contiguous array at an odd byte offset, which the core refuses.
    return _core.prepare_boxes(
        np.require(boxes, np.float64, ["C_CONTIGUOUS", "ALIGNED", "ENSUREARRAY"]),
        params.coord_format,
        height,
        width,
        params.clip_bboxes_on_input,
        params.filter_invalid_bboxes,
        params.clip_after_transform,
        name,
    )


def prepare_keypoints(points: np.ndarray, params: KeypointParams) -> np.ndarray:
    return keypoints_to_internal(points, params.coord_format, params.angle_in_degrees)
