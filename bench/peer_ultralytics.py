"""The peers suite's Ultralytics side, run in bench/.venv-ultralytics: its own augment classes on the
benchmark's scenes, held by a small in-memory dataset object. Prints one JSON line like worker.py.

YOLO-seg is `v8_transforms` itself (what YOLODataset.build_transforms builds for training) with
Format appended as build_transforms does: 1/4 masks, overlap (index map) on. The scenes' masks become
the polygons Ultralytics stores (its COCO converter's contours), resampled by YOLODataset's own
update_labels_info on every fetch, as in training. A timed call is `dataset[i]`: the fetch and
the transforms (Mosaic fetches its three neighbours the same way inside the call)."""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from copy import deepcopy
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["YOLO_OFFLINE"] = "1"  # never reach the network (is_online() answers False)
os.environ["YOLO_VERBOSE"] = "False"
os.environ.setdefault("YOLO_CONFIG_DIR", str(HERE / ".venv-ultralytics" / "config"))  # not ~/.config
sys.path.insert(0, str(HERE))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import peer_outputs as po  # noqa: E402
import torch  # noqa: E402
import ultralytics  # noqa: E402
from peer_outputs import Output  # noqa: E402
from ultralytics.cfg import DEFAULT_CFG  # noqa: E402
from ultralytics.data import augment  # noqa: E402
from ultralytics.data.converter import merge_multi_segment  # noqa: E402
from ultralytics.data.dataset import YOLODataset  # noqa: E402
from ultralytics.utils import IterableSimpleNamespace  # noqa: E402
from ultralytics.utils.ops import segments2boxes  # noqa: E402

import workload  # noqa: E402

SIZE = workload.SIZE
# CopyPaste "flip" pastes mirrored copies of this fraction of the mosaic's objects that overlap no
# other by 30 % or more: per object count, the fraction that puts about five pasted objects in the
# output (as the other libraries' five donors; `--report-pastes` measures it).
COPY_PASTE = {10: 0.75, 50: 0.45}


def polygon(mask: np.ndarray) -> np.ndarray | None:
    """The mask's outline as Ultralytics' COCO converter makes it from an RLE mask: outer contours
    (CHAIN_APPROX_SIMPLE), those of three points or more, several merged by merge_multi_segment;
    normalised to the image."""
    contours = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    polygons = [c.ravel().tolist() for c in contours if len(c) >= 3]
    if not polygons:
        return None
    points = np.concatenate(merge_multi_segment(polygons), 0) if len(polygons) > 1 else polygons[0]
    return (np.asarray(points, np.float32).reshape(-1, 2) / [mask.shape[1], mask.shape[0]]).astype(np.float32)


