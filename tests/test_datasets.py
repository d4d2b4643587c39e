"""instaug.datasets: COCO files and YOLO label folders as samples, AugmentedDataset feeding Mosaic and
CopyAndPaste from the dataset itself, collate, DataLoader workers (fork and spawn)."""

from __future__ import annotations

import json
import multiprocessing
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import instaug as A
from instaug.datasets import AugmentedDataset, CocoInstances, YoloDataset, collate

from helpers import import_reference

HEIGHT, WIDTH = 48, 64


def _write_images(folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k, name in enumerate(names):
        rng = np.random.default_rng(k)
        pixels = rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / name)


def _rectangle_rle(x0: int, y0: int, x1: int, y1: int) -> dict[str, Any]:
    """The compressed RLE of a rectangle, its counts a str as a json file holds them."""
    mask_api = pytest.importorskip("pycocotools.mask")
    plane = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
    plane[y0:y1, x0:x1] = 1
    rle = mask_api.encode(np.asfortranarray(plane))
    return {"size": [HEIGHT, WIDTH], "counts": rle["counts"].decode()}


def _crowd_rle() -> dict[str, Any]:
    """An uncompressed RLE (run lengths, column-major) as COCO's iscrowd annotations have them:
    columns 40..49, rows 10..29."""
    counts, position = [], 0
    for x in range(40, 50):
        start = x * HEIGHT + 10
        counts += [start - position, 20]
        position = start + 20
    counts.append(HEIGHT * WIDTH - position)
    return {"size": [HEIGHT, WIDTH], "counts": counts}


def _polygon(x: float, y: float, w: float, h: float) -> list[float]:
    """A pentagon inside the box (x, y, w, h)."""
    return [x + w / 2, y, x + w, y + h * 0.4, x + w * 0.8, y + h, x + w * 0.2, y + h, x, y + h * 0.4]


@pytest.fixture
def coco_set(tmp_path: Path) -> tuple[Path, Path]:
    """Three images; the objects of image k have category k, so an output row tells its image."""
    image_dir = tmp_path / "images"
    names = ["a.png", "b.png", "c.png"]
    _write_images(image_dir, names)
    annotations = [
        {
            "id": 11,
            "image_id": 1,
            "category_id": 1,
            "segmentation": [_polygon(4, 4, 20, 16)],
            "bbox": [4, 4, 20, 16],
        },
        {"id": 12, "image_id": 1, "category_id": 1, "segmentation": _rectangle_rle(30, 20, 50, 40)},
        {"id": 13, "image_id": 1, "category_id": 1, "segmentation": [_polygon(8.5, 28.3, 12.2, 15.1)]},
        {"id": 21, "image_id": 2, "category_id": 2, "segmentation": [_polygon(10, 6, 24, 30)]},
        {"id": 22, "image_id": 2, "category_id": 2, "segmentation": _crowd_rle(), "iscrowd": 1},
        {
            "id": 31,
            "image_id": 3,
            "category_id": 3,
            "segmentation": [_polygon(2, 2, 10, 10), _polygon(30, 30, 16, 12)],
        },
        {"id": 32, "image_id": 3, "category_id": 3, "segmentation": [_polygon(40, 4, 20, 20)]},
    ]
    boxes = {12: [30, 20, 20, 20], 13: [8.5, 28.3, 12.2, 15.1], 21: [10, 6, 24, 30], 22: [40, 10, 10, 20]}
    boxes |= {31: [2, 2, 44, 40], 32: [40, 4, 20, 20]}
    for ann in annotations:
        ann.setdefault("iscrowd", 0)
        ann.setdefault("bbox", boxes.get(ann["id"]))
        ann["area"] = ann["bbox"][2] * ann["bbox"][3]
    content = {
        "images": [
            {"id": k + 1, "file_name": n, "height": HEIGHT, "width": WIDTH} for k, n in enumerate(names)
        ],
        "annotations": annotations,
        "categories": [{"id": k, "name": f"cat{k}"} for k in (1, 2, 3)],
    }
    annotation_file = tmp_path / "instances.json"
    annotation_file.write_text(json.dumps(content))
    return annotation_file, image_dir


