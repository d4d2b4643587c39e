"""The user's YOLO-style pipeline (from the instance-segmentation description) and the metadata
shapes it reads, shared by the demo, the DataLoader example, the benchmark and the tests."""

from __future__ import annotations

from typing import Any

import numpy as np


def mosaic(A: Any) -> Any:
    return A.Mosaic(grid_yx=(2, 2), target_size=(640, 640), cell_shape=(640, 640), fit_mode="cover", p=1.0)


def copy_and_paste(A: Any, p: float = 0.7) -> Any:
    return A.CopyAndPaste(
        scale_range=(0.4, 1.0),
        blend_mode="gaussian",
        blend_sigma_range=(1.0, 2.0),
        min_visibility_after_paste=0.1,
        p=p,
    )


def transforms(A: Any) -> list:
    """The seed pipeline's transforms, for `A` = instaug or albumentations."""
    return [
        mosaic(A),
        A.Affine(scale=(0.9, 1.1), rotate=(-10, 10), shear=(-2, 2), translate_percent=(-0.05, 0.05), p=0.5),
        A.Perspective(scale=(0.02, 0.05), keep_size=True, p=0.3),
        copy_and_paste(A),
        A.HorizontalFlip(p=0.5),
        A.HueSaturationValue(
            hue_shift_range=(-15, 15), sat_shift_range=(-40, 40), val_shift_range=(-25, 25), p=1.0
        ),
        A.RandomBrightnessContrast(brightness_range=(-0.2, 0.2), contrast_range=(-0.2, 0.2), p=0.5),
    ]


def compose(A: Any, seed: int, **bbox_kwargs: Any) -> Any:
    bbox_kwargs = {"min_visibility": 0.1, "min_area": 8.0, **bbox_kwargs}
    return A.Compose(
        transforms(A),
        bbox_params=A.BboxParams(coord_format="pascal_voc", label_fields=["class_name"], **bbox_kwargs),
        instance_binding=["masks", "bboxes"],
        seed=seed,
    )


def neighbour(image: np.ndarray, instances: list[dict]) -> dict:
    """A Mosaic neighbour in the metadata layout: stacked masks and boxes, label lists."""
    return {
        "image": image,
        "masks": np.stack([i["mask"] for i in instances])
        if instances
        else np.zeros((0, *image.shape[:2]), np.uint8),
        "bboxes": np.stack([i["bbox"] for i in instances]) if instances else np.zeros((0, 4), np.float32),
        "bbox_labels": {"class_name": [i["bbox_labels"]["class_name"] for i in instances]},
    }


def donor(image: np.ndarray, instance: dict) -> dict:
    """A CopyAndPaste donor: one object of another image."""
    return {
        "image": image,
        "mask": instance["mask"],
        "bbox_labels": {"class_name": instance["bbox_labels"]["class_name"]},
    }


def call(primary: tuple, neighbours: list[tuple], donor_scene: tuple, donor_count: int) -> dict:
    """The keyword dict of one call: primary (image, instances), neighbour scenes, donors."""
    image, instances = primary
    donor_image, donor_instances = donor_scene
    return {
        "image": image,
        "instances": instances,
        "mosaic_metadata": [neighbour(*n) for n in neighbours],
        "copy_paste_metadata": [donor(donor_image, d) for d in donor_instances[:donor_count]],
    }
