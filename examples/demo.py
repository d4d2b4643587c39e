"""The main job: augment the bundled sample scenes with the seed's YOLO-style pipeline (Mosaic,
Affine, Perspective, CopyAndPaste, HorizontalFlip, HueSaturationValue, RandomBrightnessContrast),
draw masks and boxes into a PNG grid, and print the throughput."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
import instaug as A  # noqa: E402

import scenes  # noqa: E402


def pipeline(seed: int) -> A.Compose:
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
            coord_format="pascal_voc", label_fields=["class_name"], min_visibility=0.1, min_area=8
        ),
        instance_binding=["masks", "bboxes"],
        seed=seed,
    )


def stacked(image: np.ndarray, instances: list[dict]) -> dict:
    """A Mosaic neighbour in the metadata layout: stacked masks and boxes, label lists."""
    return {
        "image": image,
        "masks": np.stack([i["mask"] for i in instances])
        if instances
        else np.zeros((0, *image.shape[:2]), np.uint8),
        "bboxes": np.stack([i["bbox"] for i in instances]) if instances else np.zeros((0, 4), np.float32),
        "bbox_labels": {"class_name": [i["bbox_labels"]["class_name"] for i in instances]},
    }


def call_arguments(samples: list, i: int, rng: np.random.Generator) -> dict:
    """Sample i as the primary, three others as neighbours, a few objects of another as donors."""
    image, instances = samples[i % len(samples)]
    others = [samples[(i + k) % len(samples)] for k in range(1, 4)]
    donor_image, donor_instances = others[int(rng.integers(0, 3))]
    picks = rng.choice(len(donor_instances), size=min(4, len(donor_instances)), replace=False)
    donors = [
        {
            "image": donor_image,
            "mask": donor_instances[k]["mask"],
            "bbox_labels": donor_instances[k]["bbox_labels"],
        }
        for k in picks
    ]
    return {
        "image": image,
        "instances": instances,
        "mosaic_metadata": [stacked(*o) for o in others],
        "copy_paste_metadata": donors,
    }


def draw(image: np.ndarray, instances: list[dict], tile: int) -> Image.Image:
    canvas = image.astype(np.float32)
    palette = np.random.default_rng(0).integers(60, 255, (max(len(instances), 1), 3))
    for color, inst in zip(palette, instances):
        m = inst["mask"].astype(bool)
        canvas[m] = canvas[m] * 0.45 + color * 0.55
    picture = Image.fromarray(canvas.clip(0, 255).astype(np.uint8))
    pen = ImageDraw.Draw(picture)
    for color, inst in zip(palette, instances):
        pen.rectangle([float(v) for v in inst["bbox"]], outline=tuple(int(c) for c in color), width=2)
    return picture.resize((tile, tile * picture.height // picture.width))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="demo.png")
    parser.add_argument("--timing-samples", type=int, default=300)
    args = parser.parse_args()

    A.set_num_threads(1)
    rng = np.random.default_rng(0)
    samples = [
        scenes.coins(),
        scenes.synthetic(rng, 12, 480),
        scenes.synthetic(rng, 40, 640),
        scenes.coins(640),
    ]
    transform = pipeline(seed=137)

    tile, cols = 320, 4
    rows = []
    for r in range(3):
        image, instances = samples[r]
        cells = [draw(image, instances, tile)]
        for _ in range(cols - 1):
            out = transform(**call_arguments(samples, r, rng))
            cells.append(draw(out["image"], out["instances"], tile))
        rows.append(cells)
    height = max(c.height for row in rows for c in row)
    grid = Image.new("RGB", (tile * cols, height * len(rows)), (255, 255, 255))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            grid.paste(cell, (c * tile, r * height))
    grid.save(args.out)

    calls = [call_arguments(samples, i, rng) for i in range(len(samples))]
    start = time.perf_counter()
    for i in range(args.timing_samples):
        transform(**calls[i % len(calls)])
    elapsed = time.perf_counter() - start
    print(f"wrote {args.out}: first column the primary scene, then three augmented samples of it")
    print(
        f"{args.timing_samples / elapsed:.0f} samples/s "
        f"({1000 * elapsed / args.timing_samples:.2f} ms/sample, "
        "one thread, the seed pipeline, 640x640 output)"
    )


if __name__ == "__main__":
    main()
