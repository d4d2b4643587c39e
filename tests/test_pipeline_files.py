"""Pipelines as files: A.to_dict / from_dict / save / load in albumentationsx's layout, both ways,
with the reference's own files, and repr."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import instaug as A
from instaug import _core
from instaug.transforms.base import registered_names

from helpers import FIELDS, call_values, calls, compose, default_transform, import_reference

# The reference warns about the processors of a one-transform pipeline; that is not under test here.
pytestmark = [
    pytest.mark.filterwarnings("ignore:label_fields are set but label_mapping is not provided"),
    pytest.mark.filterwarnings("ignore:Got processor for"),
]

NAMES = sorted(set(registered_names()) - {"Compose", "ReplayCompose", "ExternalTransform"})
LEAVES = [n for n in NAMES if A.transforms.base.schema_of(n)["kind"] != "composition"]


def _outputs(pipeline: A.Compose, count: int = 3) -> list[dict[str, Any]]:
    return [pipeline(**call, **call_values(pipeline, 48, 64)) for call in calls(count, height=48, width=64)]


def _assert_same_outputs(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x["image"], y["image"])
        assert len(x["instances"]) == len(y["instances"])
        for i, j in zip(x["instances"], y["instances"]):
            np.testing.assert_array_equal(i["mask"], j["mask"])
            np.testing.assert_array_equal(i["bbox"], j["bbox"])
            assert i["bbox_labels"] == j["bbox_labels"]


def _through_json(content: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(content))


@pytest.mark.parametrize("name", NAMES)
def test_a_saved_transform_loads_and_gives_the_same_outputs(name: str) -> None:
    pipeline = compose([default_transform(name, p=1.0 if name != "OneOrOther" else 0.5)], seed=21)
    loaded = A.from_dict(_through_json(A.to_dict(pipeline)))
    assert A.to_dict(loaded) == A.to_dict(pipeline)
    _assert_same_outputs(_outputs(pipeline), _outputs(loaded))


def _everything() -> A.Compose:
    """A pipeline over every transform and composition (each applied now and then)."""
    leaves = [
        default_transform(n, p=0.3)
        for n in LEAVES
        if n
        not in (
            "ToTensorV2",
            "Normalize",
            "ToGray",
            "Colorize",
            "ToFloat",
            "FromFloat",
            "GuidedCoarseDropout",
        )
    ]
    return A.Compose(
        [
            # Its region is aligned with the input: it runs before any size change.
            default_transform("GuidedCoarseDropout", p=0.3),
            A.OneOf(leaves[:6], p=0.9),
            A.SomeOf(leaves[6:12], n=2),
            A.RandomOrder(leaves[12:18], n=2, p=0.8),
            A.Sequential(leaves[18:], p=0.9),
            A.OneOrOther(A.HorizontalFlip(p=1), A.VerticalFlip(p=1)),
            A.SelectiveChannelTransform([A.Blur(p=1)], channels=[0, 2], p=0.5),
            A.Compose([A.NoOp()], p=0.5),
        ],
        bbox_params=A.BboxParams("pascal_voc", label_fields=FIELDS, min_visibility=0.1),
        instance_binding=["masks", "bboxes"],
        seed=5,
    )


@pytest.mark.parametrize("data_format", ["json", "yaml"])
def test_a_pipeline_of_every_transform_saves_and_loads(tmp_path: Path, data_format: str) -> None:
    pipeline = _everything()
    path = tmp_path / f"pipeline.{data_format}"
    A.save(pipeline, path, data_format=data_format)
    loaded = A.load(path, data_format=data_format)
    _assert_same_outputs(_outputs(pipeline, 6), _outputs(loaded, 6))
    buffer = io.StringIO()
    A.save(pipeline, buffer, data_format=data_format)
    buffer.seek(0)
    assert A.to_dict(A.load(buffer, data_format=data_format)) == A.to_dict(pipeline)


def test_the_file_layout_is_the_references() -> None:
    content = A.to_dict(
        A.Compose(
            [A.HorizontalFlip(p=0.5), A.OneOf([A.Blur(), A.GaussNoise()], p=0.3)],
            bbox_params=A.BboxParams("coco", label_fields=["cls"]),
            seed=3,
        )
    )
    assert content["__version__"] == _core.file_version
    body = content["transform"]
    assert body["__class_fullname__"] == "Compose" and body["seed"] == 3 and body["p"] == 1.0
    assert body["transforms"][0] == {"__class_fullname__": "HorizontalFlip", "p": 0.5}
    assert body["transforms"][1]["__class_fullname__"] == "OneOf" and body["transforms"][1]["p"] == 0.3
    assert body["bbox_params"]["coord_format"] == "coco" and body["bbox_params"]["label_fields"] == ["cls"]
    assert list(body)[:6] == [
        "__class_fullname__",
        "transforms",
        "bbox_params",
        "keypoint_params",
        "additional_targets",
        "p",
    ]


# --- errors ------------------------------------------------------------------------------------


def _file(*transforms: dict[str, Any]) -> dict[str, Any]:
    return {
        "__version__": "2.5.1",
        "transform": {"__class_fullname__": "Compose", "transforms": list(transforms)},
    }


def test_an_unknown_transform_is_named_with_its_place_in_the_file() -> None:
    one_of = {
        "__class_fullname__": "OneOf",
        "transforms": [{"__class_fullname__": "Blur"}, {"__class_fullname__": "Foo"}],
    }
    with pytest.raises(
        ValueError, match=r"transform\.transforms\[1\]\.transforms\[1\]: unknown transform 'Foo'"
    ):
        A.from_dict(_file({"__class_fullname__": "NoOp"}, one_of))


def test_an_unknown_argument_is_named_with_its_place_in_the_file() -> None:
    with pytest.raises(ValueError, match=r"transform\.transforms\[0\]: Blur: unknown argument 'kernel'"):
        A.from_dict(_file({"__class_fullname__": "Blur", "kernel": 3}))
    with pytest.raises(ValueError, match=r"transform: Compose: unknown argument 'extra'"):
        A.from_dict({"transform": {"__class_fullname__": "Compose", "transforms": [], "extra": 1}})


def test_a_wrong_value_is_named_with_its_place_in_the_file() -> None:
    with pytest.raises(
        ValueError, match=r"transform\.transforms\[0\]: Blur: blur_range must satisfy min <= max"
    ):
        A.from_dict(_file({"__class_fullname__": "Blur", "blur_range": [7, 3]}))
    box = {"coord_format": "nope"}
    with pytest.raises(ValueError, match=r"transform: BboxParams: coord_format must be one of"):
        A.from_dict({"transform": {"__class_fullname__": "Compose", "transforms": [], "bbox_params": box}})


def test_what_is_not_a_pipeline_file_is_refused() -> None:
    with pytest.raises(ValueError, match="pipeline file"):
        A.from_dict({"__class_fullname__": "Blur"})
    with pytest.raises(ValueError, match="unknown key 'transfrom'"):
        A.from_dict({"transform": {"__class_fullname__": "Blur"}, "transfrom": {}})
    with pytest.raises(ValueError, match="data_format must be 'json' or 'yaml'"):
        A.save(A.Blur(), io.StringIO(), data_format="toml")
    with pytest.raises(ValueError, match="frame_binding"):
        A.from_dict(
            {"transform": {"__class_fullname__": "Compose", "transforms": [], "frame_binding": ["images"]}}
        )


# --- transforms written in Python ----------------------------------------------------------------


def _invert(image: np.ndarray, **params: Any) -> np.ndarray:
    return 255 - image


class Darken(A.ImageOnlyTransform):
    """A transform of the user's, with an argument kept as an attribute."""

    def __init__(self, amount: int = 10, p: float = 0.5) -> None:
        super().__init__(p=p)
        self.amount = amount

    def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
        return np.clip(img.astype(np.int16) - self.amount, 0, 255).astype(np.uint8)