def _coco_compose(*transforms: Any, seed: int = 0, **kwargs: Any) -> A.Compose:
    return A.Compose(
        list(transforms),
        bbox_params=A.BboxParams("coco", label_fields=["category_id"]),
        instance_binding=["masks", "bboxes"],
        seed=seed,
        **kwargs,
    )


def _grown(mask: np.ndarray) -> np.ndarray:
    """The mask and its 8 neighbours: polygon edge rules differ by at most that."""
    padded = np.pad(mask.astype(bool), 1)
    out = np.zeros_like(mask, dtype=bool)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            out |= padded[dy : dy + mask.shape[0], dx : dx + mask.shape[1]]
    return out


def test_coco_samples_match_pycocotools(coco_set: tuple[Path, Path]) -> None:
    coco_module = pytest.importorskip("pycocotools.coco")
    annotation_file, image_dir = coco_set
    reference = coco_module.COCO(str(annotation_file))
    encoded = CocoInstances(annotation_file, image_dir)
    planes = CocoInstances(annotation_file, image_dir, mask_form="planes")
    assert len(encoded) == 3 and encoded.categories == {1: "cat1", 2: "cat2", 3: "cat3"}
    rasterise = _coco_compose()  # no transform: the masks as instaug reads them
    for index in range(len(encoded)):
        sample, decoded = encoded[index], planes[index]
        assert sample["image"].shape == (HEIGHT, WIDTH, 3) and sample["image"].dtype == np.uint8
        assert np.array_equal(
            sample["image"], np.asarray(Image.open(image_dir / f"{'abc'[index]}.png").convert("RGB"))
        )
        assert sample["image_id"] == index + 1
        out = rasterise(image=sample["image"], instances=sample["instances"])
        assert [i["id"] for i in out["instances"]] == [i["id"] for i in sample["instances"]]
        for inst, made, plane in zip(sample["instances"], out["instances"], decoded["instances"]):
            ann = reference.anns[inst["id"]]
            assert inst["bbox"] == ann["bbox"]
            assert inst["bbox_labels"] == {"category_id": ann["category_id"], "iscrowd": ann["iscrowd"]}
            assert inst["mask"] == ann["segmentation"]  # handed over as the file has it
            expected = reference.annToMask(ann)
            assert np.array_equal(plane["mask"], expected)  # mask_form="planes" is annToMask
            if isinstance(ann["segmentation"], dict):  # RLE, compressed or not: the same pixels
                assert np.array_equal(made["mask"], expected)
            else:  # polygons: Ultralytics' fill rule, which differs from annToMask on edge pixels
                assert not (made["mask"].astype(bool) & ~_grown(expected)).any()
                assert not (expected.astype(bool) & ~_grown(made["mask"])).any()
                assert abs(int(made["mask"].sum()) - int(expected.sum())) <= 0.4 * expected.sum()


def test_coco_filters(coco_set: tuple[Path, Path]) -> None:
    annotation_file, image_dir = coco_set
    only = CocoInstances(annotation_file, image_dir, category_ids=[2], skip_crowd=True)
    assert len(only) == 3  # images without the category stay, as negatives
    assert [[i["id"] for i in only.load_target(k)["instances"]] for k in range(3)] == [[], [21], []]
    with pytest.raises(ValueError, match="mask_form"):
        CocoInstances(annotation_file, image_dir, mask_form="rle")


@pytest.fixture
def yolo_set(tmp_path: Path) -> tuple[Path, Path]:
    image_dir, label_dir = tmp_path / "images", tmp_path / "labels"
    _write_images(image_dir, ["one.png", "two.png", "three.png"])
    label_dir.mkdir()
    return image_dir, label_dir


