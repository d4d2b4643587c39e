"""How close fused and step-by-step geometry come to the exact warp.

The source is a smooth analytic picture f(x, y) sampled at pixel centres, so the exact output of
any chain of warps is f evaluated at the chain's inverse map: no reference resampler is involved.
The chain's map is recovered from keypoints sent through the same call (a homography fitted to a
grid of points: affine, rotate and perspective steps compose into one). PSNR is taken over pixels
that neither variant fills (a pure-white run of the same call marks them), eroded by one pixel.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

SIZE = 256


def smooth_picture(size: int = SIZE) -> tuple[np.ndarray, Any]:
    """A uint8 RGB picture with detail down to a 7-pixel period, and its analytic function."""

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.stack(
            [
                127.5 + 60 * np.sin(2 * np.pi * x / 9.0) + 50 * np.cos(2 * np.pi * y / 11.0),
                127.5 + 100 * np.sin(2 * np.pi * (x + y) / 13.0),
                127.5 + 90 * np.cos(2 * np.pi * (x - 0.5 * y) / 7.0),
            ],
            axis=-1,
        )

    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64)
    return np.clip(np.rint(f(xs, ys)), 0, 255).astype(np.uint8), f


def fit_homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 3x3 H with dst ~ H src (direct linear transform, least squares)."""
    rows = []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, -v])
    _, _, vt = np.linalg.svd(np.asarray(rows))
    return vt[-1].reshape(3, 3) / vt[-1, -1]


def run_chain(A: Any, transforms_of: Any, seed: int, fused: bool, image: np.ndarray) -> dict:
    """One call of the chain (the same parameters for any image: the seed fixes them)."""
    previous = os.environ.pop("INSTAUG_NO_FUSION", None)
    if not fused:
        os.environ["INSTAUG_NO_FUSION"] = "1"
    try:
        compose = A.Compose(
            transforms_of(A),
            keypoint_params=A.KeypointParams(coord_format="xy", remove_invisible=False),
            seed=seed,
        )
    finally:
        os.environ.pop("INSTAUG_NO_FUSION", None)
        if previous is not None:
            os.environ["INSTAUG_NO_FUSION"] = previous
    grid = np.stack(np.meshgrid(np.linspace(40, SIZE - 40, 5), np.linspace(40, SIZE - 40, 5)), -1).reshape(
        -1, 2
    )
    out = compose(image=image, keypoints=grid.astype(np.float32))
    out["grid"] = grid
    return out


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def compare(A: Any, transforms_of: Any, seed: int) -> dict[str, float]:
    """PSNR of the fused and the step-by-step output against the exact warp."""
    picture, f = smooth_picture()
    white = np.full_like(picture, 255)
    fused = run_chain(A, transforms_of, seed, True, picture)
    stepwise = run_chain(A, transforms_of, seed, False, picture)
    h = fit_homography(fused["grid"], fused["keypoints"][:, :2].astype(np.float64))
    height, width = fused["image"].shape[:2]
    vs, us = np.mgrid[0:height, 0:width].astype(np.float64)
    points = np.linalg.inv(h) @ np.stack([us.ravel(), vs.ravel(), np.ones(us.size)])
    xs, ys = points[0] / points[2], points[1] / points[2]
    exact = np.clip(f(xs, ys), 0, 255).reshape(height, width, 3)
    covered = np.ones((height, width), bool)
    for fused_flag in (True, False):
        lit = run_chain(A, transforms_of, seed, fused_flag, white)["image"].min(axis=2) == 255
        covered &= lit
    # Erode by one pixel: rims blend with the fill in the step-by-step output.
    inner = covered.copy()
    inner[1:] &= covered[:-1]
    inner[:-1] &= covered[1:]
    inner[:, 1:] &= covered[:, :-1]
    inner[:, :-1] &= covered[:, 1:]
    return {
        "fused": psnr(fused["image"][inner], exact[inner]),
        "step_by_step": psnr(stepwise["image"][inner], exact[inner]),
        "pixels": int(inner.sum()),
    }


def chains() -> dict[str, Any]:
    """Chains of the seed pipeline's geometric steps (and a longer one), all applied."""
    return {
        "Affine + Perspective (seed parameters)": lambda A: [
            A.Affine(
                scale=(0.9, 1.1), rotate=(-10, 10), shear=(-2, 2), translate_percent=(-0.05, 0.05), p=1.0
            ),
            A.Perspective(scale=(0.02, 0.05), keep_size=True, p=1.0),
        ],
        "Rotate + Affine + Perspective + HorizontalFlip": lambda A: [
            A.Rotate(angle_range=(-20, 20), p=1.0),
            A.Affine(scale=(0.8, 1.2), shear=(-5, 5), p=1.0),
            A.Perspective(scale=(0.03, 0.06), keep_size=True, p=1.0),
            A.HorizontalFlip(p=1.0),
        ],
    }
