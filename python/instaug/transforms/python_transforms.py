"""Transforms written in Python: subclasses of A.ImageOnlyTransform / A.DualTransform outside the
registry, and Lambda. The C++ pipeline runs them where they stand (inside compositions too): it
stops, takes the GIL, hands the sample over as NumPy arrays, and carries on with what comes back.
That costs a full mask plane per bound row each way (the core keeps masks as tiles) and holds
the GIL while the transform runs.

As in albumentations: `apply(img, **params)` gets the image (H, W, C); a DualTransform's
`apply_to_mask(mask, **params)` (default: apply) gets each mask (H, W, 1), instance masks one by
one; `apply_to_bboxes(bboxes, **params)` gets (N, 4) boxes in normalised x_min, y_min, x_max,
y_max and `apply_to_keypoints(keypoints, **params)` (N, 5) keypoints in pixels (x, y, z, angle in
radians, scale) - each only when the subclass defines it (the reference leaves boxes and
keypoints alone otherwise). `params` holds `shape` and what `get_params()`,
`get_params_dependent_on_data(params, data)` and `sample_parameters(params, data, targets,
sampling)` return. `self.py_random` (random.Random) and `self.random_generator` (NumPy) are seeded
from the call, so results follow (seed, call) like every other transform."""

from __future__ import annotations

import os
import random
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from instaug.transforms.base import BaseTransform, DualTransform, ImageOnlyTransform

Sample = dict[str, Any]


@dataclass(frozen=True)
class SamplingContext:
    """What sample_parameters gets to draw with: the call's generators."""

    py_random: random.Random
    random_generator: np.random.Generator


