"""Saved cases that the C++ API and the Python facade must agree on: a pipeline file, a call's data
and what the facade returned, stored under cpp/tests/cases/NAME/. The C++ tests (ctest) run each
file on the data and compare with the stored result; tests/test_cpp_cases.py checks that the facade
still returns it. `python scripts/make_cpp_cases.py` writes them again.

Arrays are raw little-endian files beside a JSON description ({"file", "shape", "dtype"}), which
C++ reads without a NumPy parser. Each row carries its origin as a label ("call:3",
"mosaic_metadata[1]:0"), which C++ prints from Result::sources.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import instaug as A
from instaug._streams import Draw
from instaug.formats import bboxes_from_absolute, bboxes_to_absolute

CASES_DIR = Path(__file__).resolve().parent.parent / "cpp" / "tests" / "cases"


@dataclass
class CaseInput:
    """A call's data in the C++ API's shape (instaug::Input)."""

    image: np.ndarray
    boxes: np.ndarray | None = None
    masks: list[np.ndarray] | None = None
    keypoints: np.ndarray | None = None
    keypoints_per_row: list[int] | None = None
    metadata: dict[str, list[CaseInput]] = field(default_factory=dict)


@dataclass
class Case:
    name: str
    pipeline: Callable[[], A.Compose]
    data: Callable[[], CaseInput]
    call_index: int


# --- scenes --------------------------------------------------------------------------------------


def _scene(
    seed: int, height: int = 72, width: int = 88, n: int = 4, coord_format: str = "pascal_voc"
) -> CaseInput:
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 60, (height, width, 3), dtype=np.uint8)
    boxes, masks = [], []
    for i in range(n):
        h, w = int(rng.integers(10, height // 2)), int(rng.integers(10, width // 2))
        y, x = int(rng.integers(0, height - h)), int(rng.integers(0, width - w))
        mask = np.zeros((height, width), np.uint8)
        mask[y : y + h, x : x + w] = 1
        mask[y + h // 3 : y + h // 2, x : x + w // 2] = 0  # not a rectangle: its box is not its mask
        image[mask.astype(bool)] = (80 + 40 * i % 170, 200 - 30 * i % 150, 60 + 50 * i % 190)
        masks.append(mask)
        boxes.append([x, y, x + w, y + h])
    given = bboxes_from_absolute(np.array(boxes, np.float64).reshape(-1, 4), coord_format, height, width)
    return CaseInput(image=image, boxes=given.astype(np.float64), masks=masks)


def _with_keypoints(data: CaseInput, seed: int, coord_format: str) -> CaseInput:
    rng = np.random.default_rng(seed)
    counts = [int(c) for c in rng.integers(0, 3, len(data.boxes))]  # type: ignore[arg-type]
    points = []
    height, width = data.image.shape[:2]
    for box, count in zip(bboxes_to_absolute(data.boxes, coord_format, height, width), counts):  # type: ignore[arg-type]
        for _ in range(count):
            points.append([rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])])
    data.keypoints = np.array(points, np.float64).reshape(-1, 2)
    data.keypoints_per_row = counts
    return data


def _bbox_params(coord_format: str = "pascal_voc", **rules: Any) -> A.BboxParams:
    return A.BboxParams(coord_format, label_fields=["source"], **rules)


CASES = [
    Case(
        "geometry_and_pixels",
        lambda: A.Compose(
            [
                A.HorizontalFlip(p=0.5),
                A.Affine(rotate=(-25, 25), scale=(0.8, 1.2), translate_percent=(-0.1, 0.1), p=1),
                A.HueSaturationValue(p=1),
                A.RandomBrightnessContrast(p=1),
                A.OneOf([A.Blur(p=1), A.GaussNoise(p=1)], p=1),
                A.RandomCrop(56, 64, p=1),
            ],
            bbox_params=_bbox_params("coco", min_visibility=0.2),
            instance_binding=["masks", "bboxes"],
            seed=21,
        ),
        lambda: _scene(1, coord_format="coco"),
        5,
    ),
    Case(
        "letterbox_normalize_keypoints",
        lambda: A.Compose(
            [A.LetterBox(size=(64, 64)), A.Normalize()],
            bbox_params=_bbox_params("yolo"),
            keypoint_params=A.KeypointParams("xy"),
            instance_binding=["masks", "bboxes", "keypoints"],
            seed=3,
        ),
        lambda: _with_keypoints(_scene(2, coord_format="yolo"), 2, "yolo"),
        0,
    ),
    Case(
        "perspective_stacked_masks",
        lambda: A.Compose(
            [
                A.Perspective(scale=(0.05, 0.1), p=1),
                A.SomeOf([A.VerticalFlip(p=1), A.Transpose(p=1), A.RandomRotate90(p=1)], n=2),
                A.CoarseDropout(
                    num_holes_range=(1, 3), hole_height_range=(8, 16), hole_width_range=(8, 16), p=1
                ),
            ],
            bbox_params=_bbox_params("pascal_voc", min_area=20),
            instance_binding=["masks", "bboxes"],
            mask_output="stacked",
            seed=8,
        ),
        lambda: _scene(3),
        2,
    ),
    Case(
        "index_map_quarter",
        lambda: A.Compose(
            [A.RandomResizedCrop(size=(64, 64), p=1), A.ToGray(p=1)],
            bbox_params=_bbox_params("albumentations"),
            instance_binding=["masks", "bboxes"],
            mask_output="index_map",
            mask_output_ratio=4,
            seed=4,
        ),
        lambda: _scene(4, n=6, coord_format="albumentations"),
        1,
    ),
    Case(
        "mosaic_copy_paste_rle",
        lambda: A.Compose(
            [
                A.Mosaic(grid_yx=(2, 2), target_size=(64, 64), cell_shape=(64, 64), p=1),
                A.CopyAndPaste(p=1),
                A.Affine(shear=(-10, 10), p=1),
            ],
            bbox_params=_bbox_params("pascal_voc"),
            instance_binding=["masks", "bboxes"],
            mask_output="coco_rle",
            seed=5,
        ),
        lambda: _mixing_scene(),
        3,
    ),
]


def _mixing_scene() -> CaseInput:
    data = _scene(5, n=3)
    data.metadata["mosaic_metadata"] = [_scene(6 + i, n=2 + i) for i in range(3)]
    donors = []
    for i in range(2):
        scene = _scene(20 + i, n=1)
        donors.append(CaseInput(image=scene.image, masks=scene.masks))
    data.metadata["copy_paste_metadata"] = donors
    return data


# --- the facade's call -----------------------------------------------------------------------------


def _instances(data: CaseInput, binding: frozenset[str], origin: Callable[[int], str]) -> list[dict]:
    offsets = np.cumsum([0, *(data.keypoints_per_row or [])])
    out = []
    for i in range(len(data.boxes)):  # type: ignore[arg-type]
        inst: dict[str, Any] = {"bbox": data.boxes[i], "bbox_labels": {"source": origin(i)}}  # type: ignore[index]
        if data.masks is not None:
            inst["mask"] = data.masks[i]
        if "keypoints" in binding:
            inst["keypoints"] = data.keypoints[offsets[i] : offsets[i + 1]]  # type: ignore[index]
        out.append(inst)
    return out


def _item(data: CaseInput, key: str, index: int) -> dict[str, Any]:
    where = f"{key}[{index}]"
    if key == "copy_paste_metadata":
        return {"image": data.image, "mask": data.masks[0], "bbox_labels": {"source": f"{where}:0"}}  # type: ignore[index]
    n = len(data.boxes)  # type: ignore[arg-type]
    return {
        "image": data.image,
        "bboxes": data.boxes,
        "masks": np.stack(data.masks) if n else np.zeros((0, *data.image.shape[:2]), np.uint8),  # type: ignore[arg-type]
        "bbox_labels": {"source": [f"{where}:{j}" for j in range(n)]},
    }


def facade_call(compose: A.Compose, data: CaseInput) -> dict[str, Any]:
    binding = compose.instance_binding or frozenset()
    call: dict[str, Any] = {
        "image": data.image,
        "instances": _instances(data, binding, lambda i: f"call:{i}"),
    }
    for key, items in data.metadata.items():
        call[key] = [_item(item, key, i) for i, item in enumerate(items)]
    return call


def run_facade(case: Case) -> dict[str, Any]:
    """What the facade returns for the case, in the C++ Result's terms."""
    compose = case.pipeline()
    out = compose._run_one(facade_call(compose, case.data()), Draw(compose.seed, case.call_index))
    instances = out["instances"]
    result: dict[str, Any] = {
        "image": out["image"],
        "boxes": np.array([i["bbox"] for i in instances], np.float32).reshape(-1, 4),
        "sources": [i["bbox_labels"]["source"] for i in instances],
    }
    form = compose.mask_output
    if form == "per_row":
        result["masks"] = [i["mask"] for i in instances]
    elif form == "stacked":
        result["stacked_masks"] = out["masks"]
    elif form == "index_map":
        result["index_map"] = out["index_map"]
    else:
        result["rle_counts"] = [i["mask"]["counts"].decode() for i in instances]
    if "keypoints" in (compose.instance_binding or ()):
        result["keypoints"] = (
            np.concatenate([i["keypoints"] for i in instances]).reshape(-1, 2).astype(np.float32)
        )
        result["keypoints_per_row"] = [len(i["keypoints"]) for i in instances]
    return result


