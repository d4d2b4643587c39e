"""Compose: validates a call, marshals it into the C++ sample, runs the pipeline, unpacks the result."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from instaug import _core
from instaug._instances import BoundInstances, check_binding
from instaug._label_mapping import KeypointLabelMapping
from instaug._metadata import MetadataReader, RowRegistry, read_metadata
from instaug._shutdown import core_call
from instaug._targets import as_float_rows, check_image, check_mask_plane, prepare_boxes, prepare_keypoints
from instaug.formats import bboxes_from_absolute, keypoints_from_internal
from instaug.params import BboxParams, KeypointParams
from instaug.transforms.base import BaseTransform
from instaug.transforms.compose import BaseCompose
from instaug.transforms.mixing import MixingTransform
from instaug.transforms.pixel import ToTensorV2
from instaug.transforms.python_transforms import python_runner

_MASK64 = 0xFFFFFFFFFFFFFFFF
_RESERVED = ("image", "mask", "masks", "bboxes", "keypoints", "instances")


def call_seed(seed: int, index: int) -> int:
    """The seed of call number `index`: a pure function of (seed, index), whatever thread asks."""
    return _core.call_seed(seed & _MASK64, index & _MASK64)


def _as_params(value: Any, cls: type, name: str) -> Any:
    if value is None or isinstance(value, cls):
        return value
    if isinstance(value, dict):
        return cls(**value)
    raise TypeError(f"{name} must be a {cls.__name__} or a dict of its arguments, got {type(value).__name__}")


# Every Compose, so that a forked child can give each a fresh lock: one of the parent's threads
# may have held it at the fork, and that thread does not exist in the child.
_LIVE: weakref.WeakSet[Compose] = weakref.WeakSet()


def _fresh_locks_in_child() -> None:
    for compose in list(_LIVE):
        compose._lock = threading.Lock()


os.register_at_fork(after_in_child=_fresh_locks_in_child)


def _torch_worker_seed() -> int | None:
    """torch's seed of this DataLoader worker (base seed + worker id), None outside one."""
    torch_data = sys.modules.get("torch.utils.data")  # never imported here: a worker has it
    info = None if torch_data is None else torch_data.get_worker_info()
    return None if info is None else int(info.seed) & _MASK64


def _worker_identity() -> int:
    """What tells a forked process outside torch from its siblings: a multiprocessing pool worker's
    numbers (nested pools included), else the process id (not reproducible run to run)."""
    identity = multiprocessing.current_process()._identity
    if identity:
        value = 1
        for number in identity:
            value = (value * 1_000_003 + int(number)) & _MASK64
        return value
    return (2 << 32) + os.getpid()


_TARGET_KINDS = ("image", "mask", "masks")


def _check_additional_targets(targets: Any, mixing: list[MixingTransform]) -> dict[str, str]:
    """additional_targets {name: "image" | "mask" | "masks"}: each takes the same draws as its kind."""
    if targets is None:
        return {}
    if not isinstance(targets, dict):
        raise TypeError(f"additional_targets must be a dict {{name: target}}, got {type(targets).__name__}")
    for key, kind in targets.items():
        if not isinstance(key, str) or key in _RESERVED:
            raise ValueError(f"additional_targets: {key!r} cannot name an additional target")
        if kind not in _TARGET_KINDS:
            raise ValueError(
                f"additional_targets[{key!r}] must be one of {list(_TARGET_KINDS)}, got {kind!r} "
                "(additional bboxes and keypoints targets are not supported: bind them to rows instead)"
            )
    if targets and mixing:
        names = sorted({type(t).__name__ for t in mixing})
        raise ValueError(
            f"additional_targets do not work with {', '.join(names)}, whose extra images have no twins"
        )
    return dict(targets)


def _leaves(transforms: Sequence[Any]) -> list[BaseTransform]:
    """The transforms that do the work, compositions opened, in order."""
    out: list[BaseTransform] = []
    for t in transforms:
        if isinstance(t, (BaseCompose, Compose)):
            out += _leaves(t.transforms)
        else:
            out.append(t)
    return out


