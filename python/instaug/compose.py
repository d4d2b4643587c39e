"""Compose: validates a call, marshals it into the C++ sample, runs the pipeline, unpacks the result."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from instaug import _core
from instaug._applied import applied_transforms
from instaug._call import RESERVED, read_call, unpack
from instaug._call_values import collect_call_keys
from instaug._encoded_masks import MASK_OUTPUTS, check_mask_output
from instaug._instances import check_binding
from instaug._shutdown import core_call
from instaug._streams import CallStream, Draw, call_options, check_call_options
from instaug._tensors import to_tensors
from instaug.params import BboxParams, KeypointParams
from instaug.transforms.base import REPR_INDENT, BaseTransform, arguments_of, composition_repr
from instaug.transforms.compose import BaseCompose, children_of, map_children
from instaug.transforms.mixing import MixingTransform
from instaug.transforms.pixel import ToTensorV2
from instaug.transforms.python_transforms import python_runner


def _as_params(value: Any, cls: type, name: str) -> Any:
    if value is None or isinstance(value, cls):
        return value
    if isinstance(value, dict):
        return cls(**value)
    raise TypeError(f"{name} must be a {cls.__name__} or a dict of its arguments, got {type(value).__name__}")


_TARGET_KINDS = ("image", "mask", "masks")


def _check_additional_targets(targets: Any, mixing: list[MixingTransform]) -> dict[str, str]:
    """additional_targets {name: "image" | "mask" | "masks"}: each takes the same draws as its kind."""
    if targets is None:
        return {}
    if not isinstance(targets, dict):
        raise TypeError(f"additional_targets must be a dict {{name: target}}, got {type(targets).__name__}")
    for key, kind in targets.items():
        if not isinstance(key, str) or key in RESERVED:
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
    """The transforms that do the work, compositions opened, in the order the core numbers them."""
    out: list[BaseTransform] = []
    for t in transforms:
        if isinstance(t, (BaseCompose, Compose)):
            out += _leaves(children_of(t))
        else:
            out.append(t)
    return out


def _with_mask_interpolation(description: dict[str, Any], flag: int) -> dict[str, Any]:
    """Compose(mask_interpolation=...): every transform that resamples masks uses `flag`."""
    out = map_children(description, lambda child, _: _with_mask_interpolation(child, flag))
    if "mask_interpolation" in out:
        out["mask_interpolation"] = flag
    return out


# Keys strict=True accepts though the pipeline does not read them, as the reference does.
_ALSO_ACCEPTED = frozenset({"applied_transforms", "labels", "user_data"})


# Compose's arguments checked in Python (objects, or checks with their own messages); the core's
# schema checks the others.
_CHECKED_HERE = frozenset({"bbox_params", "keypoint_params", "additional_targets", "instance_binding"})


# Compose's arguments that the reference lacks, with their defaults: written to a file only when set.
_OURS_BY_DEFAULT: dict[str, Any] = {
    "mask_output": "per_row",
    "mask_output_ratio": 1,
    "polygon_format": "coco",
    "save_geometry": False,
}
_NO_DEFAULT = object()


def _rebuilt_compose(cls: type[Compose], arguments: dict[str, Any], seed: int) -> Compose:
    return cls(**arguments, seed=seed)


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
        additional_targets: dict[str, str] | None = None,
        p: float = 1.0,
        is_check_shapes: bool = True,
        strict: bool = False,
        mask_interpolation: int | None = None,
        seed: int | None = None,
        save_applied_params: bool = False,
        telemetry: bool = True,
        instance_binding: Sequence[str] | None = None,
        frame_binding: Sequence[str] | None = None,
        semantic_mask_label_mappings: dict[str, dict[int, int]] | None = None,
        mask_output: str = "per_row",
        mask_output_ratio: int = 1,
        polygon_format: str = "coco",
        save_geometry: bool = False,
    ) -> None:
        """Beyond the reference's arguments: `mask_output` chooses how instance masks come back -
        "per_row" (each instance's (H, W) "mask", the default), "stacked" (one (N, H, W) array in
        out["masks"], each instance's "mask" a view of its row), "index_map" (out["index_map"], a map
        of row numbers + 1 in Ultralytics' overlap order; instances carry no "mask") or "coco_rle"
        (each instance's "mask" a COCO RLE dict); `mask_output_ratio` k gives "stacked" and
        "index_map" at 1/k resolution (YOLO-seg trains on 4). `polygon_format` says how polygon masks
        in instances are given: "coco" (pixels) or "yolo" (normalised to the image size).
        `save_geometry=True` puts out["geometry"], an A.Geometry: the map from the input image to
        the output with the way back (unmap_bboxes, unmap_keypoints, unmap_mask) for what a network
        finds on the output."""
        arguments = arguments_of(locals())
        del arguments["seed"]
        self._init(arguments, seed)

    def _init(self, arguments: dict[str, Any], seed: int | None) -> None:
        transforms = arguments["transforms"]
        if isinstance(transforms, BaseTransform) or not isinstance(transforms, (list, tuple)):
            raise TypeError(f"transforms must be a list of transforms, got {type(transforms).__name__}")
        self._arguments = {**arguments, "transforms": list(transforms)}
        p, strict, instance_binding = arguments["p"], arguments["strict"], arguments["instance_binding"]
        bbox_params, keypoint_params = arguments["bbox_params"], arguments["keypoint_params"]
        self.mask_interpolation: int | None = arguments["mask_interpolation"]
        self.save_applied_params: bool = arguments["save_applied_params"]
        self.telemetry: bool = arguments["telemetry"]
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
        # Keys such as cropping_bbox= are read but come back unchanged, as the reference's do.
        self._call_keys = collect_call_keys(_leaves(core_transforms))
        self._reads_row_labels = any(t.reads_row_labels() for t in _leaves(core_transforms))
        self.additional_targets = _check_additional_targets(arguments["additional_targets"], self._mixing)
        self._image_targets = [k for k, v in self.additional_targets.items() if v == "image"]
        self._mask_targets = [(k, v) for k, v in self.additional_targets.items() if v in ("mask", "masks")]
        self.bbox_params: BboxParams | None = _as_params(bbox_params, BboxParams, "bbox_params")
        self.keypoint_params: KeypointParams | None = _as_params(
            keypoint_params, KeypointParams, "keypoint_params"
        )
        self.p = float(p)
        self.is_check_shapes = bool(arguments["is_check_shapes"])
        if not isinstance(strict, bool):
            raise TypeError(f"strict must be True or False, got {type(strict).__name__}")
        # Unknown transform arguments are always refused (TypeError); strict adds the call's keys.
        self.strict = strict
        # The other arguments a file holds are checked by the core's schema of Compose (its words).
        _core.validate_arguments(
            type(self).__name__,
            {k: (None if k in _CHECKED_HERE else v) for k, v in {**arguments, "transforms": []}.items()},
        )
        self.instance_binding = (
            None
            if instance_binding is None
            else check_binding(instance_binding, self.bbox_params, self.keypoint_params)
        )
        self.mask_output, self.mask_output_ratio = check_mask_output(
            arguments["mask_output"], arguments["mask_output_ratio"], self.instance_binding
        )
        self.polygon_format: str = arguments["polygon_format"]
        self.save_geometry: bool = arguments["save_geometry"]
        if self.instance_binding and "keypoints" in self.instance_binding:
            self.keypoint_params = self.keypoint_params.bound_copy()  # type: ignore[union-attr]
        box_config = self.bbox_params.core_config() if self.bbox_params else {}
        kp_config = self.keypoint_params.core_config() if self.keypoint_params else {}
        # INSTAUG_NO_FUSION=1 resamples the image at every geometric step (for comparisons: the
        # benchmark's PSNR table and tests); rows are the same either way.
        python_transforms: list[BaseTransform] = []
        descriptions = [t.describe(python_transforms) for t in core_transforms]
        if self.mask_interpolation is not None:
            descriptions = [_with_mask_interpolation(d, self.mask_interpolation) for d in descriptions]
        self._pipeline = _core.Pipeline(
            descriptions,
            box_config,
            kp_config,
            self.p,
            fuse_geometry=not os.environ.get("INSTAUG_NO_FUSION"),
            externals={i: python_runner(t) for i, t in enumerate(python_transforms)},
        )
        # Derived once: the keys a call's data may hold for the pipeline (the rest pass through),
        # and the names of the transforms the core reports as applied.
        self._read_keys = (
            frozenset(RESERVED) | {t.metadata_key for t in self._mixing} | set(self.additional_targets)
        )
        for params in (self.bbox_params, self.keypoint_params):
            self._read_keys |= set(params.label_fields) if params else set()
        self._leaf_names = self._pipeline.leaf_names()
        self._leaf_transforms = _leaves(core_transforms)
        self._stream = CallStream(seed)

    def set_random_seed(self, seed: int | None) -> None:
        """Restart the sequence of outputs from `seed` (None: a fresh random seed)."""
        self._stream.restart(seed)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickling (DataLoader workers started by spawn or forkserver) and copy.deepcopy: the
        copy is built again from the same arguments and seeded with this Compose's seed, so its
        sequence starts over from the first call (in a DataLoader worker: the worker's own stream,
        as for a Compose built there). A transform that cannot be pickled (a Lambda of lambdas)
        makes pickle say so."""
        return (_rebuilt_compose, (type(self), self._arguments, self._stream.seed))

    @property
    def seed(self) -> int:
        """The seed of this Compose's sequence of calls (in a forked worker: the worker's own)."""
        return self._stream.seed

    def _run_one(self, data: dict[str, Any], draw: Draw) -> dict[str, Any]:
        if self.strict:
            self._check_keys(data)
        inputs = read_call(self, data)
        collect = self.save_applied_params or self._records_replay
        with core_call():
            result = self._pipeline.run(
                draw.seed,
                draw.index,
                draw.force_apply,
                inputs.sample,
                collect_notes=collect,
                mask_output=MASK_OUTPUTS.index(self.mask_output),
                mask_ratio=self.mask_output_ratio,
                geometry=self.save_geometry,
            )
        out = unpack(self, data, inputs, result)
        if self._to_tensor is not None and draw.coin() < self._to_tensor.p:
            out = to_tensors(out, self._to_tensor.transpose_mask)
            if collect:  # the last of _all_leaves, applied here rather than in the core
                result["applied"].append(len(self._leaf_transforms))
                result["notes"].append({})
        if self.save_geometry:
            out["geometry"] = result["geometry"]
        if self.save_applied_params:
            out["applied_transforms"] = applied_transforms(
                self._all_leaves, result["applied"], result["notes"]
            )
        if self._records_replay:
            self._record_replay(out, result, draw)  # type: ignore[attr-defined]
        return out

    # Whether each call is recorded for replay: ReplayCompose (replay.py) writes out[save_key].
    _records_replay = False

    @property
    def _all_leaves(self) -> list[BaseTransform]:
        """The leaves the core numbers, and a final ToTensorV2 after them (applied here)."""
        return self._leaf_transforms + ([self._to_tensor] if self._to_tensor is not None else [])

    @staticmethod
    def from_applied_transforms(
        applied_transforms: Sequence[tuple[str, dict[str, Any]]], **compose_kwargs: Any
    ) -> Compose:
        """A Compose that redoes a call's draws: each applied (name, config) built with its drawn
        values as one-value ranges and p=1, in a Compose of p=1 (the reference's rule). Draws that
        are not arguments (a crop's position) are drawn again."""
        import instaug
        from instaug._applied import replay_arguments

        if "p" in compose_kwargs:
            raise ValueError(
                "from_applied_transforms() fixes the reconstructed Compose probability at 1.0; do not pass p"
            )
        transforms = [
            getattr(instaug, name)(**replay_arguments(name, config)) for name, config in applied_transforms
        ]
        return Compose(transforms, p=1.0, **compose_kwargs)

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
        split = [call_options(data, f"calls[{i}]") for i, data in enumerate(calls)]
        calls = [data for data, _, _ in split]
        seeds = self._stream.draws([(seed, force) for _, seed, force in split])
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

    def _run_numbered(self, index: int, data: dict[str, Any], call: Draw) -> dict[str, Any]:
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
        check_call_options(invocation_seed, force_apply, "")
        return self._run_one(data, self._stream.draws([(invocation_seed, force_apply)])[0])

    def _check_keys(self, data: dict[str, Any]) -> None:
        """strict=True: every key of the call must be something the pipeline reads (or one of the
        keys the reference lets through: applied_transforms, labels, user_data)."""
        for key in data:
            if key not in self._read_keys and key not in self._call_keys and key not in _ALSO_ACCEPTED:
                raise ValueError(f"Key {key} is not in available keys.")

    def to_dict_private(self, on_not_implemented_error: str = "raise") -> dict[str, Any]:
        """This Compose as a pipeline file holds it, in the reference's layout and order."""
        out: dict[str, Any] = {"__class_fullname__": type(self).__name__}
        for key, value in self._arguments.items():
            if _OURS_BY_DEFAULT.get(key, _NO_DEFAULT) == value:
                continue  # the reference loads the file unless it holds keys of ours it lacks
            if key == "transforms":
                value = [t.to_dict_private(on_not_implemented_error) for t in self.transforms]
            elif key in ("bbox_params", "keypoint_params"):
                given = getattr(self, key)
                value = None if given is None else given.to_dict_private()
            elif key == "instance_binding":
                value = None if value is None else list(value)
            out[key] = value
            if key == "mask_interpolation":
                out["seed"] = self._stream.given_seed
        return out

    def to_dict(self, on_not_implemented_error: str = "raise") -> dict[str, Any]:
        """The file content of this Compose, as A.to_dict(self)."""
        from instaug.serialization import to_dict

        return to_dict(self, on_not_implemented_error)

    def to_core(self) -> dict[str, Any]:
        """The description of this Compose nested in another: its transforms and p (as in the
        reference, a nested Compose's bbox_params and keypoint_params are not used)."""
        return self.describe([])

    def describe(self, python_transforms: list[BaseTransform]) -> dict[str, Any]:
        children = [t.describe(python_transforms) for t in self.transforms]
        return {"__class_fullname__": "Compose", "transforms": children, "p": self.p}

    def indented_repr(self, indent: int = REPR_INDENT) -> str:
        """The reference's layout; evaluated with instaug's names in scope, it builds this Compose."""
        arguments = {
            k: v for k, v in self.to_dict_private().items() if k not in ("__class_fullname__", "transforms")
        }
        return composition_repr(type(self).__name__ + "(", self.transforms, arguments, indent)

    def __repr__(self) -> str:
        return self.indented_repr()