# --- files ---------------------------------------------------------------------------------------


def _write_array(folder: Path, name: str, array: np.ndarray) -> dict[str, Any]:
    array = np.ascontiguousarray(array)
    (folder / f"{name}.bin").write_bytes(array.astype(array.dtype.newbyteorder("<")).tobytes())
    return {"file": f"{name}.bin", "shape": list(array.shape), "dtype": str(array.dtype)}


def read_array(folder: Path, entry: dict[str, Any]) -> np.ndarray:
    data = (folder / entry["file"]).read_bytes()
    return np.frombuffer(data, dtype=np.dtype(entry["dtype"]).newbyteorder("<")).reshape(entry["shape"])


def _write_input(folder: Path, prefix: str, data: CaseInput) -> dict[str, Any]:
    out: dict[str, Any] = {"image": _write_array(folder, f"{prefix}image", data.image)}
    if data.boxes is not None:
        out["boxes"] = data.boxes.tolist()
    if data.masks is not None:
        out["masks"] = [_write_array(folder, f"{prefix}mask{i}", m) for i, m in enumerate(data.masks)]
    if data.keypoints is not None:
        out["keypoints"] = data.keypoints.tolist()
        out["keypoints_per_row"] = data.keypoints_per_row
    if data.metadata:
        out["metadata"] = {
            key: [_write_input(folder, f"{prefix}{key}{i}_", item) for i, item in enumerate(items)]
            for key, items in data.metadata.items()
        }
    return out