# Calls with their own invocation_seed take this call index, which no Compose's stream reaches.
_INVOCATION_INDEX = _MASK64


@dataclass(frozen=True)
class _Draw:
    """What one call's randomness comes from: call `index` of the stream `seed`."""

    seed: int
    index: int
    force_apply: bool = False


def _check_call_options(invocation_seed: Any, force_apply: Any, where: str) -> None:
    if invocation_seed is not None and (
        isinstance(invocation_seed, bool) or not isinstance(invocation_seed, (int, np.integer))
    ):
        raise TypeError(
            f"{where}invocation_seed must be an integer or None, got {type(invocation_seed).__name__}"
        )
    if not isinstance(force_apply, (bool, np.bool_)):
        raise TypeError(f"{where}force_apply must be True or False, got {type(force_apply).__name__}")


def _call_options(data: dict[str, Any], where: str) -> tuple[dict[str, Any], int | None, bool]:
    """A batch call's data without its options (invocation_seed, force_apply), and the options."""
    data = dict(data)
    seed, force = data.pop("invocation_seed", None), data.pop("force_apply", False)
    _check_call_options(seed, force, f"{where}: ")
    return data, None if seed is None else int(seed), bool(force)


def _gather(values: Any, ids: np.ndarray) -> Any:
    """Labels of the surviving rows, in the caller's container type."""
    if isinstance(values, np.ndarray):
        return values[ids]
    return [values[i] for i in ids.tolist()]


