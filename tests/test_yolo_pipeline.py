"""The seed's YOLO-style pipeline at 640 px on hundreds of random samples: it runs, and every
output row is whole (non-empty mask inside the canvas, box around it, its own labels)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import instaug as A

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import scenes  # noqa: E402


def yolo_pipeline(seed: int) -> A.Compose:
    return A.Compose(
        [
            A.Mosaic(grid_yx=(2, 2), target_size=(640, 640), cell_shape=(640, 640), fit_mode="cover", p=1.0),
            A.Affine(
                scale=(0.9, 1.1), rotate=(-10, 10), shear=(-2, 2), translate_percent=(-0.05, 0.05), p=0.5
            ),
            A.Perspective(scale=(0.02, 0.05), keep_size=True, p=0.3),
            A.CopyAndPaste(
                scale_range=(0.4, 1.0),
                blend_mode="gaussian",
                blend_sigma_range=(1.0, 2.0),
                min_visibility_after_paste=0.1,
                p=0.7,
            ),
            A.HorizontalFlip(p=0.5),
            A.HueSaturationValue(
                hue_shift_range=(-15, 15), sat_shift_range=(-40, 40), val_shift_range=(-25, 25), p=1.0
            ),
            A.RandomBrightnessContrast(brightness_range=(-0.2, 0.2), contrast_range=(-0.2, 0.2), p=0.5),
        ],
        bbox_params=A.BboxParams(
            coord_format="pascal_voc", label_fields=["class_name"], min_visibility=0.1, min_area=8.0
        ),
        instance_binding=["masks", "bboxes"],
        seed=seed,
    )


def stacked(image, instances):
    return {
        "image": image,
        "masks": np.stack([i["mask"] for i in instances])
        if instances
        else np.zeros((0, *image.shape[:2]), np.uint8),
        "bboxes": np.stack([i["bbox"] for i in instances]) if instances else np.zeros((0, 4), np.float32),
        "bbox_labels": {"class_name": [i["bbox_labels"]["class_name"] for i in instances]},
    }


def test_seed_pipeline_runs_on_hundreds_of_samples() -> None:
    rng = np.random.default_rng(0)
    pool = [scenes.synthetic(rng, int(rng.integers(0, 25)), 640) for _ in range(6)]
    pool.append(scenes.coins(640))
    transform = yolo_pipeline(seed=137)
    rows = 0
    for _ in range(200):
        picks = rng.choice(len(pool), size=4, replace=False)
        image, instances = pool[picks[0]]
        neighbours = [stacked(*pool[k]) for k in picks[1:]]
        donor_image, donor_instances = pool[picks[1]]
        donors = [
            {
                "image": donor_image,
                "mask": i["mask"],
                "bbox_labels": {"class_name": i["bbox_labels"]["class_name"]},
            }
            for i in donor_instances[: int(rng.integers(0, 5))]
        ]
        out = transform(
            image=image, instances=instances, mosaic_metadata=neighbours, copy_paste_metadata=donors
        )
        assert out["image"].shape == (640, 640, 3)
        for inst in out["instances"]:
            assert inst["mask"].shape == (640, 640) and inst["mask"].any()
            ys, xs = np.nonzero(inst["mask"])
            x1, y1, x2, y2 = inst["bbox"]
            assert 0 <= x1 < x2 <= 640 and 0 <= y1 < y2 <= 640
            assert x1 <= xs.min() + 3 and y1 <= ys.min() + 3 and x2 >= xs.max() - 2 and y2 >= ys.max() - 2
            assert isinstance(inst["bbox_labels"]["class_name"], str)
        rows += len(out["instances"])
    assert rows > 1000