def test_a_named_lambda_and_a_transform_of_the_users_round_trip() -> None:
    invert = A.Lambda(image=_invert, name="invert", p=1)
    pipeline = compose([Darken(amount=40, p=1), A.OneOf([invert, A.Blur(p=1)], p=1)], seed=2)
    content = _through_json(A.to_dict(pipeline))
    assert content["transform"]["transforms"][0] == {
        "__class_fullname__": f"{__name__}.Darken",
        "p": 1.0,
        "amount": 40,
    }
    assert content["transform"]["transforms"][1]["transforms"][0] == {
        "__class_fullname__": "Lambda",
        "__name__": "invert",
        "p": 1.0,
    }
    with pytest.raises(
        ValueError, match=r"transform\.transforms\[1\]\.transforms\[0\]: the Lambda 'invert'.*nonserializable"
    ):
        A.from_dict(content)
    loaded = A.from_dict(content, nonserializable={"invert": invert})
    _assert_same_outputs(_outputs(pipeline), _outputs(loaded))
    with pytest.raises(ValueError, match="provide the `name` argument"):
        A.to_dict(A.Compose([A.Lambda(image=_invert)]))


# --- the reference's files, and ours in the reference ------------------------------------------

# Arguments away from the defaults where a transform has some, so that a value lost on the way shows.
REFERENCE_ARGUMENTS: dict[str, dict[str, Any]] = {
    "Affine": {
        "scale": (0.8, 1.2),
        "rotate": (-15, 15),
        "shear": {"x": (-5, 5), "y": (-2, 3)},
        "fit_output": True,
        "border_mode": 1,
    },
    "Blur": {"blur_range": (3, 9)},
    "CLAHE": {"clip_range": (1, 3), "tile_grid_size": (4, 4)},
    "ColorJitter": {"brightness_range": (0.7, 1.3), "hue_range": (-0.1, 0.1)},
    "Crop": {"x_min": 2, "y_min": 3, "x_max": 20, "y_max": 30},
    "GaussNoise": {"std_range": (0.1, 0.2), "per_channel": True},
    "HueSaturationValue": {"hue_shift_range": (-10, 10)},
    "Mosaic": {"target_size": (64, 80), "cell_shape": (64, 80), "center_range": (0.4, 0.6)},
    "Normalize": {"mean": (0.5, 0.5, 0.5), "std": (0.2, 0.2, 0.2)},
    "PadIfNeeded": {"min_height": 64, "min_width": 96, "position": "top_left"},
    "RandomBrightnessContrast": {"brightness_range": (-0.3, 0.1)},
    "RandomCrop": {"height": 20, "width": 24, "pad_if_needed": True},
    "Rotate": {"angle_range": (-20, 20), "border_mode": 4},
    "ToGray": {"method": "average"},
}