class Compose:
    """A pipeline of transforms applied to a sample of image, masks, boxes, keypoints or instances.

    Same seed, same sequence of outputs; `set_random_seed` restarts it. Each call's randomness is
    derived from (seed, call index), so results do not depend on threads. `is_check_shapes` is
    accepted for compatibility: shapes are always checked (every target shares one canvas).
    """

    def __init__(
        self,
        transforms: Sequence[BaseTransform],
        bbox_params: BboxParams | dict[str, Any] | None = None,
        keypoint_params: KeypointParams | dict[str, Any] | None = None,
        p: float = 1.0,
        instance_binding: Sequence[str] | None = None,
        seed: int | None = None,
        is_check_shapes: bool = True,
        strict: bool = False,
        additional_targets: dict[str, str] | None = None,
    ) -> None:
        if isinstance(transforms, BaseTransform) or not isinstance(transforms, (list, tuple)):
            raise TypeError(f"transforms must be a list of transforms, got {type(transforms).__name__}")
        for i, t in enumerate(transforms):
            if not isinstance(t, (BaseTransform, Compose)):
                raise TypeError(f"transforms[{i}] must be an instaug transform, got {type(t).__name__}")
        if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0 <= p <= 1:
            raise ValueError(f"Compose: p must be a number in [0, 1], got {p!r}")
        self.transforms = list(transforms)
        for i, t in enumerate(self.transforms[:-1]):
            if isinstance(t, ToTensorV2):
                raise ValueError(f"transforms[{i}]: ToTensorV2 must be the last transform")
        self._to_tensor = (
            self.transforms[-1] if self.transforms and isinstance(self.transforms[-1], ToTensorV2) else None
        )
        if self._to_tensor is not None:
            try:
                import torch  # noqa: F401
            except ImportError as exc:
                raise ImportError("ToTensorV2 needs PyTorch: pip install torch") from exc
        core_transforms = self.transforms[:-1] if self._to_tensor is not None else self.transforms
        self._mixing = [t for t in _leaves(core_transforms) if isinstance(t, MixingTransform)]
        self.additional_targets = _check_additional_targets(additional_targets, self._mixing)
        self._image_targets = [k for k, v in self.additional_targets.items() if v == "image"]
        self._mask_targets = [(k, v) for k, v in self.additional_targets.items() if v in ("mask", "masks")]
        self.bbox_params: BboxParams | None = _as_params(bbox_params, BboxParams, "bbox_params")
        self.keypoint_params: KeypointParams | None = _as_params(
            keypoint_params, KeypointParams, "keypoint_params"
        )
        self.p = float(p)
        self.is_check_shapes = bool(is_check_shapes)
        if not isinstance(strict, bool):
            raise TypeError(f"strict must be True or False, got {type(strict).__name__}")
        # Unknown transform arguments are always refused (TypeError); strict adds the call's keys.
        self.strict = strict
        self.instance_binding = (
            None
            if instance_binding is None
            else check_binding(instance_binding, self.bbox_params, self.keypoint_params)
        )
        if self.instance_binding and "keypoints" in self.instance_binding:
            self.keypoint_params = self.keypoint_params.bound_copy()  # type: ignore[union-attr]
        box_config = self.bbox_params.core_config() if self.bbox_params else {}
        kp_config = self.keypoint_params.core_config() if self.keypoint_params else {}
        # INSTAUG_NO_FUSION=1 resamples the image at every geometric step (for comparisons: the
        # benchmark's PSNR table and tests); rows are the same either way.
        python_transforms: list[BaseTransform] = []
        descriptions = [t.describe(python_transforms) for t in core_transforms]
        self._pipeline = _core.Pipeline(
            descriptions,
            box_config,
            kp_config,
            self.p,
            fuse_geometry=not os.environ.get("INSTAUG_NO_FUSION"),
            externals={i: python_runner(t) for i, t in enumerate(python_transforms)},
        )
        self._lock = threading.Lock()
        _LIVE.add(self)
        self.set_random_seed(seed)

    def set_random_seed(self, seed: int | None) -> None:
        """Restart the sequence of outputs from `seed` (None: a fresh random seed)."""
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"seed must be an integer or None, got {type(seed).__name__}")
        with self._lock:
            self._given_seed = None if seed is None else int(seed)
            self._restart(self._given_seed)

    def _restart(self, seed: int | None) -> None:
        worker_seed = _torch_worker_seed()
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "little")
        elif worker_seed is not None:
            # Built inside a DataLoader worker (spawn, or a dataset that makes its own Compose):
            # each worker still gets its own stream.
            seed = call_seed(seed & _MASK64, worker_seed)
        self.seed = seed
        self._calls = 0
        self._pid = os.getpid()

    def _next_calls(self, count: int) -> list[tuple[int, int]]:
        """(seed, call index) of the next `count` calls."""
        with self._lock:
            if os.getpid() != self._pid:
                self._enter_forked_process()
            first, seed = self._calls, self.seed & _MASK64
            self._calls += count
        return [(seed, first + i) for i in range(count)]

    def _enter_forked_process(self) -> None:
        """A forked worker (a DataLoader's) inherits the parent's seed and call count: left alone,
        every worker would repeat the same augmentations. Each draws its own stream instead: a
        fresh one without a seed; with one, the seed mixed with the worker's identity (torch's
        per-worker seed, so that torch.manual_seed reproduces an epoch and epochs differ)."""
        if self._given_seed is None or _torch_worker_seed() is not None:
            self._restart(self._given_seed)
            return
        self._restart(call_seed(self._given_seed & _MASK64, _worker_identity()))

    def _draws(self, options: list[tuple[int | None, bool]]) -> list[_Draw]:
        """The draw of each call: the next of the stream, or the call's own invocation_seed (which
        does not advance the stream)."""
        stream = iter(self._next_calls(sum(seed is None for seed, _ in options)))
        return [
            _Draw(*(next(stream) if seed is None else (seed & _MASK64, _INVOCATION_INDEX)), force)
            for seed, force in options
        ]

    def _run_one(self, data: dict[str, Any], draw: _Draw) -> dict[str, Any]:
        if self.strict:
            self._check_keys(data)
        out = _Call(self, data).run(draw)
        # ToTensorV2's own coin, from the call seed's low bits (the core uses the whole seed).
        coin = (call_seed(draw.seed, draw.index) & 0xFFFFFFFF) / 2.0**32
        if self._to_tensor is not None and coin < self._to_tensor.p:
            out = _to_tensors(out, self._to_tensor.transpose_mask)
        return out

    def batch(self, calls: Sequence[dict[str, Any]], num_threads: int = 1) -> list[dict[str, Any]]:
        """Runs many calls, `num_threads` at a time (the core releases the GIL), and returns their
        outputs in order. Sample i gets the seed the i-th of as many plain calls would get, so the
        outputs do not depend on `num_threads` and equal calling the samples one by one. While a
        batch runs with several threads, kernels inside a sample run single-threaded."""
        if isinstance(calls, dict) or not isinstance(calls, Sequence):
            raise TypeError(f"calls must be a list of keyword dicts, got {type(calls).__name__}")
        for i, data in enumerate(calls):
            if not isinstance(data, dict):
                raise TypeError(f"calls[{i}] must be a dict of call arguments, got {type(data).__name__}")
        if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 1:
            raise ValueError(f"num_threads must be a positive integer, got {num_threads!r}")
        split = [_call_options(data, f"calls[{i}]") for i, data in enumerate(calls)]
        calls = [data for data, _, _ in split]
        seeds = self._draws([(seed, force) for _, seed, force in split])
        indices = range(len(calls))
        if num_threads == 1 or len(calls) < 2:
            return [self._run_numbered(i, data, seed) for i, data, seed in zip(indices, calls, seeds)]
        kernel_threads = _core.get_num_threads()
        _core.set_num_threads(1)
        try:
            with ThreadPoolExecutor(max_workers=num_threads) as pool:
                return list(pool.map(self._run_numbered, indices, calls, seeds))
        finally:
            _core.set_num_threads(kernel_threads)

    def _run_numbered(self, index: int, data: dict[str, Any], call: _Draw) -> dict[str, Any]:
        """One call of a batch; an error says which call it came from (same exception type)."""
        try:
            return self._run_one(data, call)
        except (ValueError, TypeError) as exc:
            if type(exc) not in (ValueError, TypeError):
                raise
            raise type(exc)(f"calls[{index}]: {exc}") from exc

    def __call__(
        self, *args: Any, force_apply: bool = False, invocation_seed: int | None = None, **data: Any
    ) -> dict[str, Any]:
        """Runs one call. `force_apply` skips the Compose's own p (not its transforms'); with
        `invocation_seed` the call is a pure function of its inputs and that seed, and the
        Compose's own sequence does not advance (the reference's rules)."""
        if args:
            raise TypeError(
                "Compose takes keyword arguments only, e.g. transform(image=image, instances=...)"
            )
        _check_call_options(invocation_seed, force_apply, "")
        return self._run_one(data, self._draws([(invocation_seed, force_apply)])[0])

    def _check_keys(self, data: dict[str, Any]) -> None:
        """strict=True: every key of the call must be something the pipeline reads."""
        known = set(_RESERVED) | {"applied_transforms", "labels", "user_data"} | set(self.additional_targets)
        known |= {t.metadata_key for t in self._mixing}
        for params in (self.bbox_params, self.keypoint_params):
            known |= set(params.label_fields) if params else set()
        for key in data:
            if key not in known:
                raise ValueError(f"Key {key} is not in available keys.")

    def to_core(self) -> dict[str, Any]:
        """The description of this Compose nested in another: its transforms and p (as in the
        reference, a nested Compose's bbox_params and keypoint_params are not used)."""
        return self.describe([])

    def describe(self, python_transforms: list[BaseTransform]) -> dict[str, Any]:
        children = [t.describe(python_transforms) for t in self.transforms]
        return {"__class_fullname__": "Compose", "transforms": children, "p": self.p}

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(t) for t in self.transforms)
        params = f"bbox_params={self.bbox_params}, keypoint_params={self.keypoint_params}"
        return f"Compose([\n  {inner}\n], {params})"


