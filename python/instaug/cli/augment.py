"""`instaug augment`: offline augmentation of a COCO dataset. Each image is augmented `--copies`
times; the pictures go to OUT/images and OUT/annotations.json is a COCO instances file of them
with RLE masks (pycocotools reads it back)."""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

import instaug as A
from instaug.cli.common import Progress, add_dataset_arguments, check_threads, coco_dataset

_FORMATS = {"jpg": ("JPEG", {"quality": 95}), "png": ("PNG", {})}


def add_augment(commands: Any) -> None:
    command = commands.add_parser("augment", help="augment a COCO dataset into a new one")
    command.description = __doc__
    add_dataset_arguments(command)
    command.add_argument("--copies", type=int, default=1, help="augmented copies of each image (default 1)")
    command.add_argument("--out", required=True, help="the folder to write images/ and annotations.json to")
    command.add_argument("--format", choices=sorted(_FORMATS), default="jpg", help="image files (jpg)")
    command.set_defaults(run=run)


def _annotations(out: dict[str, Any], image_id: int) -> list[dict[str, Any]]:
    """The sample's rows as COCO annotations (without ids): RLE segmentation, box, area in pixels."""
    rows = []
    for inst in out["instances"]:
        rle = inst["mask"]
        area = int(A.rle_to_mask(rle).sum())
        if area == 0:
            continue  # a row kept by its box alone (crowd regions, boxes without masks): no object left
        rows.append(
            {
                "image_id": image_id,
                "category_id": inst["bbox_labels"]["category_id"],
                "iscrowd": int(inst["bbox_labels"].get("iscrowd", 0) or 0),
                "bbox": [round(float(v), 3) for v in inst["bbox"]],
                "area": area,
                "segmentation": {"size": list(rle["size"]), "counts": rle["counts"].decode("ascii")},
            }
        )
    return rows


def _save(image: np.ndarray, path: Path, file_format: str) -> None:
    from PIL import Image

    kind, options = _FORMATS[file_format]
    Image.fromarray(image).save(path, kind, **options)


def run(arguments: argparse.Namespace) -> int:
    if arguments.copies < 1:
        raise ValueError(f"--copies must be at least 1, got {arguments.copies}")
    threads = check_threads(arguments.threads)
    dataset = coco_dataset(arguments, mask_output="coco_rle")
    out = Path(arguments.out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    names = [Path(name).stem for name in dataset.source._files]
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    progress = Progress(len(dataset) * arguments.copies, "images")
    with ThreadPoolExecutor(threads) as pool:
        for copy in range(arguments.copies):
            dataset.set_epoch(copy)  # each copy draws anew, reproducibly from --seed
            for index, sample in enumerate(pool.map(dataset.__getitem__, range(len(dataset)))):
                image_id = len(images) + 1
                file_name = f"{names[index]}_{copy}.{arguments.format}"
                _save(sample["image"], out / "images" / file_name, arguments.format)
                height, width = sample["image"].shape[:2]
                images.append(
                    {
                        "id": image_id,
                        "file_name": file_name,
                        "height": height,
                        "width": width,
                        "source_image_id": sample["image_id"],
                    }
                )
                for row in _annotations(sample, image_id):
                    annotations.append({"id": len(annotations) + 1, **row})
                progress.advance()
    categories = [{"id": k, "name": v} for k, v in sorted(dataset.source.categories.items())]
    content = {"images": images, "annotations": annotations, "categories": categories}
    (out / "annotations.json").write_text(json.dumps(content))
    print(f"{len(images)} images, {len(annotations)} objects -> {out / 'annotations.json'}")
    return 0
