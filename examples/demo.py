"""The main job for now: augment the bundled sample scenes with the seed's YOLO-style pipeline
(minus Mosaic, CopyAndPaste and the colour steps, which come in later issues), draw masks and boxes
into a PNG grid, and print the throughput."""

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
            A.LongestMaxSize(max_size=640),
            A.PadIfNeeded(min_height=640, min_width=640, border_mode=0, fill=114),
            A.Affine(
                scale=(0.9, 1.1), rotate=(-10, 10), shear=(-2, 2), translate_percent=(-0.05, 0.05), p=0.5
            ),
            A.Perspective(scale=(0.02, 0.05), keep_size=True, p=0.3),
            A.HorizontalFlip(p=0.5),
        ],
        bbox_params=A.BboxParams(
            coord_format="pascal_voc", label_fields=["class_name"], min_visibility=0.1, min_area=8
        ),
        instance_binding=["masks", "bboxes"],
        seed=seed,
    )


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
    samples = [scenes.coins(), scenes.synthetic(rng, 12, 480), scenes.synthetic(rng, 40, 640)]
    transform = pipeline(seed=137)

    tile, cols = 320, 4
    rows = []
    for image, instances in samples:
        cells = [draw(image, instances, tile)]
        for _ in range(cols - 1):
            out = transform(image=image, instances=instances)
            cells.append(draw(out["image"], out["instances"], tile))
        rows.append(cells)
    height = max(c.height for row in rows for c in row)
    grid = Image.new("RGB", (tile * cols, height * len(rows)), (255, 255, 255))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            grid.paste(cell, (c * tile, r * height))
    grid.save(args.out)

    start = time.perf_counter()
    for i in range(args.timing_samples):
        image, instances = samples[i % len(samples)]
        transform(image=image, instances=instances)
    elapsed = time.perf_counter() - start
    print(f"wrote {args.out}: first column input, then three augmented samples per scene")
    print(
        f"{args.timing_samples / elapsed:.0f} samples/s "
        f"({1000 * elapsed / args.timing_samples:.2f} ms/sample, "
        "one thread, the three sample scenes in turn)"
    )


if __name__ == "__main__":
    main()