def test_yolo_detect_segment_and_pose(yolo_set: tuple[Path, Path]) -> None:
    image_dir, label_dir = yolo_set
    (label_dir / "one.txt").write_text("0 0.5 0.5 0.25 0.5\n3 0.25 0.25 0.125 0.25\n")
    (label_dir / "two.txt").write_text("1 0.5 0.5 0.5 0.5\n")  # three.png has no label file
    detect = YoloDataset(image_dir, label_dir, task="detect")
    assert [detect.image_id(k) for k in range(3)] == ["one", "three", "two"]
    first = detect[0]
    assert [i["bbox"] for i in first["instances"]] == [[0.5, 0.5, 0.25, 0.5], [0.25, 0.25, 0.125, 0.25]]
    assert [i["bbox_labels"] for i in first["instances"]] == [{"class_id": 0}, {"class_id": 3}]
    assert detect[1]["instances"] == []

    (label_dir / "one.txt").write_text("2 0.25 0.25 0.75 0.25 0.75 0.75 0.25 0.75\n")
    segment = YoloDataset(image_dir, label_dir, task="segment")
    inst = segment[0]["instances"][0]
    assert inst["bbox"] == [0.5, 0.5, 0.5, 0.5]
    out = A.Compose(
        [], bbox_params=A.BboxParams("yolo"), instance_binding=["masks", "bboxes"], polygon_format="yolo"
    )(image=segment[0]["image"], instances=[inst])
    assert out["instances"][0]["mask"].sum() == 33 * 25  # x 16..48, y 12..36: fillPoly keeps the edges

    (label_dir / "one.txt").write_text("0 0.5 0.5 0.5 0.5 0.25 0.5 2 0.75 0.5 0\n")
    pose = YoloDataset(image_dir, label_dir, task="pose", kpt_shape=(2, 3))
    inst = pose[0]["instances"][0]
    assert np.allclose(inst["keypoints"], [[16, 24], [48, 24]])
    assert inst["keypoint_labels"] == {"visibility": [2.0, 0.0]}
    with pytest.raises(ValueError, match="kpt_shape"):
        YoloDataset(image_dir, label_dir, task="pose")
    (label_dir / "one.txt").write_text("0 0.5 0.5 0.5\n")
    with pytest.raises(ValueError, match="one.txt:1"):
        detect.load_target(0)


def _mixing_compose(seed: int = 0, **kwargs: Any) -> A.Compose:
    # Mosaic inside a composition: AugmentedDataset must find it there too.
    return _coco_compose(
        A.Sequential([A.Mosaic(target_size=(HEIGHT, WIDTH), cell_shape=(HEIGHT, WIDTH), p=1.0)], p=1.0),
        A.CopyAndPaste(scale_range=(0.5, 1.0), min_visibility_after_paste=0.0, p=1.0),
        A.HorizontalFlip(p=0.5),
        seed=seed,
        **kwargs,
    )


def _dataset(coco_set: tuple[Path, Path], seed: int | None = 5, **kwargs: Any) -> AugmentedDataset:
    compose_kwargs = {k: kwargs.pop(k) for k in ("mask_output",) if k in kwargs}
    return AugmentedDataset(
        CocoInstances(*coco_set, skip_crowd=True), _mixing_compose(**compose_kwargs), seed=seed, **kwargs
    )


