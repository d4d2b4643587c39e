"""Scenes whose objects carry their identity in their pixels, so that a mixed-up row cannot pass."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest


def color_of(ident: int) -> np.ndarray:
    """A colour unique to each object id (blue 200 marks objects; the background is black)."""
    return np.array([50 + ident % 200, 50 + (ident // 200) % 200, 200], dtype=np.uint8)


@dataclass
class Scene:
    image: np.ndarray
    instances: list[dict]

    @property
    def colors(self) -> dict[int, np.ndarray]:
        return {inst["id"]: color_of(inst["id"]) for inst in self.instances}


def make_scene(
    rng: np.random.Generator, height: int = 96, width: int = 128, n: int = 8, first_id: int = 0
) -> Scene:
    """Objects painted in colours unique to their id on a black background; later objects occlude
    earlier ones, and each mask is exactly the pixels its object owns."""
    owner = np.full((height, width), -1, dtype=np.int64)
    yy, xx = np.mgrid[0:height, 0:width]
    for i in range(n):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        ry, rx = rng.uniform(4, height / 4), rng.uniform(4, width / 4)
        if i % 2:
            shape = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        else:
            shape = (abs(yy - cy) <= ry) & (abs(xx - cx) <= rx)
        owner[shape] = i
    image = np.zeros((height, width, 3), dtype=np.uint8)
    instances = []
    for i in range(n):
        mask = (owner == i).astype(np.uint8)
        if not mask.any():
            continue
        ident = first_id + i
        image[mask.astype(bool)] = color_of(ident)
        ys, xs = np.nonzero(mask)
        bbox = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float32)
        center = np.array([[xs.mean(), ys.mean()]], dtype=np.float32)
        instances.append(
            {
                "mask": mask,
                "bbox": bbox,
                "keypoints": np.concatenate([center, bbox[None, :2]]),
                "bbox_labels": {"class_name": f"object-{ident}", "color": ident},
                "keypoint_labels": {"kp_kind": ["center", "top_left"]},
                "id": ident,
            }
        )
    return Scene(image, instances)


@pytest.fixture
def scene() -> Scene:
    return make_scene(np.random.default_rng(7))
