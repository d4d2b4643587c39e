"""The vector kernels (chosen at run time by CPU) agree with the portable ones: the same warps and
colour shifts run in subprocesses with INSTAUG_NO_AVX2=1 (portable) or INSTAUG_NO_AVX512=1 (AVX2
only) and the outputs are compared. The image is
131 pixels wide, so the HSV kernel's scalar tail (OpenCV's, past 128) runs too; the masks are
warped by the nearest kernel, whose vector path must equal the portable one exactly. Brightness,
contrast and gamma run the byte-table lookup (AVX-512 where the CPU has it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

SCRIPT = """
import sys
import numpy as np
import instaug as A

rng = np.random.default_rng(5)
image = rng.integers(0, 256, (97, 131, 3), dtype=np.uint8)
image[30:60, 40:90] = 255  # hard edges, where position errors show
cases = [
    A.Affine(rotate=(17, 17), scale=(0.8, 0.8), shear=(4, 4), p=1),
    A.Affine(rotate=(-33, -33), scale=(1.3, 1.3), border_mode=1, p=1),
    A.Affine(rotate=(8, 8), border_mode=4, fill=(10, 200, 30), p=1),
    A.Rotate(angle_range=(90, 90), p=1),
    A.Perspective(scale=(0.1, 0.1), keep_size=True, p=1),
    A.Perspective(scale=(0.08, 0.08), keep_size=False, fit_output=True, border_mode=2, p=1),
    A.HueSaturationValue((-33, -33), (21, 21), (-14, -14), p=1),
    A.HueSaturationValue((150, 150), (-90, -90), (60, 60), p=1),
    A.RandomBrightnessContrast(brightness_range=(0.15, 0.15), contrast_range=(-0.3, -0.3), p=1),
    A.RandomGamma(gamma_range=(60, 60), p=1),
]
outs = [A.Compose([t], seed=3)(image=image)["image"] for t in cases]
np.save(sys.argv[1], np.stack([np.resize(o, (97, 131, 3)) for o in outs]))

# Masks: ragged shapes (tiles of every width, so the 8-pixel blocks and the scalar tail both run),
# some touching the image edge, warped by rotations, shears and perspective, chained and alone.
masks = np.zeros((12, 97, 131), np.uint8)
for k in range(12):
    y, x = rng.integers(-10, 90), rng.integers(-10, 125)
    h, w = rng.integers(1, 40), rng.integers(1, 60)
    masks[k, max(y, 0):y + h, max(x, 0):x + w] = rng.integers(1, 256, dtype=np.uint8)
    masks[k] *= rng.random((97, 131)) < 0.8
def box(m):
    ys, xs = np.nonzero(m)
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], np.float32)
instances = [{"mask": m, "bbox": box(m)} for m in masks if m.any()]
mask_cases = [
    [A.Affine(rotate=(-25, 25), shear=(-6, 6), scale=(0.7, 1.4), p=1)],
    [A.Perspective(scale=(0.05, 0.12), keep_size=True, p=1)],
    [A.Affine(rotate=(-10, 10), p=1), A.Perspective(scale=(0.02, 0.08), p=1)],
]
warped = []
for k, transforms in enumerate(mask_cases):
    compose = A.Compose(transforms, bbox_params=A.BboxParams(coord_format="pascal_voc"),
                        instance_binding=["masks", "bboxes"], seed=11 + k)
    for call in range(4):
        out = compose(image=image, instances=instances)
        warped.append(np.stack([i["mask"] for i in out["instances"]]) if out["instances"] else masks[:0])
np.savez(sys.argv[1] + ".masks.npz", *warped)
"""


def run(path: Path, disable_avx2: bool, disable_avx512: bool = False) -> np.ndarray:
    env = dict(os.environ)
    env.pop("INSTAUG_NO_AVX2", None)
    env.pop("INSTAUG_NO_AVX512", None)
    if disable_avx2:
        env["INSTAUG_NO_AVX2"] = "1"
    if disable_avx512:
        env["INSTAUG_NO_AVX512"] = "1"
    subprocess.run([sys.executable, "-c", SCRIPT, str(path)], check=True, env=env)
    return np.load(path)


def masks_of(path: Path) -> list[np.ndarray]:
    with np.load(str(path) + ".masks.npz") as saved:
        return [saved[k] for k in saved.files]


def test_vector_and_portable_kernels_agree(tmp_path) -> None:
    vector = run(tmp_path / "vector.npy", disable_avx2=False)
    portable = run(tmp_path / "portable.npy", disable_avx2=True)
    difference = np.abs(vector.astype(int) - portable.astype(int))
    # Rounding of the last lerp may differ (float vs fixed point): never more than one level.
    assert difference.max() <= 1
    assert (difference > 0).mean() < 0.01


def test_vector_and_portable_nearest_warps_agree_exactly(tmp_path) -> None:
    run(tmp_path / "vector.npy", disable_avx2=False)
    run(tmp_path / "portable.npy", disable_avx2=True)
    vector, portable = masks_of(tmp_path / "vector.npy"), masks_of(tmp_path / "portable.npy")
    assert len(vector) == len(portable) == 12
    assert sum(int(v.astype(bool).sum()) for v in vector) > 1000  # the masks did not all vanish
    for v, p in zip(vector, portable):
        assert v.shape == p.shape
        assert np.array_equal(v, p)


def test_avx512_and_avx2_kernels_agree_exactly(tmp_path) -> None:
    """The AVX-512 HSV kernel (where the CPU has it) repeats the AVX2 kernel's arithmetic: equal
    images. Where the CPU lacks AVX-512 both runs take the same path and the test holds trivially."""
    wide = run(tmp_path / "wide.npy", disable_avx2=False)
    narrow = run(tmp_path / "narrow.npy", disable_avx2=False, disable_avx512=True)
    assert np.array_equal(wide, narrow)