class MemoryDataset:
    """What Ultralytics' mixing transforms read of a YOLODataset, for scenes held in memory: labels as
    its label cache holds them, images as load_image returns them (BGR, already 640 px), the recent
    images buffer Mosaic draws from (every scene), and get_image_and_label as BaseDataset's."""

    use_segments, use_keypoints, use_obb = True, False, False
    format_class = augment.Format
    cache = None  # not "ram": Mosaic draws its neighbours from `buffer`, as when training
    data: dict[str, Any] = {"names": {0: "disc", 1: "box"}}

    def __init__(self, scenes: list) -> None:
        self.ims, self.labels = [], []
        for k, (image, instances) in enumerate(scenes):
            pairs = [(polygon(i["mask"]), i) for i in instances]
            segments = [s for s, _ in pairs if s is not None]
            classes = [po.CLASS_IDS[i["bbox_labels"]["class_name"]] for s, i in pairs if s is not None]
            self.ims.append(cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
            self.labels.append(
                {
                    "im_file": f"scene{k}.png",
                    "shape": image.shape[:2],
                    "cls": np.array(classes, np.float32).reshape(-1, 1),
                    "bboxes": segments2boxes(segments).astype(np.float32),
                    "segments": segments,
                    "keypoints": None,
                    "normalized": True,
                    "bbox_format": "xywh",
                }
            )
        self.buffer = list(range(len(scenes)))

    def __len__(self) -> int:
        return len(self.labels)

    def get_image_and_label(self, index: int) -> dict[str, Any]:
        label = deepcopy(self.labels[index])
        label.pop("shape", None)
        image = self.ims[index]
        label["img"], label["ori_shape"], label["resized_shape"] = image, image.shape[:2], image.shape[:2]
        label["ratio_pad"] = (1.0, 1.0)
        return YOLODataset.update_labels_info(self, label)  # Instances, segments resampled to 1000 points

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.transforms(self.get_image_and_label(index))


def hyp(**overrides: Any) -> IterableSimpleNamespace:
    return IterableSimpleNamespace(**{**vars(DEFAULT_CFG), **overrides})


def formatter(h: IterableSimpleNamespace) -> augment.Format:
    """YOLODataset.build_transforms' Format for segmentation training."""
    return augment.Format(
        bbox_format="xywh",
        normalize=True,
        return_mask=True,
        return_keypoint=False,
        return_obb=False,
        batch_idx=True,
        mask_ratio=h.mask_ratio,
        mask_overlap=h.overlap_mask,
        bgr=h.bgr,
    )


GEOMETRY = {"degrees": 10.0, "translate": 0.05, "scale": 0.1, "shear": 2.0, "perspective": 0.0}


def yolo_seg(dataset: MemoryDataset, n: int) -> augment.Compose:
    """v8_transforms with Mosaic always, CopyPaste in flip mode, the benchmark's geometry, HSV at
    Ultralytics' defaults, horizontal flip at 0.5 (MixUp, CutMix and vertical flip off)."""
    h = hyp(mosaic=1.0, copy_paste=COPY_PASTE[n], copy_paste_mode="flip", mixup=0.0, cutmix=0.0, **GEOMETRY)
    h.mask_ratio, h.overlap_mask = po.RATIO, True
    transforms = augment.v8_transforms(dataset, SIZE, h)
    transforms.append(formatter(h))
    return transforms


def affine_hsv_flip(dataset: MemoryDataset, n: int) -> augment.Compose:
    h = hyp(**GEOMETRY)
    h.mask_ratio, h.overlap_mask = po.RATIO, True
    return augment.Compose(
        [
            augment.RandomPerspective(**GEOMETRY, size=(SIZE, SIZE)),
            augment.RandomHSV(hgain=h.hsv_h, sgain=h.hsv_s, vgain=h.hsv_v),
            augment.RandomFlip(direction="horizontal", p=h.fliplr),
            formatter(h),
        ]
    )


def make_call(chain, samples: list, n: int):
    dataset = MemoryDataset(samples)
    dataset.transforms = chain(dataset, n)
    random.seed(0)  # Ultralytics draws from `random` and NumPy's global generator: same draws per case
    np.random.seed(0)

    def call(i: int) -> Output:
        labels = dataset[i % len(dataset)]
        index_map = labels["masks"][0]  # Format's (1, H/4, W/4) overlap mask
        return Output(labels["img"], labels["bboxes"], labels["cls"], index_map=index_map, box_format="xywhn")

    return call


def cases() -> dict[str, po.Case]:
    out: dict[str, po.Case] = {}
    for n in (10, 50):
        samples = workload.make_scenes(n)
        out[f"YOLO-seg, {n} objects"] = (lambda s=samples, n=n: make_call(yolo_seg, s, n), "index_map")
        out[f"Affine + HSV + flip, {n} objects (index map)"] = (
            lambda s=samples, n=n: make_call(affine_hsv_flip, s, n),
            "index_map",
        )
    return out


def report_pastes(calls: int) -> dict[str, float]:
    """Mean objects CopyPaste adds per call after Mosaic where the output will be (to size COPY_PASTE
    against five donors)."""
    out = {}
    for n in (10, 50):
        dataset = MemoryDataset(workload.make_scenes(n))
        mosaic = augment.Mosaic(dataset, imgsz=SIZE, p=1.0)
        paste = augment.CopyPaste(p=COPY_PASTE[n], mode="flip")
        added = []
        for i in range(calls):
            labels = mosaic(dataset.get_image_and_label(i % len(dataset)))
            before = len(labels["instances"])
            pasted = paste(labels)["instances"]
            pasted.convert_bbox(format="xyxy")
            centres = (pasted.bboxes[before:, :2] + pasted.bboxes[before:, 2:]) / 2
            # RandomPerspective keeps the middle 640 px of the 1280 px mosaic (translate aside).
            added.append(int(((centres >= SIZE / 2) & (centres < 3 * SIZE / 2)).all(1).sum()))
        out[f"{n} objects"] = float(np.mean(added))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--report-pastes", action="store_true")
    args = parser.parse_args()
    # After importing ultralytics, which sets OpenCV's threads to its own choice.
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    if args.report_pastes:
        print(json.dumps({"pasted_per_call": report_pastes(args.calls)}))
        return
    results = po.run_cases(cases(), args.calls)
    print(json.dumps({"library": "ultralytics", "version": ultralytics.__version__, **results}))


if __name__ == "__main__":
    main()
