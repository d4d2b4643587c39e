"""The registry: every transform is declared once, in C++, and each Python class is a signature
over its schema. These tests hold the two sides together."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import instaug as A
from instaug import _core
from instaug.transforms.base import BaseTransform, registered_names, schema_of
from instaug.transforms.compose import BaseCompose
from instaug.transforms.geometric import DualTransform
from instaug.transforms.mixing import MixingTransform
from instaug.transforms.pixel import ImageOnlyTransform


def exported_classes() -> dict[str, type]:
    """Every exported transform class the core runs (transforms written in Python - the user bases
    and Lambda - have no schema: the core runs them as ExternalTransform)."""
    return {
        name: obj
        for name, obj in vars(A).items()
        if isinstance(obj, type)
        and (
            (issubclass(obj, BaseTransform) and obj.registered_name() is not None)
            or obj in (A.Compose, A.ReplayCompose)
        )
    }


def test_every_schema_has_a_class_and_every_class_a_schema() -> None:
    assert set(registered_names()) - {"ExternalTransform"} == set(exported_classes())


CLASSES = sorted(set(registered_names()) - {"ExternalTransform"})


@pytest.mark.parametrize("name", CLASSES)
def test_the_class_signature_is_the_schema(name: str) -> None:
    cls = exported_classes()[name]
    signature = inspect.signature(cls.__init__)
    arguments = {k: v for k, v in signature.parameters.items() if k != "self"}
    schema = {p["name"]: p for p in schema_of(name)["params"]}
    assert list(arguments) == list(schema), "argument names and order differ from the schema"
    for key, parameter in arguments.items():
        declared = schema[key]
        if declared["required"]:
            assert parameter.default is inspect.Parameter.empty, f"{key} has a default, the schema none"
        else:
            assert _same(parameter.default, declared["default"]), f"{key}: {parameter.default!r}"


def _same(python_default: Any, schema_default: Any) -> bool:
    if isinstance(python_default, (tuple, list)):  # nested too: Colorize's ranges of colours
        return (
            isinstance(schema_default, list)
            and len(python_default) == len(schema_default)
            and all(_same(a, b) for a, b in zip(python_default, schema_default))
        )
    return (
        python_default == schema_default
        and type(python_default) is not bool
        or (python_default is schema_default)
    )


KIND_BASES = {
    "geometric": DualTransform,
    "pixel": ImageOnlyTransform,
    "table": ImageOnlyTransform,
    "mixing": MixingTransform,
    "dropout": DualTransform,
    "filter": DualTransform,
    "composition": BaseCompose,
}


@pytest.mark.parametrize("name", CLASSES)
def test_the_class_family_is_the_kind(name: str) -> None:
    kind = schema_of(name)["kind"]
    if kind in KIND_BASES and name not in ("Compose", "ReplayCompose"):  # the pipelines, not steps
        assert issubclass(exported_classes()[name], KIND_BASES[kind])


def test_defaults_come_back_in_normal_form_as_attributes() -> None:
    t = A.Affine()
    assert t.scale == {"x": (1.0, 1.0), "y": (1.0, 1.0)}
    assert t.rotate == (0.0, 0.0)
    assert t.fill_mask == (0.0,)  # None means 0, as the reference


def test_even_kernel_bounds_become_the_next_odd_size() -> None:
    # The reference warns and rounds even kernel sizes up; the schema's normal form shows it.
    assert A.Blur(blur_range=(4, 6)).blur_range == (5, 7)
    assert A.GaussianBlur(blur_range=(0, 0)).blur_range == (0, 0)


def test_the_core_refuses_unknown_arguments_and_names() -> None:
    with pytest.raises(ValueError, match="HorizontalFlip: unknown argument 'q'"):
        _core.validate_arguments("HorizontalFlip", {"q": 1})
    with pytest.raises(ValueError, match="unknown transform 'Flipper'"):
        _core.validate_arguments("Flipper", {})
    with pytest.raises(ValueError, match="Resize: missing required argument 'height'"):
        _core.validate_arguments("Resize", {"width": 3})


def test_the_core_refuses_a_pipeline_of_unknown_transforms() -> None:
    with pytest.raises(ValueError, match=r"transforms\[0\]: unknown transform 'Nope'"):
        _core.Pipeline([{"__class_fullname__": "Nope"}], {}, {}, 1.0)
    with pytest.raises(ValueError, match=r"transforms\[0\]\.transforms\[1\]: Rotate: angle_range must be"):
        _core.Pipeline(
            [
                {
                    "__class_fullname__": "OneOf",
                    "transforms": [
                        {"__class_fullname__": "NoOp"},
                        {"__class_fullname__": "Rotate", "angle_range": 5},
                    ],
                }
            ],
            {},
            {},
            1.0,
        )


def test_box_and_keypoint_settings_are_checked_by_name() -> None:
    with pytest.raises(ValueError, match="box config: unknown setting 'min_areas'"):
        _core.Pipeline([], {"min_areas": 1.0}, {}, 1.0)


def test_numpy_scalars_are_accepted_as_arguments() -> None:
    t = A.Resize(height=np.int64(4), width=np.int32(5), p=np.float64(1.0))
    assert (t.height, t.width, t.p) == (4, 5, 1.0)


def test_a_subclass_runs_as_the_transform_it_extends() -> None:
    # Dispatch used the Python class name: "unknown transform 'MyFlip'".
    class MyFlip(A.HorizontalFlip):
        pass

    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    out = A.Compose([MyFlip(p=1)])(image=image)
    np.testing.assert_array_equal(out["image"], image[:, ::-1])


def test_a_class_outside_the_registry_is_refused() -> None:
    class Stranger(BaseTransform):
        def __init__(self) -> None:
            super().__init__()

    with pytest.raises(TypeError, match="derives from no registered instaug transform"):
        Stranger()


def test_kinds_of_the_core() -> None:
    assert schema_of("ExternalTransform")["kind"] == "external"


def test_random_scale_keeps_one_range_one_draw() -> None:
    # A single range is one factor for both sides (the reference's rule); a dict draws per side.
    assert A.RandomScale(scale_range=(-0.5, 0.5)).scale_range == (-0.5, 0.5)
    image = np.zeros((100, 200, 3), np.uint8)
    one = A.Compose([A.RandomScale(scale_range=(-0.5, 1.0), p=1)], seed=0)
    for _ in range(20):
        height, width = one(image=image)["image"].shape[:2]
        assert abs(width / 200 - height / 100) <= 0.02
    two = A.Compose([A.RandomScale(scale_range={"x": (-0.5, 1.0), "y": (-0.5, 1.0)}, p=1)], seed=0)
    ratios = {round(s[1] / 200 - s[0] / 100, 2) for s in (two(image=image)["image"].shape for _ in range(20))}
    assert len(ratios) > 5
    with pytest.raises(ValueError, match="scale_range low must be > -1"):
        A.RandomScale(scale_range=(-1.0, 0.0))


# A maintainer finds a transform's tests by its name in the file of its family.
TESTS = Path(__file__).resolve().parent
FAMILY_FILES = {
    "geometric": ["test_geometric.py"],
    "pixel": ["test_pixel.py", "test_pixel_differential.py"],
    "table": ["test_pixel.py", "test_pixel_differential.py"],
    "mixing": ["test_mixing.py"],
    "dropout": ["test_dropout.py"],
    "filter": ["test_geometric.py"],
    "composition": ["test_compositions.py"],
}
OWN_FILES = {  # transforms whose kind names no family file
    "NoOp": ["test_compositions.py"],
    "ToTensorV2": ["test_pixel.py"],
    "Lambda": ["test_python_transforms.py"],
    "ReplayCompose": ["test_replay.py"],
}


def test_each_transform_has_tests_in_its_family_file() -> None:
    names = [n for n in registered_names() if n not in ("Compose", "ExternalTransform")] + ["Lambda"]
    missing = []
    for name in names:
        kind = "python" if name == "Lambda" else schema_of(name)["kind"]
        files = OWN_FILES.get(name) or FAMILY_FILES.get(kind)
        if files is None:
            missing.append(f"{name}: kind {kind!r} has no family test file (FAMILY_FILES, OWN_FILES)")
            continue
        called = re.compile(rf"\b(?:A|lib|ref)\.{name}\(")
        if not any(called.search((TESTS / file).read_text()) for file in files):
            missing.append(f"{name} ({kind}): not called as A.{name}( / lib.{name}( / ref.{name}( in {files}")
    assert not missing, "transforms without tests in the test file of their family:\n" + "\n".join(missing)


def test_a_compose_takes_the_attributes_as_they_are_when_built() -> None:
    # Users set t.p after construction (the reference reads it at the call); a snapshot of the
    # constructor's arguments would ignore it.
    flip = A.HorizontalFlip()
    flip.p = 1.0
    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    for _ in range(5):
        np.testing.assert_array_equal(A.Compose([flip])(image=image)["image"], image[:, ::-1])
    flip.p = 7.0
    with pytest.raises(ValueError, match=r"transforms\[0\]: HorizontalFlip: p must be a number in \[0, 1\]"):
        A.Compose([flip])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: A.Rotate(angle_range=(float("nan"), float("nan"))), "angle_range must hold finite numbers"),
        (lambda: A.Affine(rotate=(0, float("inf"))), "rotate must hold finite numbers"),
        (lambda: A.Affine(translate_px=(1e300, 1e300)), r"translate_px must hold integers within \+-2147"),
        (lambda: A.Resize(height=2**70, width=3), "the integer 1180591620717411303424 does not fit in 64"),
        (lambda: A.Normalize(mean=float("nan")), "mean must be a number or a tuple of numbers"),
    ],
)
def test_values_the_core_cannot_hold_are_refused(make: Any, match: str) -> None:
    # NaN ranges gave NaN warps; huge whole numbers were cast to C++ ints (undefined behaviour);
    # a Python int past 64 bits surfaced as "RuntimeError: std::bad_cast".
    with pytest.raises(ValueError, match=match):
        make()


def test_some_of_draws_are_bounded() -> None:
    # n = 10**18 with replacement drew (and ran) that many transforms.
    with pytest.raises(ValueError, match="SomeOf: n must be <= 4096"):
        A.SomeOf([A.HorizontalFlip()], n=10**18, replace=True)
