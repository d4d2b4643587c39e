"""The peers suite's cases for instaug and albumentationsx (`A` is either, as in workload.py): the
same scenes and chains the Ultralytics and torchvision scripts run with their own classes.

instaug makes each output form itself (Compose's mask_output); albumentationsx returns one mask per
instance, so its call stacks them, or builds the 1/4 index map the way Ultralytics' Format does
(peer_outputs.index_map_from_masks) - inside the timer, since that is the work of getting the form."""

from __future__ import annotations

from typing import Any

import numpy as np
import peer_outputs as po
from peer_outputs import Output

import workload

OBJECT_COUNTS = (10, 50)


def affine(A: Any) -> Any:
    return A.Affine(scale=(0.9, 1.1), rotate=(-10, 10), shear=(-2, 2), translate_percent=(-0.05, 0.05), p=1.0)


def hsv(A: Any) -> Any:
    return A.HueSaturationValue(
        hue_shift_range=(-15, 15), sat_shift_range=(-40, 40), val_shift_range=(-25, 25), p=1.0
    )


def yolo_seg(A: Any) -> list:
    """Mosaic 2x2 -> CopyAndPaste (always, five donors) -> Affine -> HSV -> horizontal flip: the order
    of Ultralytics' v8_transforms (Mosaic, CopyPaste, RandomPerspective, RandomHSV, RandomFlip)."""
    mosaic, paste = workload.seed_pipeline.mosaic(A), workload.seed_pipeline.copy_and_paste(A, p=1.0)
    return [mosaic, paste, affine(A), hsv(A), A.HorizontalFlip(p=0.5)]


def affine_hsv_flip(A: Any) -> list:
    return [affine(A), hsv(A), A.HorizontalFlip(p=0.5)]


def _boxes_classes(instances: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    boxes = np.array([np.asarray(i["bbox"], np.float32) for i in instances], np.float32).reshape(-1, 4)
    classes = np.array([po.CLASS_IDS[i["bbox_labels"]["class_name"]] for i in instances], np.int64)
    return boxes, classes


def _instaug_output(out: dict, form: str) -> Output:
    boxes, classes = _boxes_classes(out["instances"])
    if form == "index_map":
        return Output(out["image"], boxes, classes, index_map=out["index_map"])
    return Output(out["image"], boxes, classes, masks=out["masks"])


def _albumentations_output(out: dict, form: str) -> Output:
    boxes, classes = _boxes_classes(out["instances"])
    masks = [i["mask"] for i in out["instances"]]
    if form == "index_map":
        index_map, order = po.index_map_from_masks(masks, out["image"].shape[:2])
        return Output(out["image"], boxes[order], classes[order], index_map=index_map)
    stacked = np.stack(masks) if masks else np.zeros((0, *out["image"].shape[:2]), np.uint8)
    return Output(out["image"], boxes, classes, masks=stacked)


def make_call(A: Any, instaug: bool, transforms: list, samples: list, form: str, metadata: bool):
    """call(i) -> Output: one pipeline call on sample i % 4 and the work of getting `form`."""
    options: dict[str, Any] = {}
    if instaug:
        options = {"mask_output": form, "mask_output_ratio": po.RATIO if form == "index_map" else 1}
    compose = A.Compose(
        transforms,
        bbox_params=workload.bbox_params(A),
        instance_binding=["masks", "bboxes"],
        seed=137,
        **options,
    )
    arguments = [workload.call_arguments(samples, i) for i in range(len(samples))]
    if not metadata:
        arguments = [{"image": a["image"], "instances": a["instances"]} for a in arguments]
    shape = _instaug_output if instaug else _albumentations_output

    def call(i: int) -> Output:
        return shape(compose(**arguments[i % len(arguments)]), form)

    return call


def cases(A: Any, instaug: bool) -> dict[str, po.Case]:
    out: dict[str, po.Case] = {}
    for n in OBJECT_COUNTS:
        samples = workload.make_scenes(n)
        for name, chain, form, metadata in (
            (f"YOLO-seg, {n} objects", yolo_seg, "index_map", True),
            (f"Affine + HSV + flip, {n} objects (index map)", affine_hsv_flip, "index_map", False),
            (f"Affine + HSV + flip, {n} objects (stacked)", affine_hsv_flip, "stacked", False),
            (f"seed pipeline, {n} objects", workload.seed_transforms, "stacked", True),
        ):
            out[name] = (
                lambda c=chain, s=samples, f=form, m=metadata: make_call(A, instaug, c(A), s, f, m),
                form,
            )
    return out