def _reference_transform(R: Any, name: str) -> tuple[Any, A.transforms.base.BaseTransform]:
    from helpers import REQUIRED_ARGUMENTS

    arguments = {**REQUIRED_ARGUMENTS.get(name, {}), **REFERENCE_ARGUMENTS.get(name, {})}
    if A.transforms.base.schema_of(name)["kind"] == "composition":
        if name == "OneOrOther":
            return R.OneOrOther(R.NoOp(), R.Blur()), A.OneOrOther(A.NoOp(), A.Blur())
        return getattr(R, name)([R.Blur(), R.RGBShift()]), getattr(A, name)([A.Blur(), A.RGBShift()])
    return getattr(R, name)(**arguments), getattr(A, name)(**arguments)


@pytest.mark.parametrize("name", NAMES)
def test_a_file_the_reference_saved_loads(tmp_path: Path, name: str) -> None:
    R = import_reference(needed_by="the reference-file tests")
    theirs, ours = _reference_transform(R, name)
    pipeline = R.Compose(
        [theirs],
        bbox_params=R.BboxParams(coord_format="pascal_voc", label_fields=["class_name"], min_area=4),
        keypoint_params=R.KeypointParams(coord_format="xy", label_fields=["kind"]),
        instance_binding=["masks", "bboxes", "keypoints"],
        seed=17,
    )
    R.save(pipeline, tmp_path / "theirs.json")
    loaded = A.load(tmp_path / "theirs.json")
    # The same transform: the same outputs (the reference writes some defaults in another form).
    _assert_same_outputs(_outputs(compose([loaded.transforms[0]], seed=6)), _outputs(compose([ours], seed=6)))
    assert loaded.bbox_params.min_area == 4 and loaded.bbox_params.label_fields == ["class_name"]
    assert loaded.keypoint_params.label_fields == ["kind"] and loaded.seed == 17
    assert set(loaded.instance_binding) == {"masks", "bboxes", "keypoints"}


