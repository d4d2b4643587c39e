"""The examples run (the DataLoader one needs PyTorch)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

import instaug as A
from instaug.datasets import CocoInstances

from helpers import import_reference

ROOT = Path(__file__).resolve().parent.parent


def test_torch_dataloader_example() -> None:
    import_reference("torch", needed_by="test_examples.py")
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "torch_dataloader.py"),
            "--batches",
            "1",
            "--batch-size",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "batch 0: images (3, 3, 640, 640)" in out.stdout


def test_the_sample_coco_dataset_is_the_bundled_photo(tmp_path) -> None:
    """make demo's dataset: the coins photo and its three mirror images, each coin an RLE object."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "coins_coco.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    source = CocoInstances(tmp_path / "annotations.json", tmp_path / "images")
    assert len(source) == 4 and source.categories == {1: "coin"}
    first, mirrored = source[0], source[1]
    assert len(first["instances"]) == len(mirrored["instances"]) == 24
    np.testing.assert_array_equal(mirrored["image"], first["image"][:, ::-1])
    masks = [A.rle_to_mask(inst["mask"]) for inst in first["instances"]]
    labels = np.asarray(Image.open(ROOT / "data" / "coins_labels.png"))
    assert sum(int(m.sum()) for m in masks) == np.count_nonzero(labels)
