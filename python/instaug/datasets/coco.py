"""COCO instance annotations (a COCO json, read with the json module) as samples for Compose."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from instaug.datasets._images import load_rgb

MASK_FORMS = ("encoded", "planes")
RLE_BACKENDS = ("pycocotools", "faster_coco_eval")

# Only what a sample is made of is kept from each annotation.
_KEPT_KEYS = ("id", "bbox", "category_id", "iscrowd", "segmentation", "keypoints")


def rle_api(backend: str | None = None) -> ModuleType:
    """The COCO mask module (frPyObjects, merge, decode) of `backend`; None: the first installed of
    RLE_BACKENDS: pycocotools decodes faster (bench/coco_masks.py)."""
    names = RLE_BACKENDS if backend is None else (backend,)
    for name in names:
        if name not in RLE_BACKENDS:
            raise ValueError(f"rle backend must be one of {list(RLE_BACKENDS)}, got {name!r}")
        try:
            if name == "faster_coco_eval":
                from faster_coco_eval.core import mask as api
            else:
                from pycocotools import mask as api
        except ImportError:
            continue
        return api
    wanted = " or ".join(n.replace("_", "-") for n in names)
    raise ImportError(f"mask_form='planes' decodes COCO masks with {wanted}: pip install pycocotools")


def segmentation_plane(segmentation: Any, height: int, width: int, api: ModuleType) -> np.ndarray:
    """The (H, W) uint8 0/1 mask of a COCO segmentation (polygons, or RLE with run lengths or
    compressed counts), as pycocotools' COCO.annToMask makes it."""
    if isinstance(segmentation, list):
        rle = api.merge(api.frPyObjects(segmentation, height, width))
    elif isinstance(segmentation.get("counts"), list):
        rle = api.frPyObjects(segmentation, height, width)
    else:
        rle = segmentation
    return np.ascontiguousarray(api.decode(rle))


def _pack(groups: list[list[dict[str, Any]]]) -> tuple[bytes, np.ndarray]:
    """Each image's annotations as one JSON text in a single buffer, with offsets. A list of dicts
    per image would be millions of Python objects for COCO train, which forked DataLoader workers
    copy page by page as soon as they touch their reference counts; one buffer stays shared."""
    texts = [json.dumps(g, separators=(",", ":")).encode() for g in groups]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    return b"".join(texts), offsets


class CocoInstances:
    """The images of a COCO instances file, each as
    `{"image": (H, W, 3) uint8 RGB, "instances": [...], "image_id": id}`, one instance per
    annotation: `{"mask": COCO polygons | RLE dict, "bbox": [x, y, w, h], "bbox_labels":
    {"category_id": ..., "iscrowd": 0 | 1}, "id": annotation id}` (with `keypoints=True` and
    annotations that have them, also `"keypoints"` (K, 2) pixels and `"keypoint_labels":
    {"visibility": [...]}`).

    `mask_form="encoded"` hands the masks over as the file has them (Compose(polygon_format="coco")
    rasterises each into its object's box); "planes" decodes them to (H, W) uint8 arrays with
    pycocotools or faster-coco-eval (`rle_backend`). Boxes are the file's, unclipped:
    BboxParams(clip_bboxes_on_input=True) or filter_invalid_bboxes deal with the rare ones that
    leave the image. Images are listed in the file's order, those without annotations included."""

    bbox_format = "coco"
    polygon_format = "coco"

    def __init__(
        self,
        annotation_file: str | os.PathLike[str],
        image_dir: str | os.PathLike[str],
        *,
        category_ids: Iterable[int] | None = None,
        skip_crowd: bool = False,
        mask_form: str = "encoded",
        keypoints: bool = False,
        rle_backend: str | None = None,
    ) -> None:
        if mask_form not in MASK_FORMS:
            raise ValueError(f"mask_form must be one of {list(MASK_FORMS)}, got {mask_form!r}")
        self.image_dir = Path(image_dir)
        self.mask_form = mask_form
        self.keypoints = keypoints
        self.rle_backend = rle_backend
        if mask_form == "planes":
            rle_api(rle_backend)  # fail now, not in a worker
        with open(annotation_file, encoding="utf-8") as f:
            content = json.load(f)
        wanted = None if category_ids is None else frozenset(int(c) for c in category_ids)
        self.categories: dict[int, str] = {
            c["id"]: c.get("name", str(c["id"])) for c in content["categories"]
        }
        images = content["images"]
        row_of = {image["id"]: row for row, image in enumerate(images)}
        groups: list[list[dict[str, Any]]] = [[] for _ in images]
        for ann in content.get("annotations", []):
            if wanted is not None and ann["category_id"] not in wanted:
                continue
            if skip_crowd and ann.get("iscrowd", 0):
                continue
            if ann["image_id"] not in row_of:
                raise ValueError(
                    f"{annotation_file}: annotation {ann.get('id')} names unknown image {ann['image_id']}"
                )
            groups[row_of[ann["image_id"]]].append({k: ann[k] for k in _KEPT_KEYS if k in ann})
        self.image_ids: list[Any] = [image["id"] for image in images]
        self._files = [image["file_name"] for image in images]
        self._sizes = np.array([[image["height"], image["width"]] for image in images], dtype=np.int64)
        self._annotations, self._offsets = _pack(groups)

    def __len__(self) -> int:
        return len(self.image_ids)

    def _row(self, index: int) -> int:
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} images")
        return index % len(self)

    def load_image(self, index: int) -> np.ndarray:
        """Image `index` as (H, W, 3) uint8 RGB, checked against the size the file gives it."""
        row = self._row(index)
        path = self.image_dir / self._files[row]
        image = load_rgb(path, exif_transpose=False)  # COCO's annotations are on the stored pixels
        if image.shape[:2] != tuple(self._sizes[row]):
            raise ValueError(
                f"{path}: the image is {image.shape[1]}x{image.shape[0]}, the annotation file says "
                f"{self._sizes[row][1]}x{self._sizes[row][0]}"
            )
        return image

    def load_target(self, index: int) -> dict[str, Any]:
        """Everything of sample `index` but its image: {"instances": [...], "image_id": id}."""
        row = self._row(index)
        start, end = self._offsets[row], self._offsets[row + 1]
        annotations = json.loads(self._annotations[start:end])
        height, width = (int(v) for v in self._sizes[row])
        api = rle_api(self.rle_backend) if self.mask_form == "planes" else None
        instances = []
        for ann in annotations:
            inst: dict[str, Any] = {
                "bbox": ann["bbox"],
                "bbox_labels": {"category_id": ann["category_id"], "iscrowd": ann.get("iscrowd", 0)},
                "id": ann.get("id"),
            }
            segmentation = ann.get("segmentation")
            if segmentation is not None:
                inst["mask"] = (
                    segmentation if api is None else segmentation_plane(segmentation, height, width, api)
                )
            if self.keypoints and ann.get("keypoints"):
                points = np.asarray(ann["keypoints"], dtype=np.float64).reshape(-1, 3)
                inst["keypoints"] = points[:, :2]
                inst["keypoint_labels"] = {"visibility": points[:, 2].astype(np.int64).tolist()}
            instances.append(inst)
        return {"instances": instances, "image_id": self.image_ids[row]}

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {"image": self.load_image(index), **self.load_target(index)}
