"""What the benchmark measures, written once for both libraries: `A` is either instaug or
albumentations (albumentationsx), imported by the worker in its own environment."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import scenes  # noqa: E402

SIZE = 640


def make_scenes(n_objects: int, count: int = 4, seed: int = 0) -> list[tuple[np.ndarray, list[dict]]]:
    rng = np.random.default_rng(seed)
    return [scenes.synthetic(rng, n_objects, SIZE) for _ in range(count)]


def single_transform_cases(A: Any) -> dict[str, list]:
    return {
        "HorizontalFlip": [A.HorizontalFlip(p=1.0)],
        "VerticalFlip": [A.VerticalFlip(p=1.0)],
        "RandomCrop 512": [A.RandomCrop(height=512, width=512, p=1.0)],
        "CenterCrop 512": [A.CenterCrop(height=512, width=512, p=1.0)],
        "Resize 512": [A.Resize(height=512, width=512, p=1.0)],
        "LongestMaxSize 1024": [A.LongestMaxSize(max_size=1024, p=1.0)],
        "PadIfNeeded 800": [A.PadIfNeeded(min_height=800, min_width=800, p=1.0)],
        "RandomResizedCrop 512": [A.RandomResizedCrop(size=(512, 512), p=1.0)],
        "Affine (seed)": [
            A.Affine(
                scale=(0.9, 1.1), rotate=(-10, 10), shear=(-2, 2), translate_percent=(-0.05, 0.05), p=1.0
            )
        ],
        "Rotate": [A.Rotate(angle_range=(-30, 30), p=1.0)],
        "Perspective (seed)": [A.Perspective(scale=(0.02, 0.05), keep_size=True, p=1.0)],
        "geometric part of the seed pipeline": [
            A.Affine(
                scale=(0.9, 1.1), rotate=(-10, 10), shear=(-2, 2), translate_percent=(-0.05, 0.05), p=0.5
            ),
            A.Perspective(scale=(0.02, 0.05), keep_size=True, p=0.3),
            A.HorizontalFlip(p=0.5),
        ],
    }


def bbox_params(A: Any) -> Any:
    return A.BboxParams(
        coord_format="pascal_voc", label_fields=["class_name"], min_visibility=0.1, min_area=8.0
    )


def time_case(A: Any, transforms: list, samples: list, calls: int, warmup: int = 5) -> list[float]:
    """Seconds per call for `calls` calls cycling over the samples (after a warm-up)."""
    compose = A.Compose(
        transforms, bbox_params=bbox_params(A), instance_binding=["masks", "bboxes"], seed=137
    )
    for i in range(warmup):
        image, instances = samples[i % len(samples)]
        compose(image=image, instances=instances)
    times = []
    for i in range(calls):
        image, instances = samples[i % len(samples)]
        start = time.perf_counter()
        compose(image=image, instances=instances)
        times.append(time.perf_counter() - start)
    return times