# One lock per transform object: its generators are attributes, and batch threads may run it at once.
_LOCKS: weakref.WeakKeyDictionary[BaseTransform, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def _fresh_locks_in_child() -> None:
    # One of the parent's threads may have held a lock at the fork; that thread is not the child's.
    global _LOCKS_GUARD
    _LOCKS_GUARD = threading.Lock()
    _LOCKS.clear()


os.register_at_fork(after_in_child=_fresh_locks_in_child)


def _lock_of(transform: BaseTransform) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(transform, threading.Lock())


def python_runner(transform: BaseTransform) -> Callable[[Sample, int], Sample]:
    """What the core calls for `transform`: fn(sample, seed) -> sample."""

    def run(sample: Sample, seed: int) -> Sample:
        with _lock_of(transform):
            return _run(transform, sample, seed)

    return run


def _defines(transform: BaseTransform, method: str) -> bool:
    """True when the transform's class (not one of ours) defines `method`."""
    for klass in type(transform).__mro__:
        if method in vars(klass):
            return not klass.__module__.startswith("instaug.") or klass is Lambda
    return False


def _packed(array: Any, like: np.ndarray) -> np.ndarray:
    """A result as the core reads it: contiguous, with the input's dtype, (H, W) for one channel."""
    out = np.ascontiguousarray(np.asarray(array), dtype=like.dtype)
    return out[:, :, 0] if out.ndim == 3 and out.shape[2] == 1 and like.ndim == 2 else out


def _with_channel_axis(plane: np.ndarray) -> np.ndarray:
    return plane[:, :, None] if plane.ndim == 2 else plane


def _sample_params(transform: BaseTransform, sample: Sample, data: dict[str, Any]) -> dict[str, Any]:
    image = sample["image"]
    shape = image.shape if image is not None else (sample["height"], sample["width"], 1)
    params: dict[str, Any] = {"shape": tuple(shape)}
    if _defines(transform, "get_params"):
        params.update(transform.get_params())  # type: ignore[attr-defined]
    if _defines(transform, "get_params_dependent_on_data"):
        params.update(transform.get_params_dependent_on_data(params, data))  # type: ignore[attr-defined]
    if _defines(transform, "sample_parameters"):
        sampling = SamplingContext(transform.py_random, transform.random_generator)  # type: ignore[attr-defined]
        chosen = transform.sample_parameters(params, data, set(data), sampling)  # type: ignore[attr-defined]
        params.update(getattr(chosen, "params", chosen) or {})
    return params


def _run(transform: BaseTransform, sample: Sample, seed: int) -> Sample:
    transform.py_random = random.Random(seed)  # type: ignore[attr-defined]
    transform.random_generator = np.random.default_rng(seed)  # type: ignore[attr-defined]
    height, width = sample["height"], sample["width"]
    scale = np.array([width, height, width, height], dtype=np.float64)
    boxes = None if sample["boxes"] is None else sample["boxes"] / scale
    data = {
        "image": sample["image"],
        "masks": sample["masks"],
        "bboxes": boxes,
        "keypoints": sample["keypoints"],
    }
    params = _sample_params(transform, sample, data)
    if sample["image"] is not None:
        sample["image"] = _packed(transform.apply(sample["image"], **params), sample["image"])  # type: ignore[attr-defined]
    if isinstance(transform, DualTransform):
        _apply_to_spatial_targets(transform, sample, params, boxes)
    return sample


def _apply_to_spatial_targets(
    transform: DualTransform, sample: Sample, params: dict[str, Any], boxes: np.ndarray | None
) -> None:
    def mask(plane: np.ndarray) -> np.ndarray:
        return _packed(transform.apply_to_mask(_with_channel_axis(plane), **params), plane)

    sample["mask_planes"] = [mask(p) for p in sample["mask_planes"]]
    if sample["masks"] is not None:
        sample["masks"] = [mask(m) for m in sample["masks"]]
    planes = [sample["image"], *sample["mask_planes"], *(sample["masks"] or [])]
    shaped = next((p for p in planes if p is not None), None)
    if shaped is not None:
        sample["height"], sample["width"] = shaped.shape[:2]
    if boxes is not None and _defines(transform, "apply_to_bboxes"):
        moved = np.asarray(transform.apply_to_bboxes(boxes, **params), dtype=np.float64)  # type: ignore[attr-defined]
        width, height = sample["width"], sample["height"]
        sample["boxes"] = np.ascontiguousarray(moved[:, :4] * np.array([width, height, width, height]))
    if _defines(transform, "apply_to_keypoints"):
        for key in ("keypoints", "free_keypoints"):
            if sample.get(key) is not None:
                moved = transform.apply_to_keypoints(sample[key], **params)  # type: ignore[attr-defined]
                sample[key] = np.ascontiguousarray(np.asarray(moved, dtype=np.float64)[:, :5])


def _identity(value: Any, **params: Any) -> Any:
    return value


class Lambda(DualTransform):
    """Functions of your own for each target, called as fn(value, **params) (so they take
    **kwargs): `image` on the image, `mask` on each mask, `bboxes` on the normalised boxes,
    `keypoints` on the keypoints in pixels."""

    def __init__(
        self,
        image: Callable[..., Any] | None = None,
        mask: Callable[..., Any] | None = None,
        keypoints: Callable[..., Any] | None = None,
        bboxes: Callable[..., Any] | None = None,
        name: str | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        for key, fn in (("image", image), ("mask", mask), ("keypoints", keypoints), ("bboxes", bboxes)):
            if fn is not None and not callable(fn):
                raise TypeError(f"Lambda: {key} must be callable, got {type(fn).__name__}")
        self.name = name
        self._image, self._mask = image or _identity, mask or _identity
        self._keypoints, self._bboxes = keypoints or _identity, bboxes or _identity

    def apply(self, img: np.ndarray, **params: Any) -> Any:
        return self._image(img, **params)

    def apply_to_mask(self, mask: np.ndarray, **params: Any) -> Any:
        return self._mask(mask, **params)

    def apply_to_bboxes(self, bboxes: np.ndarray, **params: Any) -> Any:
        return self._bboxes(bboxes, **params)

    def apply_to_keypoints(self, keypoints: np.ndarray, **params: Any) -> Any:
        return self._keypoints(keypoints, **params)


__all__ = ["DualTransform", "ImageOnlyTransform", "Lambda", "SamplingContext", "python_runner"]
