"""The `instaug` command on a tiny COCO dataset made here: augment writes a COCO file pycocotools
reads back, show draws a grid, bench reports speeds, and bad arguments are refused by name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import instaug as A
from instaug.cli import main

from helpers import import_reference


@pytest.fixture(scope="module")
def coco(tmp_path_factory) -> Path:
    """Three 64x80 images; objects as polygons, compressed RLE and an iscrowd run-length RLE."""
    root = tmp_path_factory.mktemp("coco")
    (root / "images").mkdir()
    rng = np.random.default_rng(0)
    images, annotations = [], []
    for image_id in range(1, 4):
        pixels = rng.integers(0, 60, (64, 80, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(root / "images" / f"{image_id}.png")
        images.append({"id": image_id, "file_name": f"{image_id}.png", "height": 64, "width": 80})
        mask = np.zeros((64, 80), np.uint8)
        mask[10:30, 12:40] = 1
        rle = A.mask_to_rle(mask)
        annotations += [
            {
                "id": len(annotations) + 1,
                "image_id": image_id,
                "category_id": 1,
                "iscrowd": 0,
                "area": 560,
                "bbox": [12, 10, 28, 20],
                "segmentation": {"size": [64, 80], "counts": rle["counts"].decode()},
            },
            {
                "id": len(annotations) + 2,
                "image_id": image_id,
                "category_id": 2,
                "iscrowd": 0,
                "area": 300,
                "bbox": [45, 30, 20, 20],
                "segmentation": [[45, 30, 65, 30, 65, 50, 45, 50]],
            },
        ]
    crowd = np.zeros((64, 80), np.uint8)
    crowd[40:60, 5:25] = 1
    flat = crowd.T.reshape(-1).astype(np.int64)  # COCO runs go down the columns, zeros first
    runs = np.diff(np.r_[0, np.flatnonzero(np.diff(flat)) + 1, flat.size]).tolist()
    annotations.append(
        {
            "id": 99,
            "image_id": 3,
            "category_id": 2,
            "iscrowd": 1,
            "area": 400,
            "bbox": [5, 40, 20, 20],
            "segmentation": {"size": [64, 80], "counts": runs},
        }
    )
    categories = [{"id": 1, "name": "square"}, {"id": 2, "name": "patch"}]
    content = {"images": images, "annotations": annotations, "categories": categories}
    (root / "annotations.json").write_text(json.dumps(content))
    A.save(A.Compose([A.Affine(rotate=(-15, 15), p=1), A.HorizontalFlip(p=0.5)]), str(root / "pipeline.json"))
    return root


def _dataset(coco: Path) -> list[str]:
    return [
        "--images",
        str(coco / "images"),
        "--annotations",
        str(coco / "annotations.json"),
        "--pipeline",
        str(coco / "pipeline.json"),
    ]


def test_augment_writes_a_coco_file_that_pycocotools_reads(coco: Path, tmp_path: Path) -> None:
    mask_api = import_reference("pycocotools.mask", needed_by="the COCO read-back")
    out = tmp_path / "augmented"
    assert main(["augment", *_dataset(coco), "--copies", "2", "--threads", "2", "--out", str(out)]) == 0
    content = json.loads((out / "annotations.json").read_text())
    assert len(content["images"]) == 6 and {c["name"] for c in content["categories"]} == {"square", "patch"}
    assert len({a["id"] for a in content["annotations"]}) == len(content["annotations"]) >= 6
    for image in content["images"]:
        assert Image.open(out / "images" / image["file_name"]).size == (image["width"], image["height"])
    for annotation in content["annotations"]:
        mask = mask_api.decode(annotation["segmentation"])
        assert mask.shape == (64, 80) and mask.sum() == annotation["area"] > 0
        x, y, w, h = annotation["bbox"]
        ys, xs = np.nonzero(mask)
        assert x - 1 <= xs.min() and xs.max() <= x + w + 1 and y - 1 <= ys.min() and ys.max() <= y + h + 1
    assert any(a["iscrowd"] == 1 for a in content["annotations"])


def test_augment_is_reproducible_from_its_seed(coco: Path, tmp_path: Path) -> None:
    outputs = []
    for run in range(2):
        out = tmp_path / f"run{run}"
        main(["augment", *_dataset(coco), "--seed", "5", "--format", "png", "--out", str(out)])
        outputs.append((out / "annotations.json").read_text())
        outputs.append(np.asarray(Image.open(out / "images" / "2_0.png")).tobytes())
    assert outputs[0] == outputs[2] and outputs[1] == outputs[3]


def test_show_draws_the_samples(coco: Path, tmp_path: Path) -> None:
    picture = tmp_path / "show.png"
    assert main(["show", *_dataset(coco), "--count", "3", "--columns", "3", "--out", str(picture)]) == 0
    drawn = np.asarray(Image.open(picture))
    assert drawn.shape[1] > 3 * 80 and drawn.shape[0] >= 64
    # The images are dark (0..59): masks and boxes drawn in bright colours are what is bright.
    assert (drawn[..., :3].max(axis=-1) > 150).mean() > 0.05


def test_bench_reports_samples_per_second(coco: Path, capsys) -> None:
    assert main(["bench", *_dataset(coco), "--count", "4", "--threads", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "3 images" in lines[0] and "1 thread" in lines[1] and "2 threads" in lines[2]
    assert all("samples/s" in line for line in lines[1:])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--copies", "0"], "--copies must be at least 1, got 0"),
        (["--threads", "0"], "--threads must be at least 1, got 0"),
    ],
)
def test_bad_arguments_are_named(coco: Path, tmp_path: Path, capsys, extra: list[str], message: str) -> None:
    assert main(["augment", *_dataset(coco), "--out", str(tmp_path / "x"), *extra]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_file_is_named(coco: Path, tmp_path: Path, capsys) -> None:
    arguments = [
        "augment",
        "--images",
        str(coco / "images"),
        "--annotations",
        str(tmp_path / "none.json"),
        "--pipeline",
        str(coco / "pipeline.json"),
        "--out",
        str(tmp_path / "x"),
    ]
    assert main(arguments) == 2
    assert "none.json" in capsys.readouterr().err


def test_the_console_script_runs() -> None:
    script = Path(sys.executable).parent / "instaug"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "instaug.cli"]
    done = subprocess.run([*command, "--help"], capture_output=True, text=True, check=True)
    assert "augment" in done.stdout and "show" in done.stdout and "bench" in done.stdout