@pytest.mark.parametrize("name", NAMES)
def test_a_file_instaug_saved_loads_in_the_reference(tmp_path: Path, name: str) -> None:
    R = import_reference(needed_by="the reference-file tests")
    theirs, ours = _reference_transform(R, name)
    A.save(compose([ours], seed=4), tmp_path / "ours.json")
    loaded = R.load(tmp_path / "ours.json")
    written = R.to_dict(loaded)["transform"]["transforms"][0]
    expected = R.to_dict(theirs)["transform"]
    for description in (written, expected):
        description.pop("__class_fullname__")
    # Equal once in normal form (the reference writes 0.0 where it read [0.0]).
    assert _core.validate_arguments(name, written) == _core.validate_arguments(name, expected)
    assert R.to_dict(loaded)["transform"]["bbox_params"]["label_fields"] == FIELDS and loaded.seed == 4


def test_label_mappings_with_numbers_cross_files_both_ways() -> None:
    R = import_reference(needed_by="the reference-file tests")
    mapping = {"HorizontalFlip": {"side": {1: 2, 2: 1}}}
    ours = A.Compose(
        [A.HorizontalFlip(p=1)],
        keypoint_params=A.KeypointParams("xy", label_fields=["side"], label_mapping=mapping),
        seed=0,
    )
    content = _through_json(A.to_dict(ours))
    assert A.from_dict(content).keypoint_params.label_mapping == mapping
    assert R.from_dict(content).processors["keypoints"].params.label_mapping == mapping
    theirs = R.Compose(
        [R.HorizontalFlip(p=1)],
        keypoint_params=R.KeypointParams(coord_format="xy", label_fields=["side"], label_mapping=mapping),
    )
    assert A.from_dict(_through_json(R.to_dict(theirs))).keypoint_params.label_mapping == mapping


# --- repr ---------------------------------------------------------------------------------------


def test_repr_is_the_references_layout_and_reloads() -> None:
    pipeline = _everything()
    text = repr(pipeline)
    assert (
        text.startswith("Compose([\n  GuidedCoarseDropout(p=0.3, ")
        and "\n  OneOf([\n    " in text
        and "\n], bbox_params={'coord_format': 'pascal_voc'" in text
    )
    _assert_same_outputs(_outputs(eval(text, vars(A)), 6), _outputs(pipeline, 6))
    assert repr(A.Blur()) == "Blur(p=0.5, blur_range=(3, 7))"


def test_repr_matches_the_references_for_a_simple_pipeline() -> None:
    R = import_reference(needed_by="the repr comparison")
    ours = A.Compose([A.HorizontalFlip(p=0.5), A.OneOf([A.Blur(), A.MedianBlur()], p=0.3)], seed=1)
    theirs = R.Compose([R.HorizontalFlip(p=0.5), R.OneOf([R.Blur(), R.MedianBlur()], p=0.3)], seed=1)
    assert repr(ours).split("\n")[:6] == repr(theirs).split("\n")[:6]


def test_compose_mask_interpolation_applies_to_every_transform() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)
    mask = (rng.random((40, 50)) * 255).astype(np.uint8)
    affine = {"rotate": (10, 10), "scale": (1.3, 1.3), "p": 1}
    overridden = A.Compose(
        [A.OneOf([A.Affine(**affine, mask_interpolation=0)], p=1)], mask_interpolation=1, seed=0
    )
    direct = A.Compose([A.OneOf([A.Affine(**affine, mask_interpolation=1)], p=1)], seed=0)
    nearest = A.Compose([A.OneOf([A.Affine(**affine, mask_interpolation=0)], p=1)], seed=0)
    out = overridden(image=image, mask=mask)["mask"]
    np.testing.assert_array_equal(out, direct(image=image, mask=mask)["mask"])
    assert not np.array_equal(out, nearest(image=image, mask=mask)["mask"])