def test_mosaic_and_copy_paste_rows_come_from_several_images(coco_set: tuple[Path, Path]) -> None:
    dataset = _dataset(coco_set, neighbours=2, donors=2)
    assert dataset.mosaic_keys == ["mosaic_metadata"] and dataset.copy_paste_keys == ["copy_paste_metadata"]
    images, neighbour_rows = set(), 0
    for index in range(len(dataset)):
        out = dataset[index]
        assert out["index"] == index and out["image_id"] == index + 1
        assert out["image"].shape == (HEIGHT, WIDTH, 3)
        categories = [i["bbox_labels"]["category_id"] for i in out["instances"]]
        assert len(set(categories)) >= 2, categories
        images |= set(categories)
        # Donors keep their annotation ids (ids are 10 x image id + k); Mosaic's rows have none.
        ids = [i.get("id") for i in out["instances"]]
        assert any(i is not None and i // 10 != index + 1 for i in ids), ids
        neighbour_rows += ids.count(None)
        for inst in out["instances"]:
            assert inst["mask"].shape == (HEIGHT, WIDTH) and inst["mask"].any()
    assert images == {1, 2, 3} and neighbour_rows > 0


def _fingerprint(out: dict[str, Any]) -> tuple:
    return (
        out["image"].tobytes(),
        tuple((i["bbox_labels"]["category_id"], tuple(np.round(i["bbox"], 3))) for i in out["instances"]),
    )


def test_samples_are_a_function_of_seed_epoch_and_index(coco_set: tuple[Path, Path]) -> None:
    first, again = _dataset(coco_set, seed=3), _dataset(coco_set, seed=3)
    run = [_fingerprint(first[k]) for k in (0, 1, 2, 0)]
    assert run[0] == run[3]  # the same sample again, whatever came between
    assert [_fingerprint(again[k]) for k in (2, 1, 0)] == run[2::-1]
    other = _dataset(coco_set, seed=4)
    assert [_fingerprint(other[k]) for k in range(3)] != run[:3]
    first.set_epoch(1)
    assert [_fingerprint(first[k]) for k in range(3)] != run[:3]


def test_collate_stacks_images_and_keeps_rows_per_sample(coco_set: tuple[Path, Path]) -> None:
    torch = import_reference("torch", needed_by="the collate tests")
    dataset = _dataset(coco_set, mask_output="stacked")
    outputs = [dataset[k] for k in range(3)]
    batch = collate(outputs)
    assert batch["images"].shape == (3, 3, HEIGHT, WIDTH) and batch["images"].dtype == torch.uint8
    assert torch.equal(batch["images"][1], torch.from_numpy(outputs[1]["image"]).permute(2, 0, 1))
    for out, boxes, masks, labels in zip(outputs, batch["boxes"], batch["masks"], batch["labels"]):
        n = len(out["instances"])
        assert boxes.shape == (n, 4) and masks.shape == (n, HEIGHT, WIDTH)
        assert labels["category_id"].tolist() == [i["bbox_labels"]["category_id"] for i in out["instances"]]
    assert batch["index"] == [0, 1, 2] and batch["image_id"] == [1, 2, 3]

    maps = collate([_dataset(coco_set, mask_output="index_map")[k] for k in range(2)])
    assert maps["index_map"].shape == (2, HEIGHT, WIDTH) and "masks" not in maps


def test_yolo_detect_runs_with_plain_boxes(yolo_set: tuple[Path, Path]) -> None:
    image_dir, label_dir = yolo_set
    for k, name in enumerate(["one", "two", "three"]):
        (label_dir / f"{name}.txt").write_text(f"{k} 0.5 0.5 0.5 0.5\n{k} 0.25 0.25 0.25 0.25\n")
    compose = A.Compose(
        [A.Mosaic(target_size=(HEIGHT, WIDTH), cell_shape=(HEIGHT, WIDTH), p=1.0), A.CopyAndPaste(p=1.0)],
        bbox_params=A.BboxParams("yolo", label_fields=["class_id"]),
    )
    dataset = AugmentedDataset(YoloDataset(image_dir, label_dir), compose, seed=0)
    out = dataset[0]
    classes = {i["bbox_labels"]["class_id"] for i in out["instances"]}
    assert len(classes) >= 2 and "bboxes" not in out
    batch = collate([out, dataset[1]])
    assert batch["images"].shape[:2] == (2, 3) and len(batch["boxes"]) == 2
    with pytest.raises(ValueError, match="polygon_format='yolo'"):
        segment = A.Compose([], bbox_params=A.BboxParams("yolo"), instance_binding=["masks", "bboxes"])
        AugmentedDataset(YoloDataset(image_dir, label_dir, task="segment"), segment)


def test_yolo_pose_and_segment_go_through_mosaic_and_copy_paste(yolo_set: tuple[Path, Path]) -> None:
    image_dir, label_dir = yolo_set
    for k, name in enumerate(["one", "two", "three"]):
        lines = f"{k} 0.5 0.5 0.5 0.5 0.4 0.4 2 0.6 0.6 1\n{k} 0.25 0.25 0.25 0.25 0.2 0.2 2 0.3 0.3 0\n"
        (label_dir / f"{name}.txt").write_text(lines)
    mixing = [A.Mosaic(target_size=(HEIGHT, WIDTH), cell_shape=(HEIGHT, WIDTH), p=1.0), A.CopyAndPaste(p=1.0)]
    pose = A.Compose(
        mixing,
        bbox_params=A.BboxParams("yolo", label_fields=["class_id"]),
        keypoint_params=A.KeypointParams("xy", label_fields=["visibility"]),
        instance_binding=["bboxes", "keypoints"],
    )
    source = YoloDataset(image_dir, label_dir, task="pose", kpt_shape=(2, 3))
    outputs = [AugmentedDataset(source, pose, seed=2)[k] for k in range(2)]
    batch = collate(outputs)
    for out, points, labels in zip(outputs, batch["keypoints"], batch["keypoint_labels"]):
        assert len({i["bbox_labels"]["class_id"] for i in out["instances"]}) >= 2
        assert tuple(points.shape) == (len(out["instances"]), 2, 2)
        assert labels["visibility"].tolist() == [i["keypoint_labels"]["visibility"] for i in out["instances"]]

    for k, name in enumerate(["one", "two", "three"]):
        (label_dir / f"{name}.txt").write_text(
            f"{k} 0.1 0.1 0.6 0.1 0.6 0.5 0.1 0.5\n{k} 0.5 0.5 0.9 0.5 0.7 0.9\n"
        )
    segment = A.Compose(
        mixing,
        bbox_params=A.BboxParams("yolo", label_fields=["class_id"]),
        instance_binding=["masks", "bboxes"],
        polygon_format="yolo",
        mask_output="index_map",
        mask_output_ratio=4,
    )
    dataset = AugmentedDataset(YoloDataset(image_dir, label_dir, task="segment"), segment, seed=2)
    batch = collate([dataset[k] for k in range(3)])
    assert tuple(batch["index_map"].shape) == (3, HEIGHT // 4, WIDTH // 4)
    for boxes, labels, index_map in zip(batch["boxes"], batch["labels"], batch["index_map"]):
        assert len(set(labels["class_id"].tolist())) >= 2
        assert int(index_map.max()) <= len(boxes)


def test_the_image_cache_is_bounded_and_per_process(coco_set: tuple[Path, Path]) -> None:
    dataset = _dataset(coco_set, cache_images=2)
    for _ in range(2):
        for index in range(3):
            dataset[index]
    assert dataset.cached_images == 2
    assert dataset._cache.hits > 0
    copied = pickle.loads(pickle.dumps(dataset))  # what a spawned worker gets: no images
    assert copied.cached_images == 0 and copied._cache.capacity == 2
    assert _fingerprint(copied[1]) == _fingerprint(dataset[1])
    assert _dataset(coco_set).cached_images == 0
    # A forked worker starts with a cache of its own, empty, not the parent's images.
    context = multiprocessing.get_context("fork")
    counts = context.SimpleQueue()
    child = context.Process(target=_report_cache, args=(dataset, counts))
    child.start()
    child.join(60)
    assert counts.get() == (0, 2) and dataset.cached_images == 2


def _report_cache(dataset: AugmentedDataset, counts: Any) -> None:
    before = dataset.cached_images
    dataset[0]
    dataset[2]
    counts.put((before, dataset.cached_images))


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_dataloader_workers_give_the_samples_of_the_main_process(
    coco_set: tuple[Path, Path], context: str
) -> None:
    torch = import_reference("torch", needed_by="the DataLoader tests")
    dataset = _dataset(coco_set, seed=9, cache_images=2)
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=2, num_workers=2, collate_fn=collate, multiprocessing_context=context
    )
    batches = list(loader)
    assert [b["index"] for b in batches] == [[0, 1], [2]]
    direct = collate([dataset[k] for k in (0, 1)])
    assert torch.equal(batches[0]["images"], direct["images"])
    assert all(torch.equal(a, b) for a, b in zip(batches[0]["masks"], direct["masks"]))
    assert dataset.cached_images == 2  # the main process's own calls; the workers' caches were theirs


_WITHOUT_TORCH = """
import sys
sys.modules["torch"] = None  # import torch now raises ImportError
import numpy as np
import instaug as A
from instaug.datasets import AugmentedDataset, CocoInstances, collate
compose = A.Compose(
    [A.Mosaic(target_size=(48, 64), cell_shape=(48, 64), p=1.0)],
    bbox_params=A.BboxParams("coco", label_fields=["category_id"]),
    instance_binding=["masks", "bboxes"],
)
dataset = AugmentedDataset(CocoInstances(sys.argv[1], sys.argv[2]), compose, seed=1)
batch = collate([dataset[0], dataset[1]])
assert type(batch["images"]) is np.ndarray and batch["images"].shape == (2, 3, 48, 64)
assert all(type(m) is np.ndarray for m in batch["masks"])
print("ok")
"""


def test_datasets_work_without_torch(coco_set: tuple[Path, Path]) -> None:
    annotation_file, image_dir = coco_set
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_TORCH, str(annotation_file), str(image_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
