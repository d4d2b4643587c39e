"""A map-style dataset that runs a Compose on the samples of a source, feeding Mosaic and
CopyAndPaste with neighbours and donors drawn from the source itself."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from instaug.compose import Compose, _leaves
from instaug.datasets._images import LruCache
from instaug.transforms.mixing import CopyAndPaste, Mosaic

# torch's Dataset as the base where torch is installed (isinstance checks, `+` concatenation).
try:
    from torch.utils.data import Dataset as _Base
except ImportError:  # pragma: no cover - exercised by the test that hides torch
    _Base = object  # type: ignore[assignment,misc]

DEFAULT_CACHED_IMAGES = 64
_MASK64 = (1 << 64) - 1

# Instance keys each bound target brings; the others are dropped from the call, so that a key the
# pipeline does not transform (a COCO mask under a boxes-and-keypoints binding) cannot come back
# looking augmented.
_KEYS_OF_TARGET = {
    "mask": ("mask",),
    "masks": ("mask",),
    "bboxes": ("bbox",),
    "keypoints": ("keypoints", "keypoint_labels"),
}
_TARGET_KEYS = frozenset(k for keys in _KEYS_OF_TARGET.values() for k in keys)


def _cache_capacity(cache_images: bool | int) -> int:
    if cache_images is True:
        return DEFAULT_CACHED_IMAGES
    if cache_images is False:
        return 0
    if isinstance(cache_images, int) and cache_images >= 0:
        return cache_images
    raise ValueError(f"cache_images must be True, False or a number of images, got {cache_images!r}")


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


class AugmentedDataset(_Base):  # type: ignore[misc,valid-type]
    """`dataset[i]` is `compose` run on sample i of `source` (CocoInstances, YoloDataset, or any
    map-style dataset of `{"image", "instances", ...}` dicts), with `"index"` and `"image_id"` added
    and `"targets"`: the instance keys the pipeline transforms (for `collate`).

    Every Mosaic in the pipeline (nested compositions included) gets `neighbours` other samples
    under its metadata_key, every CopyAndPaste `donors` instances of `donor_images` other samples
    (crowd annotations left out); `mosaic_key` / `copy_paste_key` name keys to fill besides those
    found (for a `compose` that is a callable around a Compose). A pipeline without instance_binding
    gets its boxes as plain `bboxes=` with its label fields (YOLO detect: a binding needs two targets).

    With a `seed`, sample i of epoch e is a function of (seed, e, i): its neighbours, donors and the
    Compose call (through invocation_seed) - the same in any DataLoader worker, started by fork or
    spawn. Call `set_epoch(e)` before each epoch (as with DistributedSampler; with
    persistent_workers the workers keep the epoch they started with). Without a seed, the draws
    come from fresh entropy and the Compose's own stream.

    `cache_images` keeps that many decoded images (True: 64) in an LRU per process: each DataLoader
    worker has its own, so the memory is workers x images."""

    def __init__(
        self,
        source: Any,
        compose: Compose | Callable[..., dict[str, Any]],
        *,
        mosaic_key: str | None = None,
        copy_paste_key: str | None = None,
        neighbours: int = 3,
        donors: int = 3,
        donor_images: int = 1,
        cache_images: bool | int = False,
        seed: int | None = None,
    ) -> None:
        if not hasattr(source, "__len__") or not hasattr(source, "__getitem__"):
            raise TypeError(f"source must be a map-style dataset (len and [i]), got {type(source).__name__}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"seed must be an integer or None, got {type(seed).__name__}")
        self.source = source
        self.compose = compose
        self.neighbours = _count(neighbours, "neighbours")
        self.donors = _count(donors, "donors")
        self.donor_images = _count(donor_images, "donor_images")
        self.seed = None if seed is None else int(seed)
        self.epoch = 0
        self._cache = LruCache(_cache_capacity(cache_images))
        self.mosaic_keys, self.copy_paste_keys = self._metadata_keys(mosaic_key, copy_paste_key)
        # None: a callable that is no Compose, whose targets are unknown (instances go as they are).
        self._binding: frozenset[str] | None = getattr(compose, "instance_binding", None)
        self._plain = isinstance(compose, Compose) and self._binding is None
        bbox_params = getattr(compose, "bbox_params", None)
        self._has_bbox_params = bbox_params is not None
        self._label_fields: list[str] = list(bbox_params.label_fields) if bbox_params else []
        self._check_formats(bbox_params)
        if self._plain and bbox_params is None:
            raise ValueError("compose needs instance_binding, or bbox_params for plain boxes")
        self.targets = self._targets()

    # -- what the pipeline reads -----------------------------------------------------------------
    def _metadata_keys(
        self, mosaic_key: str | None, copy_paste_key: str | None
    ) -> tuple[list[str], list[str]]:
        leaves = _leaves(self.compose.transforms) if isinstance(self.compose, Compose) else []
        mosaic = [t.metadata_key for t in leaves if isinstance(t, Mosaic)]
        copy_paste = [t.metadata_key for t in leaves if isinstance(t, CopyAndPaste)]
        mosaic += [mosaic_key] if mosaic_key else []
        copy_paste += [copy_paste_key] if copy_paste_key else []
        mosaic, copy_paste = list(dict.fromkeys(mosaic)), list(dict.fromkeys(copy_paste))
        if set(mosaic) & set(copy_paste):
            raise ValueError(
                f"a key cannot feed both Mosaic and CopyAndPaste: {sorted(set(mosaic) & set(copy_paste))}"
            )
        return mosaic, copy_paste

    def _check_formats(self, bbox_params: Any) -> None:
        """The source's box and polygon formats against the pipeline's: a mismatch would not fail,
        only give wrong rows."""
        box_format = getattr(self.source, "bbox_format", None)
        if box_format and bbox_params is not None and bbox_params.coord_format != box_format:
            raise ValueError(
                f"{type(self.source).__name__} gives {box_format!r} boxes; the Compose reads "
                f"{bbox_params.coord_format!r}: use BboxParams(coord_format={box_format!r})"
            )
        polygon_format = getattr(self.source, "polygon_format", None)
        compose_polygons = getattr(self.compose, "polygon_format", None)
        binds_masks = bool(self._binding and self._binding & {"mask", "masks"})
        if binds_masks and polygon_format and compose_polygons and polygon_format != compose_polygons:
            raise ValueError(
                f"{type(self.source).__name__} gives {polygon_format!r} polygons; the Compose reads "
                f"{compose_polygons!r}: use Compose(polygon_format={polygon_format!r})"
            )

    def _targets(self) -> tuple[str, ...] | None:
        """The instance keys an output's rows carry (None: unknown, a callable that is no Compose)."""
        if not isinstance(self.compose, Compose):
            return None
        if self._binding is None:
            return ("bbox",)
        keys = [k for t in sorted(self._binding) for k in _KEYS_OF_TARGET[t]]
        if self.compose.mask_output == "index_map":
            keys = [k for k in keys if k != "mask"]
        return tuple(dict.fromkeys(k for k in keys if k != "keypoint_labels"))

    # -- epochs and draws ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.source)

    def set_epoch(self, epoch: int) -> None:
        """Draw epoch `epoch`'s neighbours, donors and augmentations (with a seed)."""
        self.epoch = _count(epoch, "epoch")

    def _draws(self, index: int) -> tuple[np.random.Generator, int | None]:
        """The sample's generator for neighbours and donors, and its Compose invocation seed."""
        if self.seed is None:
            return np.random.default_rng(), None
        sampling, call = np.random.SeedSequence([self.seed & _MASK64, self.epoch, index]).spawn(2)
        return np.random.default_rng(sampling), int(call.generate_state(1, np.uint64)[0])

    def _others(self, rng: np.random.Generator, index: int, count: int) -> list[int]:
        """`count` indices other than `index`, without replacement (fewer if the source is small)."""
        count = min(count, len(self) - 1)
        if count <= 0:
            return []
        picked = rng.choice(len(self) - 1, size=count, replace=False)
        return [int(j) + (j >= index) for j in picked]

    # -- samples ---------------------------------------------------------------------------------
    def _load(self, index: int) -> dict[str, Any]:
        if hasattr(self.source, "load_image") and hasattr(self.source, "load_target"):
            image = self._cache.get(index, lambda: self.source.load_image(index))
            return {"image": image, **self.source.load_target(index)}
        return dict(self._cache.get(index, lambda: self.source[index]))

    def _bound(self, inst: dict[str, Any]) -> dict[str, Any]:
        """The instance with only the target keys the pipeline binds (and its other keys)."""
        if self._binding is None:
            return inst
        kept = {k for t in self._binding for k in _KEYS_OF_TARGET[t]}
        return {k: v for k, v in inst.items() if k not in _TARGET_KEYS or k in kept}

    def _label_columns(self, instances: list[dict[str, Any]], key: str) -> dict[str, list[Any]]:
        fields = list(instances[0].get(key, {})) if instances else []
        if key == "bbox_labels":
            fields = list(dict.fromkeys([*self._label_fields, *fields]))
        return {f: [inst.get(key, {}).get(f) for inst in instances] for f in fields}

    def _neighbour(self, sample: dict[str, Any]) -> dict[str, Any]:
        """A Mosaic item: the neighbour's targets stacked."""
        instances = [self._bound(inst) for inst in sample["instances"]]
        item: dict[str, Any] = {
            "image": sample["image"],
            "bbox_labels": self._label_columns(instances, "bbox_labels"),
        }
        binding = self._binding
        if binding is None:  # plain boxes, or unknown targets: whatever every instance has
            binding = frozenset({"bboxes"}) if self._plain else self._present(instances)
        if "bboxes" in binding:
            item["bboxes"] = np.asarray([inst["bbox"] for inst in instances], dtype=np.float64).reshape(-1, 4)
        if binding & {"mask", "masks"}:
            item["masks"] = [inst["mask"] for inst in instances]
        if "keypoints" in binding:
            item["keypoints"] = [inst["keypoints"] for inst in instances]
            item["keypoint_labels"] = self._label_columns(instances, "keypoint_labels")
        return item

    @staticmethod
    def _present(instances: list[dict[str, Any]]) -> frozenset[str]:
        keys = {"bbox": "bboxes", "mask": "masks", "keypoints": "keypoints"}
        return frozenset(t for k, t in keys.items() if all(k in inst for inst in instances))

    def _donor(self, sample: dict[str, Any], inst: dict[str, Any]) -> dict[str, Any]:
        """A CopyAndPaste item: one instance of another sample, with its image."""
        donor: dict[str, Any] = {"image": sample["image"], "bbox_labels": dict(inst.get("bbox_labels", {}))}
        if self._has_bbox_params and "bbox" in inst:
            donor["bbox"] = inst["bbox"]
        if self._plain:
            return donor
        donor.update({k: v for k, v in self._bound(inst).items() if k not in ("bbox", "bbox_labels")})
        return donor

    def _donors(
        self, rng: np.random.Generator, index: int, loaded: Callable[[int], dict[str, Any]]
    ) -> list[dict]:
        candidates = [
            (j, k)
            for j in self._others(rng, index, self.donor_images)
            for k, inst in enumerate(loaded(j)["instances"])
            if not inst.get("bbox_labels", {}).get("iscrowd")
        ]
        if not candidates or not self.donors:
            return []
        picked = rng.choice(len(candidates), size=min(self.donors, len(candidates)), replace=False)
        return [self._donor(loaded(j), loaded(j)["instances"][k]) for j, k in (candidates[p] for p in picked)]

    def _call(self, sample: dict[str, Any]) -> dict[str, Any]:
        instances = sample["instances"]
        if not self._plain:
            return {"image": sample["image"], "instances": [self._bound(inst) for inst in instances]}
        call: dict[str, Any] = {
            "image": sample["image"],
            "bboxes": np.asarray([inst["bbox"] for inst in instances], dtype=np.float64).reshape(-1, 4),
        }
        for field in self._label_fields:
            call[field] = [inst.get("bbox_labels", {}).get(field) for inst in instances]
        return call

    def _plain_instances(self, out: dict[str, Any]) -> None:
        """Plain boxes and label columns back into instances, the layout every output has."""
        boxes = out.pop("bboxes")
        columns = {field: out.pop(field) for field in self._label_fields}
        out["instances"] = [
            {"bbox": box, "bbox_labels": {f: values[r] for f, values in columns.items()}}
            for r, box in enumerate(boxes)
        ]

    def __getitem__(self, index: int) -> dict[str, Any]:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"index must be an integer, got {type(index).__name__}")
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} samples")
        index = int(index) % len(self)
        rng, invocation_seed = self._draws(index)
        samples: dict[int, dict[str, Any]] = {}

        def loaded(j: int) -> dict[str, Any]:
            if j not in samples:
                samples[j] = self._load(j)
            return samples[j]

        sample = loaded(index)
        call = self._call(sample)
        for key in self.mosaic_keys:
            call[key] = [self._neighbour(loaded(j)) for j in self._others(rng, index, self.neighbours)]
        for key in self.copy_paste_keys:
            call[key] = self._donors(rng, index, loaded)
        if invocation_seed is not None and isinstance(self.compose, Compose):
            call["invocation_seed"] = invocation_seed
        out = self.compose(**call)
        if self._plain:
            self._plain_instances(out)
        out["index"] = index
        out["image_id"] = sample.get("image_id")
        out["targets"] = self.targets
        return out

    @property
    def cached_images(self) -> int:
        """How many images this process's cache holds."""
        return len(self._cache)
