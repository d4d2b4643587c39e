"""The examples run (the DataLoader one needs PyTorch)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_demo_writes_its_picture(tmp_path) -> None:
    picture = tmp_path / "demo.png"
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py"), "--out", str(picture), "--timing-samples", "3"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert picture.stat().st_size > 10_000
