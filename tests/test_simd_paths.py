"""The vector kernels (chosen at run time by CPU) agree with the portable ones: the same warps and
colour shifts run in subprocesses with INSTAUG_NO_AVX2=1 (portable) or INSTAUG_NO_AVX512=1 (AVX2
only) and the outputs are compared. The image is
131 pixels wide, so the HSV kernel's scalar tail (OpenCV's, past 128) runs too, and also cut to 88
and 123 pixels, where the warp's AVX2 and AVX-512 row tails start at other columns; the masks are
warped by the nearest kernel, whose vector path must equal the portable one exactly. Brightness,
contrast and gamma run the byte-table lookup (AVX-512 where the CPU has it).

On a CPU without the instruction sets a comparison is about, both runs take the same (portable or
AVX2) path and it would hold trivially: such tests are skipped, saying which sets are missing. The
core decides with __builtin_cpu_supports (cpp/src/cpu_features.cpp) and does not report it to
Python; the tests read the same flags from /proc/cpuinfo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# What use_avx2_kernel() and use_avx512_kernel() check (cpp/src/cpu_features.cpp).
AVX2 = ("avx2", "fma")
AVX512 = (*AVX2, "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512vbmi")


def cpu_flags() -> set[str]:
    """The CPU's feature flags as Linux reports them (empty where /proc/cpuinfo has none)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return set(value.split())
    return set()


def needs_cpu(*features: str) -> pytest.MarkDecorator:
    """Skips a comparison of kernels that only differ where the CPU has `features`."""
    missing = [f for f in features if f not in cpu_flags()]
    return pytest.mark.skipif(
        bool(missing),
        reason=f"the CPU lacks {', '.join(missing)}: both runs would take the same kernel, so the comparison "
        "would hold trivially",
    )


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
# Narrower copies too: a row's tail (past the last 8- or 16-pixel block) must match the blocks.
images = (image, image[:, :88], image[:, :123])
outs = [A.Compose([t], seed=3)(image=im)["image"] for im in images for t in cases]
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


# Every 8-bit RGB colour once (a 4096 x 4096 image), through HueSaturationValue with several shifts:
# the digests of the outputs.
ALL_COLOURS_SCRIPT = """
import hashlib, json, sys
import numpy as np
import instaug as A

codes = np.arange(1 << 24, dtype=np.uint32)
channels = [codes >> 16, (codes >> 8) & 255, codes & 255]
image = np.stack(channels, axis=-1).astype(np.uint8).reshape(4096, 4096, 3)
shifts = [(-33, 21, -14), (150, -90, 60), (0, 0, 0), (7, 255, -255), (-179, -255, 255)]
digests = []
for hue, sat, val in shifts:
    t = A.HueSaturationValue((hue, hue), (sat, sat), (val, val), p=1)
    digests.append(hashlib.sha256(A.Compose([t], seed=0)(image=image)["image"].tobytes()).hexdigest())
print(json.dumps(digests))
"""


# Box blurs of every kernel size the vector kernel takes (and 17, which it leaves to OpenCV) on
# images of 1 to 4 channels, down to a pixel wide, including all-255 ones (the largest sums).
BLUR_SCRIPT = """
import sys
import numpy as np
import instaug as A

rng = np.random.default_rng(1)
outs = []
for trial in range(160):
    h, w = int(rng.integers(1, 70)), int(rng.integers(1, 140))
    c = [1, 2, 3, 4][trial % 4]
    image = rng.integers(0, 256, (h, w, c) if c > 1 else (h, w), dtype=np.uint8)
    if trial % 2:
        image = (image // 64 * 85).astype(np.uint8)
    if trial % 5 == 0:
        image[:] = 255
    k = [3, 5, 7, 9, 11, 13, 15, 17][trial % 8]
    outs.append(A.Compose([A.Blur(blur_range=(k, k), p=1)], seed=0)(image=image)["image"])
np.savez(sys.argv[1], *outs)
"""