def write_case(case: Case) -> None:
    folder = CASES_DIR / case.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        old.unlink()
    A.save(case.pipeline(), str(folder / "pipeline.json"))
    description = {"call_index": case.call_index, "input": _write_input(folder, "in_", case.data())}
    result = run_facade(case)
    expected: dict[str, Any] = {"image": _write_array(folder, "out_image", result["image"])}
    expected["boxes"] = result["boxes"].astype(np.float64).tolist()
    expected["sources"] = result["sources"]
    if "masks" in result:
        expected["masks"] = [_write_array(folder, f"out_mask{i}", m) for i, m in enumerate(result["masks"])]
    for key in ("stacked_masks", "index_map"):
        if key in result:
            expected[key] = _write_array(folder, f"out_{key}", result[key])
    for key in ("rle_counts", "keypoints_per_row"):
        if key in result:
            expected[key] = result[key]
    if "keypoints" in result:
        expected["keypoints"] = result["keypoints"].astype(np.float64).tolist()
    description["expected"] = expected
    (folder / "case.json").write_text(json.dumps(description, indent=1) + "\n")


def read_expected(case: Case) -> dict[str, Any]:
    folder = CASES_DIR / case.name
    expected = json.loads((folder / "case.json").read_text())["expected"]
    out: dict[str, Any] = {
        "image": read_array(folder, expected["image"]),
        "boxes": np.array(expected["boxes"], np.float32).reshape(-1, 4),
        "sources": expected["sources"],
    }
    if "masks" in expected:
        out["masks"] = [read_array(folder, m) for m in expected["masks"]]
    for key in ("stacked_masks", "index_map"):
        if key in expected:
            out[key] = read_array(folder, expected[key])
    for key in ("rle_counts", "keypoints_per_row"):
        if key in expected:
            out[key] = expected[key]
    if "keypoints" in expected:
        out["keypoints"] = np.array(expected["keypoints"], np.float32).reshape(-1, 2)
    return out
