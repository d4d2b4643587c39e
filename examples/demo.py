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
import seed_pipeline  # noqa: E402


def call_arguments(samples: list, i: int, rng: np.random.Generator) -> dict:
    """Sample i as the primary, three others as neighbours, up to four objects of one as donors."""
    others = [samples[(i + k) % len(samples)] for k in range(1, 4)]
    return seed_pipeline.call(samples[i % len(samples)], others, others[int(rng.integers(0, 3))], 4)


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
    transform = seed_pipeline.compose(A, seed=137)

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
