"""Sample scenes for the demo and the benchmarks: the bundled coins photo (one instance per coin)
and synthetic scenes with any number of objects."""

from __future__ import annotations

from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "data"


def instances_from_labels(labels: np.ndarray, names: list[str] | None = None) -> list[dict]:
    instances = []
    for i in range(1, int(labels.max()) + 1):
        mask = (labels == i).astype(np.uint8)
        ys, xs = np.nonzero(mask)
        if len(xs) == 0:
            continue
        instances.append(
            {
                "mask": mask,
                "bbox": np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float32),
                "bbox_labels": {"class_name": names[i - 1] if names else "coin"},
            }
        )
    return instances


def coins(size: int | None = None) -> tuple[np.ndarray, list[dict]]:
    """The coins photo; with `size`, resized (nearest for labels) so its longest side is `size`."""
    from PIL import Image  # only the photo needs Pillow; synthetic scenes are NumPy only

    image = Image.open(DATA / "coins.png").convert("RGB")
    labels = Image.open(DATA / "coins_labels.png")
    if size is not None:
        scale = size / max(image.size)
        new = (round(image.size[0] * scale), round(image.size[1] * scale))
        image = image.resize(new, Image.BILINEAR)
        labels = labels.resize(new, Image.NEAREST)
    return np.asarray(image).copy(), instances_from_labels(np.asarray(labels))


def synthetic(rng: np.random.Generator, n: int, size: int = 640) -> tuple[np.ndarray, list[dict]]:
    """A textured background with n ellipses and rectangles of random colours; masks own their pixels."""
    yy, xx = np.mgrid[0:size, 0:size]
    image = (rng.random((size, size, 3)) * 60 + 40).astype(np.uint8)
    labels = np.zeros((size, size), dtype=np.int32)
    for i in range(1, n + 1):
        cy, cx = rng.uniform(0, size, 2)
        ry, rx = rng.uniform(size / 40, size / 8, 2)
        if i % 2:
            shape = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        else:
            shape = (abs(yy - cy) <= ry) & (abs(xx - cx) <= rx)
        labels[shape] = i
        image[shape] = rng.integers(60, 255, 3)
    names = [("disc", "box")[i % 2] for i in range(n)]
    return image, instances_from_labels(labels, names)
