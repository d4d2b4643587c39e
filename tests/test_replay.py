"""Replay and inspection: Compose(save_applied_params=True), Compose.from_applied_transforms,
ReplayCompose and ReplayCompose.replay."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import instaug as A
from instaug.transforms.base import registered_names, schema_of

from helpers import FIELDS, calls, default_transform, import_reference

# ShiftScaleRotate, TimeReverse, TimeMasking, FrequencyMasking: the reference reports them as the
# Affine, HorizontalFlip or XYMasking they are; we report them under their own names and arguments
# (README, differences), so that from_applied_transforms rebuilds them.
LEAVES = sorted(
    n
    for n in set(registered_names())
    - {
        "ExternalTransform",
        "ToTensorV2",
        "ShiftScaleRotate",
        "TimeReverse",
        "TimeMasking",
        "FrequencyMasking",
    }
    if schema_of(n)["kind"] not in ("composition", "mixing")
)


def _image() -> np.ndarray:
    return np.random.default_rng(3).integers(0, 255, (48, 60, 3), dtype=np.uint8)


def _ranges(name: str) -> set[str]:
    return {p["name"] for p in schema_of(name)["params"] if p["type"] in ("range", "axis_range")}


@pytest.mark.parametrize("name", LEAVES)
def test_applied_transforms_report_what_the_reference_reports(name: str) -> None:
    R = import_reference(needed_by="the applied_transforms comparison")
    arguments = {
        "Affine": {"rotate": (-10, 10), "shear": (-5, 5), "translate_percent": (-0.1, 0.1)},
        "PhotoMetricDistort": {"distort_p": 1.0},  # every factor drawn, in both libraries
        # Fractions no whole-pixel strip can equal: a drawn strip never looks like the argument.
        "RandomCropFromBorders": {f"crop_{side}": 0.155 for side in ("left", "right", "top", "bottom")},
        "PlanckianJitter": {"temperature_range": (3000, 15000)},  # None's bounds: the mode's table
        # One rectangle: the same quantities reported, whatever either stream draws.
        "AnnotationArtifacts": {
            "element_types": ("rectangle",),
            "element_probabilities": (1.0,),
            "count_range": (1, 1),
        },
    }.get(name, {})
    data, options = _call_data(name)
    ours = A.Compose(
        [default_transform(name, p=1, **arguments)],
        save_applied_params=True,
        seed=0,
        **{k: v(A) for k, v in options.items()},
    )
    theirs = R.Compose(
        [getattr(R, name)(**{**_required(name), **arguments}, p=1)],
        save_applied_params=True,
        seed=0,
        **{k: v(R) for k, v in options.items()},
    )
    [(our_name, our_config)] = ours(image=_image(), **data)["applied_transforms"]
    [(their_name, their_config)] = theirs(image=_image(), **data)["applied_transforms"]
    assert our_name == their_name
    assert set(our_config) == set(their_config)
    their_initial = R.to_dict(getattr(R, name)(**{**_required(name), **arguments}, p=1))["transform"]
    # The arguments the reference reports as drawn are the ones we report as drawn, within their ranges.
    # (Equalize's file leaves out mask_params, which its applied config reports: not drawn.)
    drawn = {
        k
        for k in their_config
        if k in their_initial and json.dumps(their_config[k], default=list) != json.dumps(their_initial[k])
    }
    initial = default_transform(name, p=1, **arguments).repr_arguments()
    ours_drawn = {k for k in our_config if our_config[k] != initial[k]}
    assert ours_drawn == drawn
    # CoarseDropout reports its hole sides in pixels, drawn from fractions of the image side.
    in_other_units = {"CoarseDropout": {"hole_height_range", "hole_width_range"}}.get(name, set())
    for key in (ours_drawn & _ranges(name)) - in_other_units:
        low, high = _bounds(initial[key])
        assert all(low - 1e-9 <= v <= high + 1e-9 for v in _values(our_config[key]))


# Transforms that read the call's boxes or masks get them (the reference fails without).
READS_BOXES = {"BBoxSafeRandomCrop", "RandomSizedBBoxSafeCrop", "BBoxSubsetSafeRandomCrop"}


DOMAIN_ADAPTATION_KEYS = {
    "HistogramMatching": "hm_metadata",
    "FDA": "fda_metadata",
    "PixelDistributionAdaptation": "pda_metadata",
}


def _call_data(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if name in READS_BOXES:
        boxes = np.array([[5, 6, 30, 40], [20, 10, 50, 30]], dtype=np.float64)
        return {"bboxes": boxes}, {"bbox_params": lambda lib: lib.BboxParams("pascal_voc", label_fields=[])}
    if name == "RandomCropNearBBox":
        return {"cropping_bbox": [5, 6, 40, 30]}, {}
    if name == "GuidedCoarseDropout":
        return {"dropout_region": np.ones((48, 60), np.uint8)}, {}
    if name == "MaskDropout":
        mask = np.zeros((48, 60), np.uint8)
        mask[20:30, 10:25] = 1
        return {"mask": mask}, {}
    if name in DOMAIN_ADAPTATION_KEYS:
        rng = np.random.default_rng(5)
        references = [rng.integers(0, 256, (30 + 7 * i, 41, 3), dtype=np.uint8) for i in range(3)]
        return {DOMAIN_ADAPTATION_KEYS[name]: references}, {}
    if name == "CropNonEmptyMaskIfExists":
        mask = np.zeros((48, 60), np.uint8)
        mask[20:30, 10:25] = 1
        return {"mask": mask}, {}
    return {}, {}


def _required(name: str) -> dict[str, Any]:
    from helpers import REQUIRED_ARGUMENTS

    return REQUIRED_ARGUMENTS.get(name, {})


def _values(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _values(v)]
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _bounds(value: Any) -> tuple[float, float]:
    values = [v for r in (value.values() if isinstance(value, dict) else [value]) for v in r]
    return min(values), max(values)


def test_applied_transforms_rebuild_a_pipeline_that_redoes_the_draws() -> None:
    transforms = [
        A.Affine(scale=(0.7, 1.3), rotate=(-30, 30), shear=(-8, 8), translate_percent=(-0.1, 0.1), p=1),
        A.OneOf([A.Blur(p=1), A.MedianBlur(p=1)], p=1),
        A.RandomBrightnessContrast(p=1),
        A.HueSaturationValue(p=1),
        A.GaussianBlur(blur_range=(3, 7), p=1),
        A.RandomScale(scale_range=(-0.3, 0.3), p=1),
        A.ShiftScaleRotate(shift_range_y=(-0.1, 0.1), p=1),
        A.Posterize(num_bits=[(1, 7), (2, 5), (3, 6)], p=1),
    ]
    pipeline = A.Compose(transforms, save_applied_params=True, seed=9)
    for _ in range(3):
        out = pipeline(image=_image())
        again = A.Compose.from_applied_transforms(out["applied_transforms"], seed=123)(image=_image())
        np.testing.assert_array_equal(again["image"], out["image"])
    with pytest.raises(ValueError, match="do not pass p"):
        A.Compose.from_applied_transforms(out["applied_transforms"], p=0.5)


def test_without_save_applied_params_nothing_is_reported() -> None:
    assert "applied_transforms" not in A.Compose([A.Blur(p=1)])(image=_image())


def _replay_pipeline() -> A.ReplayCompose:
    return A.ReplayCompose(
        [
            A.OneOf([A.HorizontalFlip(p=1), A.Affine(rotate=(-20, 20), p=1)], p=0.8),
            A.RandomBrightnessContrast(p=0.5),
            A.RandomCrop(height=40, width=50, p=1),
            A.Mosaic(target_size=(48, 64), cell_shape=(48, 64), p=0.5),
        ],
        bbox_params=A.BboxParams("pascal_voc", label_fields=FIELDS),
        instance_binding=["masks", "bboxes"],
        seed=4,
    )


def test_replay_reproduces_each_output_exactly() -> None:
    pipeline = _replay_pipeline()
    for data in calls(6, height=48, width=64):
        out = pipeline(**data)
        record = json.loads(json.dumps(out["replay"]))  # a record survives a file
        again = A.ReplayCompose.replay(record, **data)
        np.testing.assert_array_equal(again["image"], out["image"])
        assert [i["bbox_labels"] for i in again["instances"]] == [i["bbox_labels"] for i in out["instances"]]
        for a, b in zip(again["instances"], out["instances"]):
            np.testing.assert_array_equal(a["mask"], b["mask"])
            np.testing.assert_array_equal(a["bbox"], b["bbox"])


def test_the_record_says_what_was_applied_with_what() -> None:
    pipeline = A.ReplayCompose([A.OneOf([A.Blur(p=1), A.GaussNoise(p=1)], p=1), A.VerticalFlip(p=0)], seed=1)
    record = pipeline(image=_image())["replay"]
    one_of, flip = record["transforms"]
    chosen = [t for t in one_of["transforms"] if t["applied"]]
    assert one_of["applied"] and len(chosen) == 1 and record["applied"]
    assert not flip["applied"] and flip["params"] is None
    drawn = chosen[0]["params"]
    assert set(drawn) == (
        {"blur_range"} if chosen[0]["__class_fullname__"] == "Blur" else {"std_range", "mean_range"}
    )


def test_replay_refuses_what_is_not_a_record() -> None:
    with pytest.raises(ValueError, match="record of a ReplayCompose call"):
        A.ReplayCompose.replay({"transforms": []}, image=_image())
    record = A.ReplayCompose([A.Blur()], save_key="mine", seed=0)(image=_image())["mine"]
    assert record["__class_fullname__"] == "ReplayCompose" and record["save_key"] == "mine"


def test_a_replay_compose_of_an_unnamed_lambda_says_so_when_built() -> None:
    with pytest.raises(ValueError, match="provide the `name` argument"):
        A.ReplayCompose([A.Lambda(image=lambda image, **kw: image)])


def test_a_final_to_tensor_is_reported_as_applied() -> None:
    import_reference("torch", needed_by="the ToTensorV2 report")
    out = A.Compose([A.Blur(p=1), A.ToTensorV2()], save_applied_params=True, seed=0)(image=_image())
    assert [name for name, _ in out["applied_transforms"]] == ["Blur", "ToTensorV2"]
    assert out["applied_transforms"][1][1] == {"p": 1.0, "transpose_mask": False}
