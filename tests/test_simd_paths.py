"""The vector kernels (chosen at run time by CPU) agree with the portable ones: the same warps and
colour shifts run in a subprocess with INSTAUG_NO_AVX2=1 and the images are compared. The image is
131 pixels wide, so the HSV kernel's scalar tail (OpenCV's, past 128) runs too."""

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
]
outs = [A.Compose([t], seed=3)(image=image)["image"] for t in cases]
np.save(sys.argv[1], np.stack([np.resize(o, (97, 131, 3)) for o in outs]))
"""


def run(path: Path, disable_avx2: bool) -> np.ndarray:
    env = dict(os.environ)
    env.pop("INSTAUG_NO_AVX2", None)
    if disable_avx2:
        env["INSTAUG_NO_AVX2"] = "1"
    subprocess.run([sys.executable, "-c", SCRIPT, str(path)], check=True, env=env)
    return np.load(path)


def test_vector_and_portable_kernels_agree(tmp_path) -> None:
    vector = run(tmp_path / "vector.npy", disable_avx2=False)
    portable = run(tmp_path / "portable.npy", disable_avx2=True)
    difference = np.abs(vector.astype(int) - portable.astype(int))
    # Rounding of the last lerp may differ (float vs fixed point): never more than one level.
    assert difference.max() <= 1
    assert (difference > 0).mean() < 0.01