def run(path: Path, disable_avx2: bool, disable_avx512: bool = False) -> np.ndarray:
    subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path)], check=True, env=kernel_env(disable_avx2, disable_avx512)
    )
    return np.load(path)


def kernel_env(disable_avx2: bool, disable_avx512: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("INSTAUG_NO_AVX2", None)
    env.pop("INSTAUG_NO_AVX512", None)
    if disable_avx2:
        env["INSTAUG_NO_AVX2"] = "1"
    if disable_avx512:
        env["INSTAUG_NO_AVX512"] = "1"
    return env


def masks_of(path: Path) -> list[np.ndarray]:
    with np.load(str(path) + ".masks.npz") as saved:
        return [saved[k] for k in saved.files]


@needs_cpu(*AVX2)
def test_vector_and_portable_kernels_agree(tmp_path) -> None:
    vector = run(tmp_path / "vector.npy", disable_avx2=False)
    portable = run(tmp_path / "portable.npy", disable_avx2=True)
    difference = np.abs(vector.astype(int) - portable.astype(int))
    # Rounding of the last lerp may differ (float vs fixed point): never more than one level.
    assert difference.max() <= 1
    assert (difference > 0).mean() < 0.01


@needs_cpu(*AVX2)
def test_vector_and_portable_nearest_warps_agree_exactly(tmp_path) -> None:
    run(tmp_path / "vector.npy", disable_avx2=False)
    run(tmp_path / "portable.npy", disable_avx2=True)
    vector, portable = masks_of(tmp_path / "vector.npy"), masks_of(tmp_path / "portable.npy")
    assert len(vector) == len(portable) == 12
    assert sum(int(v.astype(bool).sum()) for v in vector) > 1000  # the masks did not all vanish
    for v, p in zip(vector, portable):
        assert v.shape == p.shape
        assert np.array_equal(v, p)


@needs_cpu(*AVX512)
def test_avx512_and_avx2_kernels_agree_exactly(tmp_path) -> None:
    """The AVX-512 kernels repeat the AVX2 kernels' arithmetic: equal images."""
    wide = run(tmp_path / "wide.npy", disable_avx2=False)
    narrow = run(tmp_path / "narrow.npy", disable_avx2=False, disable_avx512=True)
    assert np.array_equal(wide, narrow)


@needs_cpu(*AVX512)
def test_avx512_and_avx2_hsv_agree_on_every_colour() -> None:
    """Both HSV kernels over all 2^24 colours (widths a multiple of 32: all in the vector body)."""

    def digests(disable_avx512: bool) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", ALL_COLOURS_SCRIPT],
            check=True,
            capture_output=True,
            text=True,
            env=kernel_env(False, disable_avx512),
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    wide, narrow = digests(False), digests(True)
    assert len(set(wide)) == len(wide)  # the shifts did different things
    assert wide == narrow


@needs_cpu(*AVX2)
def test_box_blur_kernels_equal_opencv_exactly(tmp_path) -> None:
    """The vector box blur (AVX-512 row sums, AVX2 otherwise) gives cv::blur's bytes. Without
    AVX-512 the first two runs are both AVX2, each still compared with OpenCV."""
    results = []
    for avx2_off, avx512_off in ((False, False), (False, True), (True, False)):
        path = tmp_path / f"blur_{avx2_off}_{avx512_off}.npz"
        subprocess.run(
            [sys.executable, "-c", BLUR_SCRIPT, str(path)], check=True, env=kernel_env(avx2_off, avx512_off)
        )
        with np.load(path) as saved:
            results.append([saved[k] for k in saved.files])
    wide, narrow, opencv = results
    assert len(opencv) == 160
    for w, n, o in zip(wide, narrow, opencv):
        np.testing.assert_array_equal(w, o)
        np.testing.assert_array_equal(n, o)
