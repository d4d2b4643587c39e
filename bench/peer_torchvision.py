"""The peers suite's torchvision side, run in bench/.venv-torchvision: transforms v2 on tv_tensors, its
instance-segmentation recipe (the geometry, colour and flip, then SanitizeBoundingBoxes), on the
benchmark's scenes. Prints one JSON line like worker.py.

Inputs are made once per scene, outside the timer: a tv_tensors.Image (uint8, CHW), the masks as one
tv_tensors.Mask (N, H, W), tv_tensors.BoundingBoxes (XYXY) and the class ids under "labels". The
output form is the stacked (N, H, W) masks."""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ["OMP_NUM_THREADS"] = "1"
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import peer_outputs as po  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from peer_outputs import Output  # noqa: E402
from torchvision import tv_tensors  # noqa: E402
from torchvision.transforms import v2  # noqa: E402

import workload  # noqa: E402


def refit_boxes(image: tv_tensors.Image, target: dict) -> tuple:
    """Each box made the tight box of its mask (exclusive ends, as the scenes'), zero for an empty
    mask: the recipe alone keeps the affine image of each input box, so an object moved off the
    canvas while a corner of its turned box stays on it keeps a box and an empty mask (the sanity
    check catches it at 50 objects); with this step SanitizeBoundingBoxes drops such objects."""
    masks = target["masks"]
    boxes = torchvision.ops.masks_to_boxes(masks)
    boxes[:, 2:] += masks.flatten(1).any(1, keepdim=True)  # last pixel -> exclusive end, if any
    target = {**target, "boxes": tv_tensors.wrap(boxes, like=target["boxes"])}
    return image, target


def affine_hsv_flip(refit: bool = True) -> v2.Compose:
    """The benchmark's Affine + HSV + flip: RandomAffine with the same ranges (bilinear for the image,
    as the others; masks are always nearest), ColorJitter's brightness, saturation and hue about as
    wide as the others' HSV shifts, a flip at 0.5, then (with `refit`) the boxes refitted to the
    masks and SanitizeBoundingBoxes."""
    return v2.Compose(
        [
            v2.RandomAffine(
                degrees=10,
                translate=(0.05, 0.05),
                scale=(0.9, 1.1),
                shear=2,
                interpolation=v2.InterpolationMode.BILINEAR,
            ),
            v2.ColorJitter(brightness=0.1, saturation=0.3, hue=15 / 360),
            v2.RandomHorizontalFlip(p=0.5),
            *([refit_boxes] if refit else []),
            v2.SanitizeBoundingBoxes(),
        ]
    )


def sample(image: np.ndarray, instances: list[dict]) -> tuple:
    height, width = image.shape[:2]
    masks = np.stack([i["mask"] for i in instances]) if instances else np.zeros((0, height, width), np.uint8)
    boxes = np.array([i["bbox"] for i in instances], np.float32).reshape(-1, 4)
    classes = [po.CLASS_IDS[i["bbox_labels"]["class_name"]] for i in instances]
    canvas = (height, width)
    target = {
        "boxes": tv_tensors.BoundingBoxes(torch.from_numpy(boxes), format="XYXY", canvas_size=canvas),
        "masks": tv_tensors.Mask(torch.from_numpy(masks)),
        "labels": torch.tensor(classes, dtype=torch.int64),
    }
    return tv_tensors.Image(torch.from_numpy(image).permute(2, 0, 1).contiguous()), target


def make_call(samples: list, refit: bool = True):
    transforms = affine_hsv_flip(refit)
    torch.manual_seed(0)  # each case draws the same sequence (the refit and plain recipes alike)
    inputs = [sample(*s) for s in samples]

    def call(i: int) -> Output:
        image, target = transforms(*inputs[i % len(inputs)])
        return Output(image, target["boxes"], target["labels"], masks=target["masks"])

    return call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(1)
    random.seed(0)
    cases: dict[str, po.Case] = {}
    for n in (10, 50):
        samples = workload.make_scenes(n)
        cases[f"Affine + HSV + flip, {n} objects (stacked)"] = (lambda s=samples: make_call(s), "stacked")
        # The recipe without refit_boxes: reported beside the table (it fails the checks).
        cases[f"Affine + HSV + flip, {n} objects (stacked), recipe alone"] = (
            lambda s=samples: make_call(s, refit=False),
            "stacked",
        )
    results = po.run_cases(cases, args.calls)
    print(json.dumps({"library": "torchvision", "version": torchvision.__version__, **results}))


if __name__ == "__main__":
    main()
