"""COCO masks into a Compose: handed over encoded (polygons / RLE, rasterised by instaug into each
object's box) or decoded to full planes first (pycocotools, faster-coco-eval), as
instaug.datasets.CocoInstances(mask_form="encoded" | "planes") does.

A synthetic COCO set: 640x480 images with 10 and 50 objects, star-shaped polygons of 12 to 40
vertices and 8 to 120 px radius, given as COCO polygons or as compressed RLE (its counts a str, as
a json file holds them). Each sample goes through Compose([HorizontalFlip, Affine]) with
mask_output="per_row", one thread; the time per sample includes the decoding for "planes".

    .venv/bin/python bench/coco_masks.py [--samples 16] [--repeats 5] [--out bench/results/coco_masks.md]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

import instaug as A
from instaug.datasets.coco import rle_api, segmentation_plane

HEIGHT, WIDTH = 480, 640


def star(rng: np.random.Generator) -> list[list[float]]:
    """One COCO polygon: a star-shaped outline around a random centre, inside the image."""
    vertices = int(rng.integers(12, 41))
    radius = rng.uniform(8, 120)
    cx, cy = rng.uniform(radius, WIDTH - radius), rng.uniform(radius, HEIGHT - radius / 2)
    angles = np.sort(rng.uniform(0, 2 * np.pi, vertices))
    r = radius * rng.uniform(0.5, 1.0, vertices)
    xs = np.clip(cx + r * np.cos(angles), 0, WIDTH - 1)
    ys = np.clip(cy + r * np.sin(angles), 0, HEIGHT - 1)
    return [np.round(np.stack([xs, ys], 1).reshape(-1), 2).tolist()]


def sample(rng: np.random.Generator, objects: int, form: str, api: Any) -> list[dict[str, Any]]:
    instances = []
    for k in range(objects):
        polygons = star(rng)
        rle = api.merge(api.frPyObjects(polygons, HEIGHT, WIDTH))
        x, y, w, h = (float(v) for v in api.toBbox(rle))
        if form == "rle":
            counts = rle["counts"]
            mask: Any = {
                "size": [HEIGHT, WIDTH],
                "counts": counts.decode() if isinstance(counts, bytes) else counts,
            }
        else:
            mask = polygons
        instances.append(
            {"mask": mask, "bbox": [x, y, w, h], "bbox_labels": {"category_id": 1 + k % 80}, "id": k}
        )
    return instances


def pipeline() -> A.Compose:
    return A.Compose(
        [A.HorizontalFlip(p=0.5), A.Affine(rotate=(-15, 15), scale=(0.8, 1.2), p=1.0)],
        bbox_params=A.BboxParams("coco", label_fields=["category_id"]),
        instance_binding=["masks", "bboxes"],
        mask_output="per_row",
        polygon_format="coco",
        seed=0,
    )


def as_planes(instances: list[dict[str, Any]], api: Any) -> list[dict[str, Any]]:
    return [{**inst, "mask": segmentation_plane(inst["mask"], HEIGHT, WIDTH, api)} for inst in instances]


def consumed(out: dict[str, Any]) -> int:
    """What a collate does with the output: the masks stacked into one array (and the image read)."""
    masks = [inst["mask"] for inst in out["instances"]]
    stacked = np.stack(masks) if masks else np.zeros((0, HEIGHT, WIDTH), np.uint8)
    return int(stacked.nbytes + np.ascontiguousarray(out["image"]).nbytes)


def per_sample(run: Callable[[list[dict[str, Any]]], Any], samples: list[list[dict]], repeats: int) -> float:
    """The best of `repeats` passes over the samples, in ms per sample (the machine is shared)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for instances in samples:
            run(instances)
        best = min(best, (time.perf_counter() - start) / len(samples))
    return best * 1e3


def table(samples_per_row: int = 16, repeats: int = 5) -> str:
    """The markdown table of the measurement (bench/run.py --suite coco_masks writes it)."""
    A.set_num_threads(1)
    backends: dict[str, Any] = {}
    for name in ("pycocotools", "faster_coco_eval"):
        try:
            backends[name] = rle_api(name)
        except ImportError:
            print(f"{name} is not installed: its column is left out")
    image = np.random.default_rng(0).integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    transform = pipeline()
    header = ["objects", "masks", "encoded (instaug)"]
    header += [f"planes ({n}) decode + compose" for n in backends] + [f"{n} decode alone" for n in backends]
    rows = []
    for objects in (10, 50):
        for form in ("polygons", "rle"):
            rng = np.random.default_rng(objects)
            samples = [sample(rng, objects, form, backends["pycocotools"]) for _ in range(samples_per_row)]
            cells = [per_sample(lambda s: consumed(transform(image=image, instances=s)), samples, repeats)]
            for api in backends.values():
                cells.append(
                    per_sample(
                        lambda s, a=api: consumed(transform(image=image, instances=as_planes(s, a))),
                        samples,
                        repeats,
                    )
                )
            cells += [
                per_sample(lambda s, a=api: as_planes(s, a), samples, repeats) for api in backends.values()
            ]
            rows.append([str(objects), form, *(f"{c:.2f}" for c in cells)])
            print(" | ".join(rows[-1]), flush=True)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return (
        "# COCO masks into Compose([HorizontalFlip, Affine]), ms per 640x480 sample, one thread\n\n"
        "Encoded: the polygons / compressed RLE handed to Compose as they are. Planes: decoded to "
        "(H, W) arrays first (frPyObjects + merge + decode), then handed over. Outputs consumed in the "
        "timer (the masks stacked, as a collate does). Best of "
        f"{repeats} passes over {samples_per_row} samples (`python bench/run.py --suite coco_masks`).\n\n"
        + "\n".join(lines)
        + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    text = table(args.samples, args.repeats)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