def _to_tensors(out: dict[str, Any], transpose_mask: bool) -> dict[str, Any]:
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


class _Call:
    """One call: what the caller passed, turned into core inputs, and the way back."""

    def __init__(self, compose: Compose, data: dict[str, Any]) -> None:
        self.compose = compose
        self.data = data
        self.bound: BoundInstances | None = None
        binding = compose.instance_binding
        if "instances" in data and binding is None:
            raise ValueError("instances= needs Compose(instance_binding=[...])")
        self.use_instances = binding is not None and "instances" in data
        if self.use_instances:
            clash = sorted(k for k in binding if k in data)  # type: ignore[union-attr]
            if clash:
                raise ValueError(f"pass bound targets inside instances, not as {clash} next to instances=")
        self.height, self.width = self._shape()
        self.mixing = compose._mixing
        if self.mixing:
            names = sorted({type(t).__name__ for t in self.mixing})
            if self.image is None:
                raise ValueError(f"{', '.join(names)} need image= in the call")
            plain = sorted(k for k in ("masks", "keypoints") if k in data and not self.use_instances)
            if plain:
                raise ValueError(
                    f"{', '.join(names)} carry rows, not loose {plain}: bind them with "
                    "Compose(instance_binding=[...]) and pass instances="
                )

    def _shape(self) -> tuple[int, int]:
        data = self.data
        if "image" in data:
            self.image: np.ndarray | None = check_image(data["image"])
            return int(self.image.shape[0]), int(self.image.shape[1])
        self.image = None
        for key in ("mask", "masks"):
            value = data.get(key)
            if value is not None and len(value) > 0:
                first = value if key == "mask" else value[0]
                shape = np.shape(first)
                if len(shape) >= 2:
                    return int(shape[0]), int(shape[1])
        raise ValueError("pass image= (or a non-empty mask=/masks=) so that the sample has a shape")

    def _mask_planes(self) -> tuple[list[np.ndarray], list[tuple[str, int]]]:
        """Every plain mask plane of the call, and which key each run of planes came from:
        mask= (one plane), masks= (one per object) and their additional targets."""
        planes: list[np.ndarray] = []
        groups: list[tuple[str, int]] = []
        bound = self.compose.instance_binding if self.use_instances else frozenset()
        for key, kind in [("mask", "mask"), ("masks", "masks"), *self.compose._mask_targets]:
            value = self.data.get(key)
            if value is None or key in bound:  # type: ignore[operator]
                continue
            found = self._plane_group(key, kind, value)
            planes += found
            groups.append((key, len(found)))
        return planes, groups

    def _plane_group(self, key: str, kind: str, value: Any) -> list[np.ndarray]:
        if kind == "mask":
            return [check_mask_plane(value, key, self.height, self.width)]
        if isinstance(value, np.ndarray) and value.ndim != 3:
            raise ValueError(f"{key} must be (N, H, W) or a list of (H, W) arrays, got shape {value.shape}")
        return [check_mask_plane(m, f"{key}[{i}]", self.height, self.width) for i, m in enumerate(value)]

    def _extra_images(self) -> list[np.ndarray]:
        """The additional image targets of the call (image2=...), in declaration order."""
        extras = []
        for key in self._image_keys():
            image = check_image(self.data[key], key)
            if image.shape[:2] != (self.height, self.width):
                raise ValueError(
                    f"{key} must have the image's height and width ({self.height}, {self.width}), "
                    f"got {image.shape[:2]}"
                )
            extras.append(image)
        return extras

    def _image_keys(self) -> list[str]:
        keys = [k for k in self.compose._image_targets if self.data.get(k) is not None]
        if keys and self.image is None:
            raise ValueError(
                f"Additional target {keys[0]!r} requires canonical target 'image' to be present."
            )
        return keys

    def _plain_boxes(self) -> np.ndarray | None:
        if "bboxes" not in self.data or self.use_instances:
            return None
        params = self.compose.bbox_params
        if params is None:
            raise ValueError("bboxes= needs Compose(bbox_params=BboxParams(...))")
        self.plain_boxes = as_float_rows(self.data["bboxes"], "bboxes", 4)
        self._check_label_lists(params.label_fields, "BboxParams", len(self.plain_boxes), "bboxes")
        return prepare_boxes(self.plain_boxes, params, self.height, self.width, "bboxes")

    def _plain_keypoints(self) -> np.ndarray | None:
        if "keypoints" not in self.data or self.use_instances:
            return None
        params = self.compose.keypoint_params
        if params is None:
            raise ValueError("keypoints= needs Compose(keypoint_params=KeypointParams(...))")
        self.plain_keypoints = as_float_rows(self.data["keypoints"], "keypoints", len(params.coord_format))
        self._check_label_lists(params.label_fields, "KeypointParams", len(self.plain_keypoints), "keypoints")
        return prepare_keypoints(self.plain_keypoints, params)

    def _check_label_lists(self, fields: list[str], owner: str, count: int, what: str) -> None:
        for field in fields:
            if field not in self.data:
                raise ValueError(f"label field {field!r} of {owner} is missing from the call")
            labels = self.data[field]
            try:
                given = len(labels) if not isinstance(labels, (str, bytes)) else -1
            except TypeError:
                given = -1
            if given < 0:
                raise TypeError(
                    f"label field {field!r} must be a list with one label per item of {what}, "
                    f"got {type(labels).__name__}"
                )
            if given != count:
                raise ValueError(f"label field {field!r} has {given} labels for {count} {what}")

    def _check_wide_masks(self, dtypes: list[np.dtype]) -> None:
        if any(d.itemsize == 8 and d.kind in "iu" for d in dtypes) and (
            self.compose._pipeline.resamples_masks_smoothly()
        ):
            raise ValueError("masks of a 64-bit integer dtype work only with mask_interpolation=0 (nearest)")

    def run(self, draw: _Draw) -> dict[str, Any]:
        compose = self.compose
        planes, plane_groups = self._mask_planes()
        boxes = self._plain_boxes()
        free_kps = self._plain_keypoints()
        if self.use_instances:
            self.bound = BoundInstances(
                self.data["instances"],
                compose.instance_binding,  # type: ignore[arg-type]
                compose.bbox_params,
                compose.keypoint_params,
                self.height,
                self.width,
            )
            bound = self.bound
            boxes = bound.boxes
            row_masks = bound.masks if bound.has_masks else None
            row_kps, offsets, ids = bound.keypoints, bound.offsets, bound.source_ids
            self.registry = RowRegistry(bound.templates, {})
        else:
            row_masks, row_kps, offsets = None, None, None
            ids = np.arange(0 if boxes is None else len(boxes), dtype=np.int64)
            fields = compose.bbox_params.label_fields if boxes is not None and compose.bbox_params else []
            self.registry = RowRegistry(
                [{} for _ in range(len(ids))],
                {f: list(self.data[f]) for f in fields},
                None if boxes is None else self.plain_boxes[:, 4:],
            )
        metadata = self._metadata(row_masks, plain_bboxes=boxes is not None and not self.use_instances)
        self._check_wide_masks([p.dtype for p in planes] + ([row_masks[0].dtype] if row_masks else []))
        sample = _core.SampleInput(
            width=self.width,
            height=self.height,
            image=self.image,
            extra_images=self._extra_images(),
            mask_planes=planes,
            boxes=boxes,
            row_masks=row_masks,
            row_keypoints=row_kps,
            keypoint_offsets=offsets,
            source_ids=ids,
            free_keypoints=free_kps,
            free_ids=None if free_kps is None else np.arange(len(free_kps), dtype=np.int64),
            metadata=metadata,
        )
        with core_call():
            result = compose._pipeline.run(draw.seed, draw.index, draw.force_apply, sample)
        return self._unpack(result, plane_groups)

    def _metadata(self, row_masks: list[np.ndarray] | None, plain_bboxes: bool) -> dict[str, list[Any]]:
        if not self.mixing:
            return {}
        reader = MetadataReader(
            self.image,  # type: ignore[arg-type]
            self.compose.instance_binding if self.use_instances else frozenset(),  # type: ignore[arg-type]
            self.compose.bbox_params,
            self.compose.keypoint_params,
            row_masks,
            self.registry,
            plain_bboxes=plain_bboxes,
            plain_mask="mask" in self.data and not self.use_instances,
        )
        return read_metadata(self.data, self.mixing, reader)

    def _label_mapping(self, applied: list[int]) -> KeypointLabelMapping | None:
        params = self.compose.keypoint_params
        if params is None or not params.label_mapping:
            return None
        names = self.compose._pipeline.leaf_names()
        mapping = KeypointLabelMapping(params.label_mapping, params.label_fields, [names[i] for i in applied])
        return mapping or None

    def _unpack(self, result: dict[str, Any], plane_groups: list[tuple[str, int]]) -> dict[str, Any]:
        compose, data = self.compose, self.data
        metadata_keys = {t.metadata_key for t in self.mixing}
        out = {
            k: v
            for k, v in data.items()
            if k not in _RESERVED
            and k not in metadata_keys
            and k not in self.compose.additional_targets
            and not self._is_label_field(k)
        }
        height, width = result["height"], result["width"]
        if result["image"] is not None:
            out["image"] = result["image"]
        mapping = self._label_mapping(result["applied"])
        for key, image in zip(self._image_keys(), result["extra_images"]):
            out[key] = image
        planes = iter(result["mask_planes"])
        for key, count in plane_groups:
            group = [next(planes) for _ in range(count)]
            if dict(self.compose._mask_targets).get(key, key) == "mask":
                out[key] = group[0]
            elif isinstance(data[key], np.ndarray):
                out[key] = np.stack(group) if group else data[key][:0].copy()
            else:
                out[key] = group
        ids = result["source_ids"]
        if self.bound is not None:
            out["instances"] = self.bound.unpack(result, mapping, self.registry.template)
        elif "bboxes" in data:
            params = compose.bbox_params
            boxes = bboxes_from_absolute(result["boxes"], params.coord_format, height, width)  # type: ignore[union-attr]
            extra = self.registry.plain_extras(ids)
            out["bboxes"] = (
                np.concatenate([boxes, extra.astype(np.float32)], axis=1) if extra.shape[1] else boxes
            )
            for field in params.label_fields:  # type: ignore[union-attr]
                labels = self.registry.plain_labels[field]
                if self.registry.new_rows == 0:
                    out[field] = _gather(data[field], ids)
                else:
                    gathered = [labels[i] for i in ids.tolist()]
                    out[field] = np.asarray(gathered) if isinstance(data[field], np.ndarray) else gathered
        if "keypoints" in data and not self.use_instances:
            kp = compose.keypoint_params
            kp_ids = result["free_ids"]
            points = keypoints_from_internal(result["free_keypoints"], kp.coord_format, kp.angle_in_degrees)  # type: ignore[union-attr]
            extra = self.plain_keypoints[kp_ids, len(kp.coord_format) :]  # type: ignore[union-attr]
            points = np.concatenate([points, extra.astype(np.float32)], axis=1) if extra.shape[1] else points
            labels = {field: _gather(data[field], kp_ids) for field in kp.label_fields}  # type: ignore[union-attr]
            if mapping is not None:
                points, labels = mapping.apply(points, labels)
            out["keypoints"] = points
            out.update(labels)
        return out

    def _is_label_field(self, key: str) -> bool:
        fields: list[str] = []
        if self.compose.bbox_params:
            fields += self.compose.bbox_params.label_fields
        if self.compose.keypoint_params:
            fields += self.compose.keypoint_params.label_fields
        return key in fields
