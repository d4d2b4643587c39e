"""Property-based tests (hypothesis): random pipelines built from every exported transform, with
random valid parameters (extremes included), on random samples in every input layout.

Every call either raises a ValueError/TypeError whose message says what is wrong (any other
exception fails), or returns an output where each mask that started non-empty is non-empty and
inside its box (after a chain of resampling steps: overlapping it), boxes lie inside the image
with positive area, every row keeps its keypoint count, labels and extra keys; in both cases the
inputs are untouched, the same seed gives the same result and the input's memory layout does not
matter. Pipelines that cannot drop rows keep every row (all-zero masks with a valid box included),
whole-pixel pipelines give the same bytes fused and unfused, and deterministic flips, crops and pads
match a NumPy model exactly.

HYPOTHESIS_PROFILE picks the settings: "ci" (the default: bounded and derandomized, so a run is
reproducible and takes about a minute on two cores when green) or "fuzz" (`make fuzz`: 5000 fresh
examples per test, about two hours; `-k Mosaic` and the like pick one transform's test).
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

import instaug as A
from instaug.transforms.base import BaseTransform, schema_of
from instaug.transforms.compose import BaseCompose
from instaug.transforms.mixing import MixingTransform
from instaug.transforms.pixel import PixelTransform

# -- profiles ------------------------------------------------------------------------------------
# Examples draw whole samples and pipelines: generation is slow by hypothesis' standards, and
# some examples (hundreds of objects, big resizes) legitimately take longer than others.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci",
    max_examples=90,  # per test (each transform's counts as one): about a minute in all when green
    deadline=None,
    derandomize=True,  # the same examples on every run, so a CI failure reproduces locally
    database=None,  # derandomized runs need no replay database (and leave no .hypothesis/ behind)
    suppress_health_check=_SLOW_IS_FINE,
    print_blob=True,
)
settings.register_profile(
    "fuzz",
    max_examples=5000,
    deadline=None,
    derandomize=False,
    suppress_health_check=_SLOW_IS_FINE,
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# -- what the library exports --------------------------------------------------------------------


# The bases a user subclasses to write a transform in Python: no transform by themselves.
USER_BASES = (A.ImageOnlyTransform, A.DualTransform)


def exported_transforms() -> dict[str, type[BaseTransform]]:
    """Every public transform class of `instaug`, whether listed in __all__ or only importable."""
    names = set(getattr(A, "__all__", [])) | {n for n in vars(A) if not n.startswith("_")}
    found: dict[str, type[BaseTransform]] = {}
    for name in sorted(names):
        obj = getattr(A, name, None)
        if isinstance(obj, type) and issubclass(obj, BaseTransform) and obj not in USER_BASES:
            found[name] = obj
    return found


EXPORTED = exported_transforms()
# Transforms that never move, add or drop a row (their masks and boxes stay as they are, flipped).
ROW_PRESERVING = {name for name, cls in EXPORTED.items() if issubclass(cls, PixelTransform)} | {
    "HorizontalFlip",
    "VerticalFlip",
    "TimeReverse",
    "Transpose",
    "RandomRotate90",
    "D4",
    "SquareSymmetry",
    "ToTensorV2",
    "NoOp",
    "Lambda",
    "OverlayElements",  # pastes onto the image alone (and the plain mask), as the reference
}
# Dropout transforms shrink boxes to what their holes leave of them, whatever the masks hold.
DROPOUT = {
    "CoarseDropout",
    "Erasing",
    "GridDropout",
    "XYMasking",
    "GridMask",
    "TimeMasking",
    "FrequencyMasking",
    "PixelDropout",
    "ConstrainedCoarseDropout",
    "GuidedCoarseDropout",
    "MaskDropout",
}
# Compositions: the checks look through them to the transforms they may run.
COMPOSITIONS = {name for name, cls in EXPORTED.items() if issubclass(cls, BaseCompose)}
# Whole-pixel geometry: fused or step by step, these must give the same bytes.
WHOLE_PIXEL = ("HorizontalFlip", "VerticalFlip", "RandomCrop", "CenterCrop", "Crop", "PadIfNeeded")

# -- parameter strategies ------------------------------------------------------------------------


@dataclass(frozen=True)
class Canvas:
    """What a transform strategy knows of the sample: its size and channel count (1 for (H, W))."""

    height: int
    width: int
    channels: int


TransformStrategy = Callable[[st.DrawFn, Canvas], BaseTransform]
# Bounds that keep every example small (and every output below ~4000 px a side) while still
# reaching the extremes: sizes above the image, 1 px crops, +-180 degrees, odd grids.
MAX_SIDE = 96


def _p(draw: st.DrawFn) -> float:
    return draw(st.sampled_from([1.0, 0.5, 0.0]))


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _range(draw: st.DrawFn, lo: float, hi: float) -> tuple[float, float]:
    a, b = draw(_floats(lo, hi)), draw(_floats(lo, hi))
    return (min(a, b), max(a, b))


def _int_range(draw: st.DrawFn, lo: int, hi: int) -> tuple[int, int]:
    a, b = draw(st.integers(lo, hi)), draw(st.integers(lo, hi))
    return (min(a, b), max(a, b))


def _colour_range(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(low, high) RGB colours, low <= high per channel."""
    pairs = [_int_range(draw, 0, 255) for _ in range(3)]
    return (tuple(a for a, _ in pairs), tuple(b for _, b in pairs))


def _odd_range(draw: st.DrawFn, lo: int, hi: int) -> tuple[int, int]:
    a, b = _int_range(draw, lo // 2, hi // 2)
    return (2 * a + 1, 2 * b + 1)


def _fill(draw: st.DrawFn, channels: int) -> Any:
    return draw(
        st.one_of(
            st.sampled_from([0, 255, 0.5]),
            st.lists(_floats(0, 255), min_size=channels, max_size=channels).map(tuple),
        )
    )


def _pixels(draw: st.DrawFn, canvas: Canvas, *, border: bool = True) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "interpolation": draw(st.integers(0, 4)),
        "mask_interpolation": draw(st.sampled_from([0, 1, 2, 3, 4])),
    }
    if border:
        kwargs.update(
            border_mode=draw(st.integers(0, 4)),
            fill=_fill(draw, canvas.channels),
            fill_mask=draw(st.sampled_from([0, 1, 255])),
        )
    return kwargs


def _side(draw: st.DrawFn, size: int) -> int:
    """A crop or target side: the image's own size, 1, or anything up to a bit beyond it."""
    return draw(st.one_of(st.just(size), st.just(1), st.integers(1, min(MAX_SIDE, size + 8))))


def _sized_crop(cls: type[BaseTransform]) -> TransformStrategy:
    def strategy(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
        pad = draw(st.booleans())
        return cls(
            height=_side(draw, canvas.height),
            width=_side(draw, canvas.width),
            pad_if_needed=pad,
            pad_position=draw(st.sampled_from(["center", "top_left", "bottom_right", "random"])),
            border_mode=draw(st.integers(0, 4)),
            fill=_fill(draw, canvas.channels),
            fill_mask=draw(st.sampled_from([0, 1])),
            p=_p(draw),
        )

    return strategy


def _crop(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    x_min = draw(st.integers(0, canvas.width - 1))
    y_min = draw(st.integers(0, canvas.height - 1))
    return A.Crop(
        x_min=x_min,
        y_min=y_min,
        x_max=draw(st.one_of(st.just(canvas.width), st.integers(x_min + 1, canvas.width + 8))),
        y_max=draw(st.one_of(st.just(canvas.height), st.integers(y_min + 1, canvas.height + 8))),
        pad_if_needed=draw(st.booleans()),
        pad_position=draw(st.sampled_from(["center", "top_right", "bottom_left", "random"])),
        border_mode=draw(st.integers(0, 4)),
        fill=_fill(draw, canvas.channels),
        p=_p(draw),
    )


def _random_resized_crop(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    scale = _range(draw, 0.0, 1.0)
    return A.RandomResizedCrop(
        size=(draw(st.integers(1, 64)), draw(st.integers(1, 64))),
        scale=(scale[0], max(scale[1], 1e-3)),
        ratio=_range(draw, 1e-3, 1e3),
        area_for_downscale=draw(st.sampled_from([None, "image", "image_mask"])),
        p=_p(draw),
        **_pixels(draw, canvas, border=False),
    )


def _resize(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.Resize(
        height=draw(st.integers(1, MAX_SIDE)),
        width=draw(st.integers(1, MAX_SIDE)),
        area_for_downscale=draw(st.sampled_from([None, "image", "image_mask"])),
        p=_p(draw),
        **_pixels(draw, canvas, border=False),
    )


POSITIONS = ["center", "top_left", "top_right", "bottom_left", "bottom_right", "random"]


def _letter_box(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    pixels = _pixels(draw, canvas)
    return A.LetterBox(
        size=(draw(st.integers(1, MAX_SIDE)), draw(st.integers(1, MAX_SIDE))),
        interpolation=draw(st.integers(0, 6)),
        mask_interpolation=draw(st.sampled_from([0, 1, 5, 6])),
        fill=pixels["fill"],
        fill_mask=pixels["fill_mask"],
        position=draw(st.sampled_from(POSITIONS)),
        p=_p(draw),
    )


def _random_scale(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    # At most twice the size per step, so that a chain of them stays small.
    one = _range(draw, -0.95, 1.0)
    scale_range = one if draw(st.booleans()) else {"x": one, "y": _range(draw, -0.95, 1.0)}
    return A.RandomScale(
        scale_range=scale_range,
        area_for_downscale=draw(st.sampled_from([None, "image", "image_mask"])),
        p=_p(draw),
        **_pixels(draw, canvas, border=False),
    )


def _max_size(cls: type[BaseTransform], limit: int) -> TransformStrategy:
    # SmallestMaxSize scales the short side up to its target: on a 1 x 300 image a large target
    # would make a huge canvas, hence its smaller limit.
    def strategy(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
        kwargs: dict[str, Any]
        if draw(st.booleans()):
            sizes = draw(st.lists(st.integers(1, limit), min_size=1, max_size=3))
            kwargs = {"max_size": sizes[0] if len(sizes) == 1 else sizes}
        else:
            h = draw(st.one_of(st.none(), st.integers(1, limit)))
            w = (
                draw(st.integers(1, limit))
                if h is None
                else draw(st.one_of(st.none(), st.integers(1, limit)))
            )
            kwargs = {"max_size_hw": (h, w)}
        return cls(
            **kwargs,
            area_for_downscale=draw(st.sampled_from([None, "image", "image_mask"])),
            p=_p(draw),
            **_pixels(draw, canvas, border=False),
        )

    return strategy


def _pad_if_needed(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    by_divisor = draw(st.booleans())
    sizes: dict[str, Any] = (
        {
            "min_height": None,
            "min_width": None,
            "pad_height_divisor": draw(st.integers(1, 32)),
            "pad_width_divisor": draw(st.integers(1, 32)),
        }
        if by_divisor
        else {"min_height": draw(st.integers(1, MAX_SIDE)), "min_width": draw(st.integers(1, MAX_SIDE))}
    )
    return A.PadIfNeeded(
        **sizes,
        position=draw(st.sampled_from(["center", "top_left", "top_right", "bottom_left", "random"])),
        border_mode=draw(st.integers(0, 4)),
        fill=_fill(draw, canvas.channels),
        fill_mask=draw(st.sampled_from([0, 1])),
        p=_p(draw),
    )


def _pad(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    side = st.integers(0, 24)
    padding = draw(st.one_of(side, st.tuples(side, side), st.tuples(side, side, side, side)))
    return A.Pad(
        padding=padding,
        border_mode=draw(st.integers(0, 4)),
        fill=_fill(draw, canvas.channels),
        fill_mask=draw(st.sampled_from([0, 1])),
        p=_p(draw),
    )


def _crop_and_pad(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    source = draw(st.sampled_from(["px", "percent", "px_choices", "percent_choices"]))
    if source == "px":
        amount = st.integers(-MAX_SIDE, 24)
        ranged = st.tuples(amount, amount).filter(lambda r: r[0] != r[1]).map(lambda r: tuple(sorted(r)))
        kwargs: dict[str, Any] = {
            "px": draw(st.one_of(amount, ranged, st.tuples(*[st.one_of(amount, ranged)] * 4)))
        }
    elif source == "percent":
        fraction = _floats(-1.2, 0.3)
        ranged_fraction = st.tuples(fraction, fraction).map(lambda r: tuple(sorted(r)))
        kwargs = {"percent": draw(st.one_of(fraction, ranged_fraction, st.tuples(*[fraction] * 4)))}
    elif source == "px_choices":
        kwargs = {"px_choices": draw(st.lists(st.integers(-MAX_SIDE, 24), min_size=1, max_size=4))}
    else:
        kwargs = {"percent_choices": draw(st.lists(_floats(-1, 0.3), min_size=1, max_size=4))}
    return A.CropAndPad(
        **kwargs,
        keep_size=draw(st.booleans()),
        sample_independently=draw(st.booleans()),
        p=_p(draw),
        **_pixels(draw, canvas),  # a fill pair is a range here, a longer fill a list of choices
    )


def _crop_from_borders(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    left, top = draw(_floats(0, 1)), draw(_floats(0, 1))
    return A.RandomCropFromBorders(
        crop_left=left,
        crop_right=draw(_floats(0, 1 - left)),
        crop_top=top,
        crop_bottom=draw(_floats(0, 1 - top)),
        p=_p(draw),
    )


def _crop_near_bbox(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.RandomCropNearBBox(max_part_shift=_range(draw, 0.0, 1.0), p=_p(draw))


def _bbox_subset_safe_crop(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    fractions = _range(draw, 0.01, 1.0)
    return A.BBoxSubsetSafeRandomCrop(
        subset_fraction_range=fractions,
        erosion_rate=draw(_floats(0, 1)),
        aspect_ratio_range=_range(draw, 0.05, 20.0),
        p=_p(draw),
    )


def _crop_non_empty_mask(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.CropNonEmptyMaskIfExists(
        height=_side(draw, canvas.height),
        width=_side(draw, canvas.width),
        ignore_values=draw(st.one_of(st.none(), st.lists(st.integers(0, 255), max_size=2))),
        ignore_channels=draw(st.one_of(st.none(), st.lists(st.integers(0, 3), max_size=2))),
        p=_p(draw),
    )


def _affine(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    # fit_output grows the canvas to hold the whole warped image: scale and shear stay moderate
    # then, so the output stays below a few thousand pixels a side.
    fit_output = draw(st.booleans())
    scale_limits = (0.25, 2.0) if fit_output else (0.05, 4.0)
    shear_limit = 30.0 if fit_output else 60.0
    keep_ratio = draw(st.booleans())
    scale: Any = _range(draw, *scale_limits)
    if not keep_ratio and draw(st.booleans()):
        scale = {"x": scale, "y": _range(draw, *scale_limits)}
    translate: dict[str, Any] = {}
    mode = draw(st.sampled_from(["none", "percent", "px"]))
    if mode == "percent":
        translate["translate_percent"] = _range(draw, -0.5, 0.5)
    elif mode == "px":
        translate["translate_px"] = _int_range(draw, -20, 20)
    shear: Any = _range(draw, -shear_limit, shear_limit)
    if draw(st.booleans()):
        shear = {"x": shear, "y": _range(draw, -shear_limit, shear_limit)}
    return A.Affine(
        scale=scale,
        rotate=_range(draw, -180, 180),
        shear=shear,
        fit_output=fit_output,
        keep_ratio=keep_ratio,
        rotate_method=draw(st.sampled_from(["largest_box", "ellipse"])),
        balanced_scale=draw(st.booleans()),
        p=_p(draw),
        **translate,
        **_pixels(draw, canvas),
    )


def _rotate(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.Rotate(
        angle_range=_range(draw, -180, 180),
        rotate_method=draw(st.sampled_from(["largest_box", "ellipse"])),
        crop_border=draw(st.booleans()),
        p=_p(draw),
        **_pixels(draw, canvas),
    )


def _safe_rotate(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.SafeRotate(
        angle_range=_range(draw, -180, 180),
        rotate_method=draw(st.sampled_from(["largest_box", "ellipse"])),
        p=_p(draw),
        **_pixels(draw, canvas),
    )


def _perspective(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.Perspective(
        scale=_range(draw, 0.0, 0.3),
        keep_size=draw(st.booleans()),
        fit_output=draw(st.booleans()),
        p=_p(draw),
        **_pixels(draw, canvas),
    )


def _mosaic(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    rows, cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    cell = (draw(st.integers(1, 40)), draw(st.integers(1, 40)))
    target = (draw(st.integers(1, min(64, rows * cell[0]))), draw(st.integers(1, min(64, cols * cell[1]))))
    return A.Mosaic(
        grid_yx=(rows, cols),
        target_size=target,
        cell_shape=cell,
        center_range=_range(draw, 0.0, 1.0),
        fit_mode=draw(st.sampled_from(["cover", "contain"])),
        fill=_fill(draw, canvas.channels),
        fill_mask=draw(st.sampled_from([0, 1])),
        p=_p(draw),
        **_pixels(draw, canvas, border=False),
    )


def _copy_and_paste(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.CopyAndPaste(
        min_visibility_after_paste=draw(_floats(0.0, 1.0)),
        blend_mode=draw(st.sampled_from(["hard", "gaussian"])),
        blend_sigma_range=_range(draw, 0.0, 5.0),
        scale_range=_range(draw, 0.01, 2.0),
        min_paste_area=draw(st.integers(0, 50)),
        p=_p(draw),
    )


def _hue_saturation_value(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.HueSaturationValue(
        hue_shift_range=_range(draw, -180, 180),
        sat_shift_range=_range(draw, -255, 255),
        val_shift_range=_range(draw, -255, 255),
        p=_p(draw),
    )


def _random_brightness_contrast(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.RandomBrightnessContrast(
        brightness_range=_range(draw, -1, 1),
        contrast_range=_range(draw, -1, 1),
        brightness_by_max=draw(st.booleans()),
        ensure_safe_output=draw(st.booleans()),
        p=_p(draw),
    )


def _rgb_shift(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.RGBShift(
        r_shift_range=_range(draw, -255, 255),
        g_shift_range=_range(draw, -1, 1),
        b_shift_range=_range(draw, -255, 255),
        p=_p(draw),
    )


def _random_gamma(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.RandomGamma(gamma_range=_range(draw, 1e-3, 500), p=_p(draw))


def _to_gray(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.ToGray(
        num_output_channels=draw(st.sampled_from([3, 1, 2, 4])),
        method=draw(st.sampled_from(choices(A.ToGray, "method"))),
        p=_p(draw),
    )


def _channel_shuffle(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    order = None
    if draw(st.booleans()):
        order = draw(st.permutations(list(range(canvas.channels))))
    return A.ChannelShuffle(channel_order=order, p=_p(draw))


def _clahe(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.CLAHE(
        clip_range=_range(draw, 0.0, 40.0),
        tile_grid_size=(draw(st.integers(1, 16)), draw(st.integers(1, 16))),
        p=_p(draw),
    )


def _color_jitter(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.ColorJitter(
        brightness_range=_range(draw, 0, 3),
        contrast_range=_range(draw, 0, 3),
        saturation_range=_range(draw, 0, 3),
        hue_range=_range(draw, -0.5, 0.5),
        p=_p(draw),
    )


def _normalize(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    mode = draw(st.sampled_from(choices(A.Normalize, "normalization")))
    n = canvas.channels if draw(st.booleans()) else 1
    means = tuple(draw(st.lists(_floats(0, 1), min_size=n, max_size=n)))
    stds = tuple(draw(st.lists(_floats(0.01, 2), min_size=n, max_size=n)))
    clip = _range(draw, -5, 5) if draw(st.booleans()) else None
    return A.Normalize(
        mean=means,
        std=stds,
        max_pixel_value=draw(st.sampled_from([255.0, 1.0])),
        normalization=mode,
        clip_range=clip,
        p=_p(draw),
    )


def _blur(cls: type[BaseTransform]) -> TransformStrategy:
    def strategy(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
        return cls(blur_range=_odd_range(draw, 3, 15), p=_p(draw))

    return strategy


def _gaussian_blur(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    sizes = (0, 0) if draw(st.booleans()) else _odd_range(draw, 1, 15)
    return A.GaussianBlur(blur_range=sizes, sigma_range=_range(draw, 0.0, 8.0), p=_p(draw))


def _motion_blur(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.MotionBlur(
        blur_range=_odd_range(draw, 3, 15),
        allow_shifted=draw(st.booleans()),
        angle_range=_range(draw, -360, 360),
        direction_range=_range(draw, -1, 1),
        p=_p(draw),
    )


def _gauss_noise(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.GaussNoise(
        std_range=_range(draw, 0, 1),
        mean_range=_range(draw, -1, 1),
        per_channel=draw(st.booleans()),
        p=_p(draw),
    )


def _invert(image: np.ndarray, **params: Any) -> np.ndarray:
    return (1.0 - image if image.dtype.kind == "f" else 255 - image).astype(image.dtype)


def _lambda(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    """A transform written in Python: the image inverted, masks and rows untouched."""
    return A.Lambda(image=_invert, name="invert", p=_p(draw))


def _to_tensor(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    return A.ToTensorV2(transpose_mask=draw(st.booleans()), p=_p(draw))


def choices(cls: type[BaseTransform], param: str) -> list[Any]:
    """The allowed values of a choice argument, from the transform's schema."""
    return next(p["choices"] for p in schema_of(cls.registered_name())["params"] if p["name"] == param)


def _children(draw: st.DrawFn, canvas: Canvas, names: tuple[str, ...] | None = None) -> list[BaseTransform]:
    """1 to 3 transforms for a composition, compositions excluded (one level of nesting)."""
    pool = names or tuple(n for n in LEAF_STRATEGIES if n != "ToTensorV2")
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
    return [LEAF_STRATEGIES[n](draw, canvas) for n in chosen]


def _some_of(cls: type[BaseTransform]) -> TransformStrategy:
    def make(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
        return cls(
            _children(draw, canvas), n=draw(st.integers(0, 4)), replace=draw(st.booleans()), p=_p(draw)
        )

    return make


def _one_of(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    children = _children(draw, canvas)
    assume(any(c.p > 0 for c in children))  # the weights; all zero is refused
    return A.OneOf(children, p=_p(draw))


def _one_or_other(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    if draw(st.booleans()):
        first, second = _children(draw, canvas)[0], _children(draw, canvas)[0]
        return A.OneOrOther(first, second, p=_p(draw))
    return A.OneOrOther(transforms=_children(draw, canvas), p=_p(draw))


def _selective_channels(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    pixel = tuple(sorted(n for n in ROW_PRESERVING if issubclass(EXPORTED[n], PixelTransform)))
    # Channel-count and dtype changes are refused on a channel subset: leave them out.
    pool = tuple(n for n in pixel if n not in ("ToGray", "Normalize", "ToFloat", "FromFloat"))
    # One channel, or three (the colour transforms take grey or RGB images).
    count = draw(st.sampled_from([1, 3] if canvas.channels >= 3 else [1]))
    channels = draw(st.permutations(range(canvas.channels)))[:count]
    return A.SelectiveChannelTransform(_children(draw, canvas, pool), channels=channels, p=_p(draw))


_ROTATIONS = ("e", "r90", "r180", "r270")
_SYMMETRIES = (*_ROTATIONS, "v", "hvt", "h", "t")


def _distortion_options(draw: st.DrawFn) -> dict[str, Any]:
    """What OpticalDistortion, GridDistortion and PiecewiseAffine share."""
    return {
        "interpolation": draw(st.integers(0, 4)),
        "border_mode": draw(st.sampled_from([0, 1, 2, 4])),
        "keypoint_remapping_method": draw(st.sampled_from(["mask", "direct"])),
        "map_resolution_range": _range(draw, 0.05, 1),
        "p": _p(draw),
    }


def _elastic_transform(draw: st.DrawFn, canvas: Canvas) -> BaseTransform:
    rows, cols = draw(st.integers(4, 9)), draw(st.integers(4, 9))
    bound = 0.75 / (2 * math.hypot(rows - 3, cols - 3))  # the reference's topology bound
    return A.ElasticTransform(
        displacement_range=_range(draw, 0, 0.99 * bound),
        control_grid_shape=(rows, cols),
        interpolation=draw(st.integers(0, 4)),
        border_mode=draw(st.sampled_from([0, 1, 4])),
        p=_p(draw),
    )


def _dropout_fills(draw: st.DrawFn) -> dict[str, Any]:
    """fill and fill_mask of a dropout transform (fill="grayscale" takes no mask fill)."""
    named = st.sampled_from(["random", "random_uniform", "grayscale", "inpaint_telea", "inpaint_ns"])
    fill = draw(named | _floats(0, 255))
    return {"fill": fill, "fill_mask": None if fill == "grayscale" else draw(st.sampled_from([None, 0]))}


def _additive_noise(draw: st.DrawFn, canvas: Any) -> Any:
    noise_type = draw(st.sampled_from(["uniform", "gaussian", "laplace", "beta"]))
    params = {
        "uniform": lambda: {"ranges": [_range(draw, -1, 1) for _ in range(draw(st.sampled_from([1, 4])))]},
        "gaussian": lambda: {"mean_range": _range(draw, -1, 1), "std_range": _range(draw, 0, 1)},
        "laplace": lambda: {"mean_range": _range(draw, -1, 1), "scale_range": _range(draw, 0, 1)},
        "beta": lambda: {
            "alpha_range": _range(draw, 0.05, 5),
            "beta_range": _range(draw, 0.05, 5),
            "scale_range": _range(draw, 0, 1),
        },
    }[noise_type]()
    mode = draw(st.sampled_from(["constant", "per_pixel", "shared", "patch"]))
    patch = (
        {
            "patch_count_range": _int_range(draw, 1, 4),
            "patch_height_range": _range(draw, 0.01, 1),
            "patch_width_range": _range(draw, 0.01, 1),
            "per_channel": draw(st.booleans()),
        }
        if mode == "patch"
        else {}
    )
    return A.AdditiveNoise(noise_type=noise_type, spatial_mode=mode, noise_params=params, p=_p(draw), **patch)


LEAF_STRATEGIES: dict[str, TransformStrategy] = {
    "HorizontalFlip": lambda draw, canvas: A.HorizontalFlip(p=_p(draw)),
    "VerticalFlip": lambda draw, canvas: A.VerticalFlip(p=_p(draw)),
    "Transpose": lambda draw, canvas: A.Transpose(p=_p(draw)),
    "RandomRotate90": lambda draw, canvas: A.RandomRotate90(
        p=_p(draw),
        group_elements=draw(st.none() | st.lists(st.sampled_from(_ROTATIONS), min_size=1, unique=True)),
    ),
    "D4": lambda draw, canvas: A.D4(p=_p(draw), group_element=draw(st.none() | st.sampled_from(_SYMMETRIES))),
    "SquareSymmetry": lambda draw, canvas: A.SquareSymmetry(
        p=_p(draw), group_element=draw(st.none() | st.sampled_from(_SYMMETRIES))
    ),
    "RandomCrop": _sized_crop(A.RandomCrop),
    "CenterCrop": _sized_crop(A.CenterCrop),
    "Crop": _crop,
    "RandomResizedCrop": _random_resized_crop,
    "RandomSizedCrop": lambda draw, canvas: A.RandomSizedCrop(
        min_max_height=_int_range(draw, 1, canvas.height),
        size=(_side(draw, canvas.height), _side(draw, canvas.width)),
        w2h_ratio=draw(_floats(0.1, 3)),
        p=_p(draw),
    ),
    "Resize": _resize,
    "RandomScale": _random_scale,
    "LongestMaxSize": _max_size(A.LongestMaxSize, MAX_SIDE),
    "LetterBox": _letter_box,
    "SmallestMaxSize": _max_size(A.SmallestMaxSize, 32),
    "PadIfNeeded": _pad_if_needed,
    "Pad": _pad,
    "CropAndPad": _crop_and_pad,
    "RandomCropFromBorders": _crop_from_borders,
    "RandomCropNearBBox": _crop_near_bbox,
    "BBoxSafeRandomCrop": lambda draw, canvas: A.BBoxSafeRandomCrop(
        erosion_rate=draw(_floats(0, 1)), p=_p(draw)
    ),
    "RandomSizedBBoxSafeCrop": lambda draw, canvas: A.RandomSizedBBoxSafeCrop(
        height=draw(st.integers(1, MAX_SIDE)),
        width=draw(st.integers(1, MAX_SIDE)),
        erosion_rate=draw(_floats(0, 1)),
        p=_p(draw),
        **_pixels(draw, canvas, border=False),
    ),
    "BBoxSubsetSafeRandomCrop": _bbox_subset_safe_crop,
    "AtLeastOneBBoxRandomCrop": lambda draw, canvas: A.AtLeastOneBBoxRandomCrop(
        height=_side(draw, canvas.height),
        width=_side(draw, canvas.width),
        erosion_factor=draw(_floats(0, 1)),
        p=_p(draw),
    ),
    "CropNonEmptyMaskIfExists": _crop_non_empty_mask,
    "Affine": _affine,
    "Rotate": _rotate,
    "SafeRotate": _safe_rotate,
    "Morphological": lambda draw, canvas: A.Morphological(
        scale=(draw(st.integers(1, 9)), draw(st.integers(1, 9))),
        operation=draw(st.sampled_from(["erosion", "dilation"])),
        p=_p(draw),
    ),
    "RandomGridShuffle": lambda draw, canvas: A.RandomGridShuffle(
        grid=(draw(st.integers(1, 6)), draw(st.integers(1, 6))), p=_p(draw)
    ),
    "ShiftScaleRotate": lambda draw, canvas: A.ShiftScaleRotate(
        shift_range=_range(draw, -0.3, 0.3),
        scale_range=_range(draw, -0.5, 0.5),
        rotate_range=_range(draw, -180, 180),
        border_mode=draw(st.sampled_from([0, 1, 4])),
        p=_p(draw),
    ),
    "Perspective": _perspective,
    "OpticalDistortion": lambda draw, canvas: A.OpticalDistortion(
        distort_range=_range(draw, -1, 1),
        mode=draw(st.sampled_from(["camera", "fisheye"])),
        **_distortion_options(draw),
    ),
    "GridDistortion": lambda draw, canvas: A.GridDistortion(
        num_steps=draw(st.integers(1, 12)),
        distort_range=_range(draw, -1, 1),
        normalized=draw(st.booleans()),
        **_distortion_options(draw),
    ),
    "GridElasticDeform": lambda draw, canvas: A.GridElasticDeform(
        # Past the canvas now and then: a ValueError naming num_grid_xy.
        num_grid_xy=(
            draw(st.integers(1, min(canvas.height + 1, 8))),
            draw(st.integers(1, min(canvas.width + 1, 8))),
        ),
        magnitude=draw(st.integers(1, 30)),
        interpolation=draw(st.integers(0, 4)),
        mask_interpolation=draw(st.sampled_from([0, 1])),
        p=_p(draw),
    ),
    "PiecewiseAffine": lambda draw, canvas: A.PiecewiseAffine(
        scale_range=_range(draw, 0, 0.15),
        nb_rows_range=_int_range(draw, 2, 6),
        nb_cols_range=_int_range(draw, 2, 6),
        absolute_scale=draw(st.booleans()),
        **_distortion_options(draw),
    ),
    "ElasticTransform": _elastic_transform,
    "ThinPlateSpline": lambda draw, canvas: A.ThinPlateSpline(
        scale_range=_range(draw, 0, 1),
        num_control_points=draw(st.integers(2, 6)),
        **_distortion_options(draw),
    ),
    "WaterRefraction": lambda draw, canvas: A.WaterRefraction(
        amplitude_range=_range(draw, 0, 0.2),
        wavelength_range=_range(draw, 0.01, 1),
        num_waves_range=_int_range(draw, 1, 6),
        **_distortion_options(draw),
    ),
    "PixelSpread": lambda draw, canvas: A.PixelSpread(
        radius=draw(st.integers(1, 6)), **_distortion_options(draw)
    ),
    "Mosaic": _mosaic,
    "CopyAndPaste": _copy_and_paste,
    "OverlayElements": lambda draw, canvas: A.OverlayElements(p=_p(draw)),
    "HueSaturationValue": _hue_saturation_value,
    "RandomBrightnessContrast": _random_brightness_contrast,
    "RGBShift": _rgb_shift,
    "RandomGamma": _random_gamma,
    "ToGray": _to_gray,
    "ChannelShuffle": _channel_shuffle,
    "CLAHE": _clahe,
    "ColorJitter": _color_jitter,
    "Normalize": _normalize,
    "Blur": _blur(A.Blur),
    "GaussianBlur": _gaussian_blur,
    "MedianBlur": _blur(A.MedianBlur),
    "MotionBlur": _motion_blur,
    "GaussNoise": _gauss_noise,
    "ISONoise": lambda draw, canvas: A.ISONoise(
        color_shift_range=_range(draw, 0, 1), intensity_range=_range(draw, 0, 5), p=_p(draw)
    ),
    "MultiplicativeNoise": lambda draw, canvas: A.MultiplicativeNoise(
        multiplier=_range(draw, 0, 3),
        per_channel=draw(st.booleans()),
        elementwise=draw(st.booleans()),
        p=_p(draw),
    ),
    "SaltAndPepper": lambda draw, canvas: A.SaltAndPepper(
        amount_range=_range(draw, 0, 1), salt_vs_pepper_range=_range(draw, 0, 1), p=_p(draw)
    ),
    "ShotNoise": lambda draw, canvas: A.ShotNoise(scale_range=_range(draw, 0.001, 10), p=_p(draw)),
    "AutoContrast": lambda draw, canvas: A.AutoContrast(
        cutoff=draw(_floats(0, 100)),
        ignore=draw(st.none() | st.integers(0, 255)),
        method=draw(st.sampled_from(["cdf", "pil"])),
        p=_p(draw),
    ),
    "Equalize": lambda draw, canvas: A.Equalize(
        mode=draw(st.sampled_from(["cv", "pil"])), by_channels=draw(st.booleans()), p=_p(draw)
    ),
    "ToSepia": lambda draw, canvas: A.ToSepia(p=_p(draw)),
    "FancyPCA": lambda draw, canvas: A.FancyPCA(alpha=draw(_floats(0, 5)), p=_p(draw)),
    "UnsharpMask": lambda draw, canvas: A.UnsharpMask(
        blur_range=_odd_range(draw, 3, 15),
        sigma_range=_range(draw, 0, 5),
        alpha_range=_range(draw, 0, 1),
        threshold=draw(st.integers(0, 255)),
        p=_p(draw),
    ),
    "Defocus": lambda draw, canvas: A.Defocus(
        radius_range=_int_range(draw, 1, 12), alias_blur_range=_range(draw, 0, 2), p=_p(draw)
    ),
    "ZoomBlur": lambda draw, canvas: A.ZoomBlur(
        max_factor_range=_range(draw, 1, 2), step_factor_range=_range(draw, 0.005, 0.2), p=_p(draw)
    ),
    "GlassBlur": lambda draw, canvas: A.GlassBlur(
        sigma=draw(_floats(0, 3)),
        max_delta=draw(st.integers(1, 6)),
        iterations=draw(st.integers(1, 3)),
        mode=draw(st.sampled_from(["fast", "exact"])),
        p=_p(draw),
    ),
    "AdvancedBlur": lambda draw, canvas: A.AdvancedBlur(
        blur_range=_odd_range(draw, 3, 15),
        sigma_x_range=_range(draw, 0.05, 3),
        sigma_y_range=_range(draw, 0.05, 3),
        rotate_range=_range(draw, -180, 180),
        beta_range=(draw(_floats(0, 1)), draw(_floats(1, 8))),
        noise_range=_range(draw, 0.01, 2),
        p=_p(draw),
    ),
    "RingingOvershoot": lambda draw, canvas: A.RingingOvershoot(
        blur_range=_odd_range(draw, 3, 21), cutoff_range=_range(draw, 0.05, 3.14), p=_p(draw)
    ),
    "InvertImg": lambda draw, canvas: A.InvertImg(p=_p(draw)),
    "Solarize": lambda draw, canvas: A.Solarize(threshold_range=_range(draw, 0, 1), p=_p(draw)),
    "Posterize": lambda draw, canvas: A.Posterize(num_bits=_int_range(draw, 1, 7), p=_p(draw)),
    "Sharpen": lambda draw, canvas: A.Sharpen(
        alpha_range=_range(draw, 0, 1),
        lightness_range=_range(draw, 0, 5),
        method=draw(st.sampled_from(["kernel", "gaussian"])),
        kernel_size=draw(st.sampled_from([0, 3, 5, 7])),
        p=_p(draw),
    ),
    "Emboss": lambda draw, canvas: A.Emboss(
        alpha_range=_range(draw, 0, 1), strength_range=_range(draw, 0, 3), p=_p(draw)
    ),
    "ImageCompression": lambda draw, canvas: A.ImageCompression(
        compression_type=draw(st.sampled_from(["jpeg", "webp"])),
        quality_range=_int_range(draw, 1, 100),
        p=_p(draw),
    ),
    "Downscale": lambda draw, canvas: A.Downscale(
        scale_range=_range(draw, 0.01, 1),
        interpolation_pair={"downscale": draw(st.integers(0, 6)), "upscale": draw(st.integers(0, 6))},
        p=_p(draw),
    ),
    "PhotoMetricDistort": lambda draw, canvas: A.PhotoMetricDistort(
        brightness_range=_range(draw, 0, 3),
        contrast_range=_range(draw, 0, 3),
        saturation_range=_range(draw, 0, 3),
        hue_range=_range(draw, -0.5, 0.5),
        distort_p=draw(_floats(0, 1)),
        p=_p(draw),
    ),
    "ChannelSwap": lambda draw, canvas: A.ChannelSwap(
        channel_order=draw(st.permutations(list(range(canvas.channels)))), p=_p(draw)
    ),
    "ChannelDropout": lambda draw, canvas: A.ChannelDropout(
        channel_drop_range=_int_range(draw, 1, 3), fill=draw(_floats(0, 255)), p=_p(draw)
    ),
    "ToFloat": lambda draw, canvas: A.ToFloat(max_value=draw(st.none() | _floats(1, 1000)), p=_p(draw)),
    "FromFloat": lambda draw, canvas: A.FromFloat(max_value=draw(st.none() | _floats(1, 1000)), p=_p(draw)),
    "CoarseDropout": lambda draw, canvas: A.CoarseDropout(
        num_holes_range=_int_range(draw, 1, 6),
        hole_height_range=draw(st.sampled_from([_range(draw, 0, 0.9), _int_range(draw, 1, canvas.height)])),
        hole_width_range=draw(st.sampled_from([_range(draw, 0, 0.9), _int_range(draw, 1, canvas.width)])),
        **_dropout_fills(draw),
        p=_p(draw),
    ),
    "Erasing": lambda draw, canvas: A.Erasing(
        scale=_range(draw, 0, 1), ratio=_range(draw, 0.1, 5), **_dropout_fills(draw), p=_p(draw)
    ),
    "GridDropout": lambda draw, canvas: A.GridDropout(
        ratio=draw(_floats(0.05, 1)),
        random_offset=draw(st.booleans()),
        holes_number_xy=draw(st.none() | st.tuples(st.integers(1, canvas.height), st.integers(1, 9))),
        shift_xy=(draw(st.integers(0, 10)), draw(st.integers(0, 10))),
        **_dropout_fills(draw),
        p=_p(draw),
    ),
    "XYMasking": lambda draw, canvas: A.XYMasking(
        num_masks_x_range=_int_range(draw, 0, 4),
        num_masks_y_range=_int_range(draw, 0, 4),
        mask_x_length_range=draw(st.sampled_from([_int_range(draw, 1, canvas.width), _range(draw, 0.01, 1)])),
        mask_y_length_range=draw(st.sampled_from([_int_range(draw, 0, canvas.height), _range(draw, 0, 1)])),
        **_dropout_fills(draw),
        p=_p(draw),
    ),
    "GridMask": lambda draw, canvas: A.GridMask(
        num_grid_range=_int_range(draw, 2, 12),
        line_width_range=_range(draw, 0.01, 1),
        rotation_range=draw(st.sampled_from([(0, 0), _range(draw, -3.2, 3.2)])),
        **_dropout_fills(draw),
        p=_p(draw),
    ),
    "ConstrainedCoarseDropout": lambda draw, canvas: A.ConstrainedCoarseDropout(
        num_holes_range=_int_range(draw, 1, 4),
        hole_height_range=_range(draw, 0, 1),
        hole_width_range=_range(draw, 0, 1),
        mask_indices=draw(st.sampled_from([None, [1], [1, 2]])),
        bbox_labels=draw(st.sampled_from([None, [0, 1], [2, 5, 7], ["object-1"]])),
        **_dropout_fills(draw),
        p=_p(draw),
    ),
    "GuidedCoarseDropout": lambda draw, canvas: A.GuidedCoarseDropout(
        protected_bbox_labels=draw(st.sampled_from([None, [0], [1, 3]])),
        protection_margin=draw(_floats(0, 1)),
        num_holes_range=_int_range(draw, 1, 4),
        hole_height_range=_range(draw, 0, 1),
        hole_width_range=_range(draw, 0, 1),
        **_dropout_fills(draw),
        p=_p(draw),
    ),
    "MaskDropout": lambda draw, canvas: A.MaskDropout(
        max_objects_range=_int_range(draw, 1, 5),
        fill=draw(st.sampled_from([0, 255, "grayscale", "inpaint_telea", "inpaint_ns"])),
        fill_mask=draw(st.sampled_from([0, 1])),
        p=_p(draw),
    ),
    "PixelDropout": lambda draw, canvas: A.PixelDropout(
        dropout_prob=draw(st.sampled_from([0.0, 0.01, 0.5, 1.0])),
        per_channel=draw(st.booleans()),
        drop_value=draw(st.sampled_from([0, None, 255, (1.0,) * canvas.channels])),
        mask_drop_value=draw(st.sampled_from([None, 0, 1])),
        p=_p(draw),
    ),
    "FilmGrain": lambda draw, canvas: A.FilmGrain(
        intensity_range=_range(draw, 0, 1), grain_size_range=_int_range(draw, 1, 8), p=_p(draw)
    ),
    "StochasticConvolution": lambda draw, canvas: A.StochasticConvolution(
        kernel_range=_odd_range(draw, 3, 15),
        strength_range=_range(draw, 0, 3),
        per_channel=draw(st.booleans()),
        border_mode=draw(st.sampled_from([0, 1, 2, 4])),
        p=_p(draw),
    ),
    "GibbsRinging": lambda draw, canvas: A.GibbsRinging(
        retained_fraction_range=_range(draw, 0, 1), p=_p(draw)
    ),
    "RicianNoise": lambda draw, canvas: A.RicianNoise(
        std_range=_range(draw, 0, 1), per_channel=draw(st.booleans()), p=_p(draw)
    ),
    "KSpaceSpikeNoise": lambda draw, canvas: A.KSpaceSpikeNoise(
        num_spikes_range=_int_range(draw, 0, 6),
        intensity_range=_range(draw, 0, 2),
        per_channel=draw(st.booleans()),
        p=_p(draw),
    ),
    "BiasField": lambda draw, canvas: A.BiasField(
        std_range=_range(draw, 0, 1),
        scale_range=_range(draw, 0.001, 1),
        per_channel=draw(st.booleans()),
        p=_p(draw),
    ),
    "AdditiveNoise": _additive_noise,
    "HEStain": lambda draw, canvas: A.HEStain(
        method=draw(st.sampled_from(["preset", "random_preset", "vahadane", "macenko"])),
        intensity_scale_range=_range(draw, 0, 3),
        intensity_shift_range=_range(draw, -1, 1),
        augment_background=draw(st.booleans()),
        residual_mode=draw(st.sampled_from(["project", "preserve", "augment"])),
        p=_p(draw),
    ),
    "RandomShadow": lambda draw, canvas: A.RandomShadow(
        shadow_roi=draw(st.sampled_from([(0, 0.5, 1, 1), (0, 0, 1, 1), (0.2, 0.1, 0.3, 0.9)])),
        num_shadows_range=_int_range(draw, 1, 4),
        shadow_dimension=draw(st.integers(3, 8)),
        shadow_intensity_range=_range(draw, 0, 1),
        p=_p(draw),
    ),
    "RandomFog": lambda draw, canvas: A.RandomFog(
        alpha_coef=draw(_floats(0, 1)), fog_coef_range=_range(draw, 0, 1), p=_p(draw)
    ),
    "RandomRain": lambda draw, canvas: A.RandomRain(
        slant_range=_range(draw, -45, 45),
        drop_length=draw(st.sampled_from([None, 1, draw(st.integers(1, 200))])),
        drop_width=draw(st.integers(1, 5)),
        drop_color=tuple(draw(st.integers(0, 255)) for _ in range(3)),
        blur_value=draw(st.integers(1, 9)),
        brightness_coefficient=draw(_floats(0.01, 1)),
        rain_type=draw(st.sampled_from(["drizzle", "heavy", "torrential", "default"])),
        p=_p(draw),
    ),
    "RandomSnow": lambda draw, canvas: A.RandomSnow(
        brightness_coeff=draw(_floats(0.01, 5)),
        snow_point_range=_range(draw, 0, 1),
        method=draw(st.sampled_from(["bleach", "texture"])),
        p=_p(draw),
    ),
    "RandomSunFlare": lambda draw, canvas: A.RandomSunFlare(
        flare_roi=draw(st.sampled_from([(0, 0, 1, 0.5), (0, 0, 1, 1), (0.4, 0.5, 0.41, 0.51)])),
        src_radius=draw(st.integers(2, 500)),
        src_color=tuple(draw(st.integers(0, 255)) for _ in range(3)),
        angle_range=_range(draw, 0, 1),
        num_flare_circles_range=_int_range(draw, 1, 12),
        method=draw(st.sampled_from(["overlay", "physics_based"])),
        p=_p(draw),
    ),
    "RandomGravel": lambda draw, canvas: A.RandomGravel(
        gravel_roi=draw(st.sampled_from([(0.1, 0.4, 0.9, 0.9), (0, 0, 1, 1), (0.5, 0.5, 0.51, 0.52)])),
        number_of_patches=draw(st.integers(1, 6)),
        p=_p(draw),
    ),
    "AtmosphericFog": lambda draw, canvas: A.AtmosphericFog(
        density_range=_range(draw, 0, 20),
        fog_color=tuple(draw(st.integers(0, 255)) for _ in range(draw(st.integers(1, 4)))),
        depth_mode=draw(st.sampled_from(["linear", "diagonal", "radial"])),
        p=_p(draw),
    ),
    "LensFlare": lambda draw, canvas: A.LensFlare(
        flare_roi=draw(st.sampled_from([(0, 0, 1, 0.5), (0, 0, 1, 1), (0.9, 0.9, 1, 1)])),
        num_ghosts_range=_int_range(draw, 0, 10),
        intensity_range=_range(draw, 0, 1),
        num_rays_range=_int_range(draw, 2, 12),
        bloom_range=_range(draw, 0, 1),
        p=_p(draw),
    ),
    "Spatter": lambda draw, canvas: A.Spatter(
        mean_range=_range(draw, 0, 1),
        std_range=_range(draw, 0, 1),
        gauss_sigma_range=_range(draw, 0, 5),
        cutout_threshold_range=_range(draw, 0, 1),
        intensity_range=_range(draw, 0, 1),
        mode=draw(st.sampled_from(["rain", "mud"])),
        color=draw(st.sampled_from([None, (0, 0, 0), (255, 128, 3)])),
        p=_p(draw),
    ),
    "TimeReverse": lambda draw, canvas: A.TimeReverse(p=_p(draw)),
    "TimeMasking": lambda draw, canvas: A.TimeMasking(
        time_mask_param=draw(st.integers(1, canvas.width)), p=_p(draw)
    ),
    "FrequencyMasking": lambda draw, canvas: A.FrequencyMasking(
        freq_mask_param=draw(st.integers(1, canvas.height)), p=_p(draw)
    ),
    "PlanckianJitter": lambda draw, canvas: A.PlanckianJitter(
        mode=draw(st.sampled_from(["blackbody", "cied"])),
        sampling_method=draw(st.sampled_from(["uniform", "gaussian"])),
        p=_p(draw),
    ),
    "RandomToneCurve": lambda draw, canvas: A.RandomToneCurve(
        scale=draw(_floats(0, 1)), per_channel=draw(st.booleans()), p=_p(draw)
    ),
    "Illumination": lambda draw, canvas: A.Illumination(
        mode=draw(st.sampled_from(["linear", "corner", "gaussian"])),
        intensity_range=_range(draw, 0.01, 0.2),
        effect_type=draw(st.sampled_from(["brighten", "darken", "both"])),
        angle_range=draw(st.sampled_from([(0, 0), (45, 45), (270, 270), _range(draw, 0, 360)])),
        center_range=_range(draw, 0, 1),
        sigma_range=_range(draw, 0.2, 1),
        p=_p(draw),
    ),
    "Vignetting": lambda draw, canvas: A.Vignetting(
        intensity_range=_range(draw, 0, 1), center_range=_range(draw, 0, 1), p=_p(draw)
    ),
    "ChromaticAberration": lambda draw, canvas: A.ChromaticAberration(
        primary_distortion_range=_range(draw, -0.5, 0.5),
        secondary_distortion_range=_range(draw, -0.5, 0.5),
        mode=draw(st.sampled_from(["green_purple", "red_blue", "random"])),
        interpolation=draw(st.sampled_from([0, 1, 2])),
        p=_p(draw),
    ),
    "PlasmaBrightnessContrast": lambda draw, canvas: A.PlasmaBrightnessContrast(
        brightness_range=_range(draw, -1, 1),
        contrast_range=_range(draw, -1, 1),
        plasma_size=draw(st.integers(1, 300)),
        roughness=draw(_floats(0.1, 5)),
        p=_p(draw),
    ),
    "HistogramMatching": lambda draw, canvas: A.HistogramMatching(
        blend_ratio=_range(draw, 0, 1),
        metadata_key=draw(st.sampled_from(["hm_metadata", "reference"])),
        p=_p(draw),
    ),
    "FDA": lambda draw, canvas: A.FDA(beta_range=_range(draw, 0, 0.5), p=_p(draw)),
    "PixelDistributionAdaptation": lambda draw, canvas: A.PixelDistributionAdaptation(
        blend_ratio=_range(draw, 0, 1),
        transform_type=draw(st.sampled_from(["pca", "standard", "minmax"])),
        p=_p(draw),
    ),
    "PlasmaShadow": lambda draw, canvas: A.PlasmaShadow(
        shadow_intensity_range=_range(draw, 0, 1),
        plasma_size=draw(st.integers(1, 300)),
        roughness=draw(_floats(0.1, 5)),
        p=_p(draw),
    ),
    "ToRGB": lambda draw, canvas: A.ToRGB(num_output_channels=draw(st.integers(1, 4)), p=_p(draw)),
    "ExposureMatching": lambda draw, canvas: A.ExposureMatching(
        target_mean_range=_range(draw, 0, 1),
        gain_range=draw(st.sampled_from([None, (0.5, 2.0), (0.0, 0.0)])),
        p=_p(draw),
    ),
    "Colorize": lambda draw, canvas: A.Colorize(
        black_range=_colour_range(draw),
        white_range=_colour_range(draw),
        mid_range=_colour_range(draw) if draw(st.booleans()) else None,
        mid_value_range=_int_range(draw, 1, 254),
        p=_p(draw),
    ),
    "AnnotationArtifacts": lambda draw, canvas: A.AnnotationArtifacts(
        count_range=_int_range(draw, 0, 4),
        thickness_range=_int_range(draw, 1, 4),
        corner_prob=draw(_floats(0, 1)),
        p=_p(draw),
        line_geometry=draw(st.sampled_from(["axis_aligned", "random_endpoints", "random_angle"])),
        random_color_prob=draw(st.sampled_from([0.0, 0.5, 1.0])),
        color_palette=draw(st.sampled_from([None, ((255, 0), (7,))])),
    ),
    "ToTensorV2": _to_tensor,
    "NoOp": lambda draw, canvas: A.NoOp(p=_p(draw)),
    "Lambda": _lambda,
    "ModeFilter": lambda draw, canvas: A.ModeFilter(kernel_range=_odd_range(draw, 3, 9), p=_p(draw)),
    "Enhance": lambda draw, canvas: A.Enhance(
        mode=draw(st.sampled_from(["edge", "detail"])), alpha_range=_range(draw, 0, 3), p=_p(draw)
    ),
    "Superpixels": lambda draw, canvas: A.Superpixels(
        p_replace_range=_range(draw, 0, 1),
        n_segments_range=_int_range(draw, 1, 200),
        max_size=draw(st.sampled_from([None, 1, 16, 128])),
        interpolation=draw(st.integers(0, 4)),
        p=_p(draw),
    ),
    "Dithering": lambda draw, canvas: A.Dithering(
        method=draw(st.sampled_from(["random", "ordered", "error_diffusion"])),
        n_colors=draw(st.integers(2, 256)),
        color_mode=draw(st.sampled_from(["grayscale", "per_channel"])),
        error_diffusion_algorithm=draw(
            st.sampled_from(
                [
                    "floyd_steinberg",
                    "jarvis",
                    "stucki",
                    "atkinson",
                    "burkes",
                    "sierra",
                    "sierra_2row",
                    "sierra_lite",
                ]
            )
        ),
        bayer_matrix_size=draw(st.sampled_from([2, 4, 8, 16])),
        serpentine=draw(st.booleans()),
        noise_range=_range(draw, -1, 1),
        p=_p(draw),
    ),
    "Halftone": lambda draw, canvas: A.Halftone(
        dot_size_range=_int_range(draw, 2, 40), blend_range=_range(draw, 0, 1), p=_p(draw)
    ),
}
COMPOSITION_STRATEGIES: dict[str, TransformStrategy] = {
    "OneOf": _one_of,
    "SomeOf": _some_of(A.SomeOf),
    "RandomOrder": _some_of(A.RandomOrder),
    "Sequential": lambda draw, canvas: A.Sequential(_children(draw, canvas), p=_p(draw)),
    "OneOrOther": _one_or_other,
    "SelectiveChannelTransform": _selective_channels,
}
STRATEGIES = {**LEAF_STRATEGIES, **COMPOSITION_STRATEGIES}

# -- samples -------------------------------------------------------------------------------------

BINDINGS = [
    ("masks", "bboxes"),
    ("mask", "bboxes"),
    ("masks", "bboxes", "keypoints"),
    ("mask", "bboxes", "keypoints"),
    ("bboxes", "keypoints"),
    ("masks", "keypoints"),
]
BOX_FORMATS = ("pascal_voc", "coco", "yolo", "albumentations")
MASK_DTYPES = ("uint8", "uint8_255", "bool", "int64", "int32", "uint16")
LAYOUTS = ("C", "negative_rows", "negative_cols", "fortran", "readonly", "strided", "unaligned", "mixed")
SHAPES = [(1, 1), (1, 300), (300, 2), (2, 300), (300, 1), (1, 2)]
BOX_EPS = 1e-3  # float32 rounding of returned boxes (normalised formats included), in pixels
DONOR_BASE, NEIGHBOUR_BASE = 100_000, 10_000  # uid ranges of donors and Mosaic neighbours' objects


def to_format(box: np.ndarray, fmt: str, height: int, width: int) -> np.ndarray:
    """Absolute x1, y1, x2, y2 rows -> `fmt` (float64)."""
    b = np.asarray(box, dtype=np.float64).reshape(-1, 4).copy()
    scale = np.array([width, height, width, height], dtype=np.float64)
    if fmt == "coco":
        b[:, 2:] -= b[:, :2]
    elif fmt == "albumentations":
        b /= scale
    elif fmt == "yolo":
        b = np.concatenate([(b[:, :2] + b[:, 2:]) / 2, b[:, 2:] - b[:, :2]], axis=1) / scale
    return b


def to_absolute(box: Any, fmt: str, height: int, width: int) -> np.ndarray:
    b = np.asarray(box, dtype=np.float64).reshape(-1, 4).copy()
    scale = np.array([width, height, width, height], dtype=np.float64)
    if fmt == "coco":
        b[:, 2:] += b[:, :2]
    elif fmt == "albumentations":
        b *= scale
    elif fmt == "yolo":
        b *= scale
        b = np.concatenate([b[:, :2] - b[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2], axis=1)
    return b


def _mask_values(mask: np.ndarray, kind: str) -> np.ndarray:
    if kind == "bool":
        return mask.astype(bool)
    if kind == "uint8_255":
        return mask.astype(np.uint8) * 255
    return mask.astype(np.dtype(kind))


def _object(rng: np.random.Generator, height: int, width: int, empty: bool) -> tuple[np.ndarray, np.ndarray]:
    """A boolean mask (a box, an ellipse or speckle) and a box holding it (loose by up to a pixel).
    An empty mask gets a random valid box."""
    x1, y1 = int(rng.integers(0, width)), int(rng.integers(0, height))
    x2, y2 = int(rng.integers(x1 + 1, width + 1)), int(rng.integers(y1 + 1, height + 1))
    mask = np.zeros((height, width), dtype=bool)
    if not empty:
        shape = int(rng.integers(0, 3))
        yy, xx = np.mgrid[y1:y2, x1:x2]
        if shape == 0:
            mask[y1:y2, x1:x2] = True
        elif shape == 1:
            cy, cx, ry, rx = (y1 + y2 - 1) / 2, (x1 + x2 - 1) / 2, (y2 - y1) / 2, (x2 - x1) / 2
            mask[y1:y2, x1:x2] = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        else:
            mask[y1:y2, x1:x2] = rng.random((y2 - y1, x2 - x1)) < 0.4
        if not mask.any():
            mask[y1, x1] = True
        ys, xs = np.nonzero(mask)
        x1, y1, x2, y2 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
    loose = rng.uniform(0, 1, 4) * (rng.random() < 0.3)
    box = np.array(
        [
            max(0.0, x1 - loose[0]),
            max(0.0, y1 - loose[1]),
            min(width, x2 + loose[2]),
            min(height, y2 + loose[3]),
        ]
    )
    return mask, box


def _image(rng: np.random.Generator, height: int, width: int, spec: SampleSpec) -> np.ndarray:
    shape = (height, width) if spec.channels == 0 else (height, width, spec.channels)
    if spec.dtype == "uint8":
        return rng.integers(0, 256, shape, dtype=np.uint8)
    image = rng.random(shape, dtype=np.float32)
    if spec.specials:  # NaN and +-inf pixels: they must not crash anything (their output is free)
        flat = image.reshape(-1)
        picks = rng.integers(0, flat.size, max(1, flat.size // 20))
        flat[picks] = rng.choice(np.array([np.nan, np.inf, -np.inf], dtype=np.float32), len(picks))
    return image


def _layout(array: np.ndarray, layout: str, rng: np.random.Generator) -> np.ndarray:
    """The same values in another memory layout."""
    if layout == "mixed":
        layout = str(rng.choice(LAYOUTS[:-1]))
    if array.ndim < 2 or array.size == 0 or layout == "C":
        return array.copy()
    if layout == "negative_rows":
        return np.ascontiguousarray(array[::-1])[::-1]
    if layout == "negative_cols":
        return np.ascontiguousarray(array[:, ::-1])[:, ::-1]
    if layout == "fortran":
        return np.asfortranarray(array)
    if layout == "readonly":
        out = array.copy()
        out.setflags(write=False)
        return out
    if layout == "strided":
        wide = np.zeros((array.shape[0], 2 * array.shape[1], *array.shape[2:]), dtype=array.dtype)
        wide[:, ::2] = array
        return wide[:, ::2]
    assert layout == "unaligned"
    raw = np.zeros(array.nbytes + 1, dtype=np.uint8)
    out = raw[1:].view(array.dtype).reshape(array.shape)
    out[...] = array
    return out


def map_arrays(value: Any, fn: Callable[[np.ndarray], np.ndarray]) -> Any:
    if isinstance(value, np.ndarray):
        return fn(value)
    if isinstance(value, dict):
        return {k: map_arrays(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [map_arrays(v, fn) for v in value]
    if isinstance(value, tuple):
        return tuple(map_arrays(v, fn) for v in value)
    return value


@dataclass(frozen=True)
class SampleSpec:
    """The structural choices of a sample (hypothesis draws and shrinks these); the pixels and
    objects come from a NumPy generator seeded by `seed`."""

    height: int
    width: int
    channels: int  # 0 for an (H, W) image
    dtype: str
    specials: bool
    binding: tuple[str, ...]
    box_format: str
    mask_dtype: str
    channel_axis: bool  # instance masks given as (H, W, 1)
    n_objects: int
    empty_masks: bool
    n_keypoints: int
    layout: str
    seed: int

    @property
    def canvas(self) -> Canvas:
        return Canvas(self.height, self.width, max(1, self.channels))


@st.composite
def sample_specs(draw: st.DrawFn) -> SampleSpec:
    height, width = draw(
        st.one_of(
            st.tuples(st.integers(1, 48), st.integers(1, 48)),
            st.sampled_from(SHAPES),
        )
    )
    count = draw(st.sampled_from(["few", "none", "many"]))
    if count == "many" and max(height, width) > 48:  # hundreds of objects on modest images only
        height, width = min(height, 48), min(width, 48)
    n_objects = 0 if count == "none" else draw(st.integers(1, 8) if count == "few" else st.integers(100, 300))
    dtype = draw(st.sampled_from(["uint8", "float32"]))
    return SampleSpec(
        height=height,
        width=width,
        channels=draw(st.sampled_from([3, 0, 1, 2, 4])),
        dtype=dtype,
        specials=dtype == "float32" and draw(st.booleans()),
        binding=draw(st.sampled_from(BINDINGS)),
        box_format=draw(st.sampled_from(BOX_FORMATS)),
        mask_dtype=draw(st.sampled_from(MASK_DTYPES)),
        channel_axis=draw(st.booleans()),
        n_objects=n_objects,
        empty_masks=draw(st.booleans()),
        n_keypoints=draw(st.integers(0, 3)),
        layout=draw(st.sampled_from(LAYOUTS)),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


@dataclass(repr=False)
class Case:
    """One call: its pipeline, Compose arguments and call data, and what each row must carry."""

    spec: SampleSpec
    transforms: list[BaseTransform]
    bbox_params: dict[str, Any] | None
    keypoint_params: dict[str, Any] | None
    seed: int
    data: dict[str, Any]
    # uid -> the keys and values its output row must carry unchanged (labels, extra keys)
    templates: dict[int, dict[str, Any]] = field(default_factory=dict)
    empty_uids: set[int] = field(default_factory=set)  # rows whose input mask was all zero
    primary_uids: list[int] = field(default_factory=list)

    @property
    def has_masks(self) -> bool:
        return bool({"mask", "masks"} & set(self.spec.binding))

    @property
    def has_boxes(self) -> bool:
        return "bboxes" in self.spec.binding

    @property
    def has_keypoints(self) -> bool:
        return "keypoints" in self.spec.binding

    def compose(self, *, fuse: bool = True) -> A.Compose:
        with _fusion(fuse):
            return A.Compose(
                self.transforms,
                bbox_params=None if self.bbox_params is None else A.BboxParams(**self.bbox_params),
                keypoint_params=None
                if self.keypoint_params is None
                else A.KeypointParams(**self.keypoint_params),
                instance_binding=list(self.spec.binding),
                seed=self.seed,
            )

    def __repr__(self) -> str:
        """The pipeline and the sample's recipe (its arrays come from `spec.seed`), not hundreds of
        masks: this is what hypothesis and pytest print for a failing example."""
        return self.describe()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.describe())

    def describe(self) -> str:
        image = self.data["image"]
        return (
            f"transforms={self.transforms}\nbbox_params={self.bbox_params}\n"
            f"keypoint_params={self.keypoint_params}\nseed={self.seed}\nspec={self.spec}\n"
            f"image: {image.shape} {image.dtype} strides={image.strides} writeable={image.flags.writeable}"
        )


@contextmanager
def _fusion(enabled: bool) -> Iterator[None]:
    """INSTAUG_NO_FUSION is read when a Compose is built: set it around the constructor only."""
    saved = os.environ.pop("INSTAUG_NO_FUSION", None)
    if not enabled:
        os.environ["INSTAUG_NO_FUSION"] = "1"
    try:
        yield
    finally:
        os.environ.pop("INSTAUG_NO_FUSION", None)
        if saved is not None:
            os.environ["INSTAUG_NO_FUSION"] = saved


class _Builder:
    """Makes the instance dicts of the sample, Mosaic items and donors, recording each row's uid."""

    def __init__(self, case: Case, rng: np.random.Generator) -> None:
        self.case, self.rng, self.spec = case, rng, case.spec

    def _mask(self, mask: np.ndarray, kind: str | None = None) -> np.ndarray:
        return _mask_values(mask, kind or self.spec.mask_dtype)

    def _keypoints(self, height: int, width: int) -> np.ndarray:
        k = self.spec.n_keypoints
        return np.stack([self.rng.uniform(-1, width + 1, k), self.rng.uniform(-1, height + 1, k)], axis=1)

    def _kp_labels(self) -> list[str]:
        return [f"k{j}" for j in range(self.spec.n_keypoints)]

    def _is_empty(self) -> bool:
        return self.spec.empty_masks and self.rng.random() < 0.25

    def instances(self) -> list[dict[str, Any]]:
        spec, out = self.spec, []
        for uid in range(spec.n_objects):
            empty = self._is_empty()
            mask, box = _object(self.rng, spec.height, spec.width, empty)
            inst: dict[str, Any] = {
                "bbox_labels": {"uid": uid, "name": f"object-{uid}"},
                "id": uid,  # extra keys: they must travel with the row unchanged
                "note": ("extra", uid),
            }
            if self.case.has_masks:
                values = self._mask(mask)
                inst["mask"] = values[:, :, None] if spec.channel_axis else values
                if empty:
                    self.case.empty_uids.add(uid)
            if self.case.has_boxes:
                fmt_box = to_format(box, spec.box_format, spec.height, spec.width)[0]
                inst["bbox"] = fmt_box if self.rng.random() < 0.5 else fmt_box.tolist()
            if self.case.has_keypoints:
                inst["keypoints"] = self._keypoints(spec.height, spec.width)
                inst["keypoint_labels"] = {"kp_name": self._kp_labels()}
            self.case.templates[uid] = {
                k: v for k, v in inst.items() if k not in ("mask", "bbox", "keypoints")
            }
            self.case.primary_uids.append(uid)
            out.append(inst)
        return out

    def call_value(self, kind: str) -> Any:
        """A value for a key a transform reads from the call (see instaug._call_values)."""
        spec, rng = self.spec, self.rng
        if kind == "box":
            xs = np.sort(rng.uniform(-5, spec.width + 5, 2))
            ys = np.sort(rng.uniform(-5, spec.height + 5, 2))
            box = [xs[0], ys[0], xs[1], ys[1]]
            return [round(v) for v in box] if rng.random() < 0.5 else np.array(box)
        if kind == "region":
            return rng.random((spec.height, spec.width)) < rng.random()
        sizes = [self._other_size(big=rng.random() < 0.5) for _ in range(int(rng.integers(1, 3)))]
        return [_image(rng, height, width, spec) for height, width in sizes]

    def overlay_element(self) -> dict[str, Any]:
        """An OverlayElements element: an image, with or without a box, a mask and a mask_id."""
        spec, rng = self.spec, self.rng
        height, width = self._other_size(big=rng.random() < 0.5)
        element: dict[str, Any] = {"image": _image(rng, height, width, spec)}
        if rng.random() < 0.5:
            x0, y0 = int(rng.integers(0, spec.width)), int(rng.integers(0, spec.height))
            x1, y1 = int(rng.integers(x0 + 1, spec.width + 1)), int(rng.integers(y0 + 1, spec.height + 1))
            element["bbox"] = [x0 / spec.width, y0 / spec.height, x1 / spec.width, y1 / spec.height]
        if rng.random() < 0.5:
            element["mask"] = rng.random((height, width)) < 0.6
        if rng.random() < 0.5:
            element["mask_id"] = int(rng.integers(0, 5))
        return element

    def _other_size(self, big: bool) -> tuple[int, int]:
        limit = 64 if big else 40
        return int(self.rng.integers(1, limit + 1)), int(self.rng.integers(1, limit + 1))

    def mosaic_item(self, index: int) -> dict[str, Any]:
        spec = self.spec
        height, width = self._other_size(big=False)
        n = int(self.rng.integers(0, 6 if spec.n_objects < 100 else 100))
        uids = [NEIGHBOUR_BASE * (index + 1) + j for j in range(n)]
        item: dict[str, Any] = {
            "image": _image(self.rng, height, width, spec),
            "bbox_labels": {"uid": uids, "name": [f"neighbour-{u}" for u in uids]},
        }
        objects = [_object(self.rng, height, width, self._is_empty()) for _ in uids]
        kind = str(self.rng.choice(MASK_DTYPES)) if self.rng.random() < 0.3 else None
        if self.case.has_masks:
            stack = np.stack([self._mask(m, kind) for m, _ in objects]) if objects else None
            if stack is None:
                stack = self._mask(np.zeros((0, height, width), bool), kind)
            if self.rng.random() < 0.5:
                item["masks"] = stack
            else:
                item["mask"] = np.moveaxis(stack, 0, -1)
            self.case.empty_uids.update(u for u, (m, _) in zip(uids, objects) if not m.any())
        if self.case.has_boxes:
            boxes = np.array([b for _, b in objects]).reshape(-1, 4)
            item["bboxes"] = to_format(boxes, spec.box_format, height, width)
        if self.case.has_keypoints:
            item["keypoints"] = [self._keypoints(height, width) for _ in uids]
            item["keypoint_labels"] = {"kp_name": [self._kp_labels() for _ in uids]}
        for j, u in enumerate(uids):
            self.case.templates[u] = {"bbox_labels": {"uid": u, "name": item["bbox_labels"]["name"][j]}}
            if self.case.has_keypoints:
                self.case.templates[u]["keypoint_labels"] = {"kp_name": self._kp_labels()}
        return item

    def donor(self, index: int) -> dict[str, Any]:
        spec = self.spec
        uid = DONOR_BASE + index
        # Donors larger than the image are common: it may be 1 x 1.
        height, width = self._other_size(big=True)
        empty = self._is_empty()
        mask, box = _object(self.rng, height, width, empty)
        item: dict[str, Any] = {
            "image": _image(self.rng, height, width, spec),
            "bbox_labels": {"uid": uid, "name": f"donor-{uid}"},
            "source": f"donor-{index}",  # an extra key: it travels with the pasted row
        }
        # A donor gives its mask, its box, or both; a box needs bbox_params to be read.
        how = str(self.rng.choice(["mask", "bbox", "both"])) if self.case.bbox_params else "mask"
        if how in ("mask", "both"):
            kind = str(self.rng.choice(MASK_DTYPES)) if self.rng.random() < 0.3 else None
            item["mask"] = self._mask(mask, kind)
            if empty:
                self.case.empty_uids.add(uid)
        if how in ("bbox", "both"):
            item["bbox"] = to_format(box, spec.box_format, height, width)[0]
        if self.case.has_keypoints:
            item["keypoints"] = self._keypoints(height, width)
            item["keypoint_labels"] = {"kp_name": self._kp_labels()}
        self.case.templates[uid] = {
            k: v for k, v in item.items() if k not in ("image", "mask", "bbox", "keypoints")
        }
        return item


def make_case(
    spec: SampleSpec,
    transforms: list[BaseTransform],
    seed: int,
    *,
    min_visibility: float = 0.0,
    check_each_transform: bool = True,
    bbox_from_mask: bool = False,
) -> Case:
    """The call data for `spec` (pixels and objects from its NumPy seed), in its layout."""
    bbox_params = None
    if "bboxes" in spec.binding:
        bbox_params = {
            "coord_format": spec.box_format,
            "label_fields": ["uid", "name"],
            "min_visibility": min_visibility,
            "check_each_transform": check_each_transform,
            "bbox_from_mask": bbox_from_mask,
        }
    keypoint_params = (
        {"coord_format": "xy", "label_fields": ["kp_name"]} if "keypoints" in spec.binding else None
    )
    case = Case(spec, transforms, bbox_params, keypoint_params, seed, {})
    rng = np.random.default_rng(spec.seed)
    builder = _Builder(case, rng)
    plain: dict[str, Any] = {
        "image": _image(rng, spec.height, spec.width, spec),
        "instances": builder.instances(),
    }
    if any(isinstance(t, A.Mosaic) for t in may_run(transforms)):
        plain["mosaic_metadata"] = [builder.mosaic_item(i) for i in range(int(rng.integers(0, 4)))]
    if any(isinstance(t, A.CopyAndPaste) for t in may_run(transforms)):
        plain["copy_paste_metadata"] = [builder.donor(i) for i in range(int(rng.integers(0, 5)))]
    if any(isinstance(t, A.OverlayElements) for t in may_run(transforms)):
        plain["overlay_metadata"] = [builder.overlay_element() for _ in range(int(rng.integers(0, 4)))]
    for t in may_run(transforms):
        for key, kind in t.call_keys().items():
            plain.setdefault(key, builder.call_value(kind))
    case.data = map_arrays(plain, lambda a: _layout(a, spec.layout, rng))
    return case


@st.composite
def cases(draw: st.DrawFn, focus: str | None = None, pool: tuple[str, ...] | None = None) -> Case:
    """A sample and a pipeline: 1 to 4 transforms from `pool` (default: every transform), with
    `focus` among them when given. ToTensorV2 goes last (its documented place)."""
    spec = draw(sample_specs())
    names = [n for n in (pool or tuple(STRATEGIES)) if n != "ToTensorV2"]
    chosen = draw(st.lists(st.sampled_from(names), min_size=0 if focus else 1, max_size=3))
    if focus is not None and focus != "ToTensorV2":
        chosen.insert(draw(st.integers(0, len(chosen))), focus)
    transforms = [STRATEGIES[n](draw, spec.canvas) for n in chosen]
    if focus == "ToTensorV2" or (pool is None and draw(st.integers(0, 9)) == 0):
        transforms.append(STRATEGIES["ToTensorV2"](draw, spec.canvas))
    return make_case(
        spec,
        transforms,
        draw(st.integers(0, 2**63 - 1)),
        min_visibility=draw(st.sampled_from([0.0, 0.3])),
        check_each_transform=draw(st.booleans()),
        bbox_from_mask=draw(st.booleans()),
    )


# -- checks --------------------------------------------------------------------------------------

# Words an error message may use to name what is wrong: a transform, an argument, a target.
_NAMED = set(EXPORTED) | {
    "image",
    "mask",
    "bbox",
    "keypoint",
    "instances",
    "metadata",
    "label",
    "dtype",
    "channel",
    "transforms",
    "instance_binding",
    "seed",
    "donor",
}
_RAW_ERRORS = ("incompatible function arguments", "cv2.error", "OpenCV(", "error: (-")


def check_error_message(exc: BaseException) -> None:
    """A clear error: a non-empty message naming what is wrong, not a binding's signature dump
    or an OpenCV assertion."""
    message = str(exc)
    assert message.strip(), f"{type(exc).__name__} with an empty message"
    raw = [r for r in _RAW_ERRORS if r in message]
    assert not raw, f"{type(exc).__name__} leaks an internal error ({raw[0]!r}): {message[:400]}"
    assert any(word in message for word in _NAMED), f"the message names nothing: {message[:400]}"


def same(a: Any, b: Any, where: str) -> None:
    """Deep equality; NaN equals NaN; arrays compare dtype, shape and values."""
    if _is_tensor(a) or _is_tensor(b):
        a, b = _as_numpy(a), _as_numpy(b)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), f"{where}: array vs {type(b)}"
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}"
        equal = np.array_equal(a, b, equal_nan=True) if a.dtype.kind in "fc" else np.array_equal(a, b)
        assert equal, f"{where}: values differ"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{where}: keys {sorted(a)} vs {sorted(b)}"
        for key in a:
            same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), f"{where}: {a!r} vs {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        assert math.isnan(b), f"{where}: {a!r} vs {b!r}"
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch")


def _as_numpy(value: Any) -> Any:
    return value.numpy() if _is_tensor(value) else value


def call(case: Case, data: dict[str, Any], *, fuse: bool = True) -> dict[str, Any] | Exception:
    """The output, or the ValueError/TypeError raised (building the Compose or calling it). Any
    other exception propagates: it is a failure of its own."""
    try:
        return case.compose(fuse=fuse)(**data)
    except (ValueError, TypeError) as exc:
        return exc


def _output_image(out: dict[str, Any]) -> np.ndarray:
    image = out["image"]
    if _is_tensor(image):  # ToTensorV2: (C, H, W)
        return image.numpy().transpose(1, 2, 0)
    return image


def check_output(case: Case, out: dict[str, Any]) -> None:
    image = _output_image(out)
    assert isinstance(image, np.ndarray) and image.ndim in (2, 3), f"image: {type(image)}"
    height, width = image.shape[:2]
    assert height >= 1 and width >= 1, f"empty output image {image.shape}"
    assert image.dtype in (np.uint8, np.float32), f"output image dtype {image.dtype}"
    rows = out["instances"]
    uids: list[int] = []
    mask_dtypes: set[np.dtype] = set()
    for r, row in enumerate(rows):
        labels = row.get("bbox_labels")
        assert isinstance(labels, dict) and "uid" in labels, f"row {r} lost its bbox_labels: {sorted(row)}"
        uid = labels["uid"]
        uids.append(uid)
        assert uid in case.templates, f"row {r}: unknown uid {uid!r}"
        for key, value in case.templates[uid].items():
            assert key in row, f"row {r} (uid {uid}) lost its key {key!r}"
            same(row[key], value, f"row {r} (uid {uid})[{key!r}]")
        mask = _check_mask(case, row, r, uid, height, width) if case.has_masks else None
        if mask is not None:
            mask_dtypes.add(mask.dtype)
        if case.has_boxes:
            _check_box(case, row, r, uid, height, width, mask)
        if case.has_keypoints:
            points = _as_numpy(row["keypoints"])
            k = case.spec.n_keypoints
            assert points.shape == (k, 2), f"row {r} (uid {uid}): keypoints {points.shape}, expected ({k}, 2)"
    # Rows that Mosaic and CopyAndPaste bring take the sample's mask dtype: one dtype per output.
    assert len(mask_dtypes) <= 1, f"output masks of several dtypes: {sorted(map(str, mask_dtypes))}"
    _check_rows_kept(case, uids)


def _check_mask(case: Case, row: dict[str, Any], r: int, uid: int, height: int, width: int) -> np.ndarray:
    transposed = _is_tensor(row["mask"]) and any(
        isinstance(t, A.ToTensorV2) and t.transpose_mask for t in case.transforms
    )
    mask = _as_numpy(row["mask"])
    if uid in case.primary_uids:  # (H, W, 1) masks come back with their channel axis
        assert mask.ndim == 2 + case.spec.channel_axis, f"row {r}: mask shape {mask.shape}"
    if mask.ndim == 3:
        assert (mask.shape[0] if transposed else mask.shape[2]) == 1, f"row {r}: mask shape {mask.shape}"
        mask = mask[0] if transposed else mask[:, :, 0]
    assert mask.shape == (height, width), f"row {r}: mask {mask.shape} on a {height}x{width} image"
    if uid in case.primary_uids:
        expected = _mask_values(np.zeros(1, bool), case.spec.mask_dtype).dtype
        assert mask.dtype == expected, f"row {r}: mask dtype {mask.dtype}, the input's was {expected}"
    if uid not in case.empty_uids:
        assert mask.any(), f"row {r} (uid {uid}): its mask was non-empty and is now empty"
    return mask


def _check_box(
    case: Case, row: dict[str, Any], r: int, uid: int, height: int, width: int, mask: np.ndarray | None
) -> None:
    x1, y1, x2, y2 = to_absolute(_as_numpy(row["bbox"]), case.spec.box_format, height, width)[0]
    box = (round(x1, 4), round(y1, 4), round(x2, 4), round(y2, 4))
    assert all(math.isfinite(v) for v in box), f"row {r}: box {box}"
    inside = -BOX_EPS <= x1 and x2 <= width + BOX_EPS and -BOX_EPS <= y1 and y2 <= height + BOX_EPS
    assert inside, f"row {r} (uid {uid}): box {box} outside the {width}x{height} image"
    assert x2 > x1 and y2 > y1, f"row {r} (uid {uid}): box {box} has no area"
    if mask is not None and mask.any():
        ys, xs = np.nonzero(mask)
        tight = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        sx, sy = _mask_slack(case, x2 - x1, y2 - y1)
        outward = (
            math.floor(x1 + BOX_EPS - sx),
            math.floor(y1 + BOX_EPS - sy),
            math.ceil(x2 - BOX_EPS + sx),
            math.ceil(y2 - BOX_EPS + sy),
        )
        if any(type(t).__name__ in DROPOUT for t in may_run(case.transforms)):
            return
        if _box_bounds_mask(case):
            holds = tight[0] >= outward[0] and tight[1] >= outward[1] and tight[2] <= outward[2]
            assert holds and tight[3] <= outward[3], (
                f"row {r} (uid {uid}): mask spans {tight}, outside its box {box} (rounded out: {outward})"
            )
        else:
            # Each resampling rounds a mask to whole pixels while its box follows the exact
            # geometry, and later upscales magnify that rounding (a box smaller than a pixel of a
            # 2 x 3 Mosaic, blown up 30x, lies inside a 30 x 40 block of mask). There, mask and box
            # must still overlap, within one pixel. With rotate_method="ellipse" nothing ties them:
            # the box is the ellipse inscribed in the old box, and a mask's corner can stay in the
            # canvas while its ellipse is cut down to a sliver far from it (found by fuzzing).
            if _ellipse_boxes(case):
                return
            near = (outward[0] - 1, outward[1] - 1, outward[2] + 1, outward[3] + 1)
            holds = tight[0] < near[2] and near[0] < tight[2] and tight[1] < near[3]
            assert holds and near[1] < tight[3], (
                f"row {r} (uid {uid}): mask spans {tight}, away from its box {box} (rounded out: {outward})"
            )


# Whole-pixel steps (and pixel transforms) keep a mask's pixels exactly; these resample it.
RESAMPLING = {
    "Pad",
    "CropAndPad",
    "RandomCropFromBorders",
    "RandomCropNearBBox",
    "BBoxSafeRandomCrop",
    "RandomSizedBBoxSafeCrop",
    "BBoxSubsetSafeRandomCrop",
    "AtLeastOneBBoxRandomCrop",
    "CropNonEmptyMaskIfExists",
    "RandomResizedCrop",
    "RandomSizedCrop",
    "RandomScale",
    "Resize",
    "LongestMaxSize",
    "LetterBox",
    "SmallestMaxSize",
    "Affine",
    "ShiftScaleRotate",
    "Rotate",
    "SafeRotate",
    "RandomGridShuffle",
    "Morphological",
    "Perspective",
    "OpticalDistortion",
    "GridDistortion",
    "GridElasticDeform",
    "PiecewiseAffine",
    "ElasticTransform",
    "ThinPlateSpline",
    "WaterRefraction",
    "PixelSpread",
    "Mosaic",
    "CopyAndPaste",
}


def may_run(transforms: list[Any], inside: bool = False) -> list[BaseTransform]:
    """The transforms that may run, compositions opened: a child of a composition may run whatever
    its p (OneOf and OneOrOther force the one they choose)."""
    out: list[BaseTransform] = []
    for t in transforms:
        if isinstance(t, BaseCompose):
            out += may_run(t.transforms, inside=True)
        elif inside or t.p > 0:
            out.append(t)
    return out


def _smooth_mask_resampling(t: BaseTransform) -> bool:
    """Masks resampled with something other than nearest neighbour."""
    return (
        int(getattr(t, "mask_interpolation", 0)) not in (0, 6)  # 6: INTER_NEAREST_EXACT
        or getattr(t, "area_for_downscale", None) == "image_mask"
    )


def _ellipse_boxes(case: Case) -> bool:
    return any(getattr(t, "rotate_method", None) == "ellipse" for t in may_run(case.transforms))


def _box_bounds_mask(case: Case) -> bool:
    """Whether the box must hold the mask (rounded outward): at most one resampling step, and no
    box from rotate_method="ellipse"."""
    applied = may_run(case.transforms)
    return not _ellipse_boxes(case) and sum(type(t).__name__ in RESAMPLING for t in applied) <= 1


# How far (px) each OpenCV interpolation's kernel reaches: linear (exact too) and area 1, cubic 2,
# Lanczos 4.
KERNEL_REACH = {0: 0, 1: 1, 2: 2, 3: 1, 4: 4, 5: 1, 6: 0}


def _mask_slack(case: Case, box_width: float, box_height: float) -> tuple[float, float]:
    """How far a mask may reach past its box. Nearest resampling keeps every mask pixel inside the
    box rounded outward (a pixel is set only when its centre maps into the object). Smooth mask
    resampling (mask_interpolation != 0, area_for_downscale="image_mask") smears a mask by its
    kernel's reach past the object's geometric extent, which the box follows, and later upscales
    widen that rim: there the mask may stick out by the kernels' reach + 10% of the box. Mixing
    transforms always resample instance masks with nearest."""
    reach = sum(
        max(KERNEL_REACH[int(getattr(t, "mask_interpolation", 0))], 1)
        for t in may_run(case.transforms)
        if _smooth_mask_resampling(t) and not isinstance(t, MixingTransform)
    )
    if not reach:
        return (0.0, 0.0)
    return (reach + 0.1 * box_width, reach + 0.1 * box_height)


def _check_rows_kept(case: Case, uids: list[int]) -> None:
    """Pipelines of pixel transforms and flips cannot drop a row; without mixing, survivors keep
    their input order. A row whose mask is all zero but whose box is valid lives on its box."""
    mixing = any(isinstance(t, MixingTransform) for t in may_run(case.transforms))
    if not mixing:
        assert uids == sorted(uids), f"survivors out of input order: {uids}"
    applied = may_run(case.transforms)
    if any(type(t).__name__ not in ROW_PRESERVING for t in applied):
        return
    expected = list(case.primary_uids)
    if not case.has_boxes or (case.bbox_params or {}).get("bbox_from_mask"):
        expected = [u for u in expected if u not in case.empty_uids]
        assert set(expected) <= set(uids), f"rows {sorted(set(expected) - set(uids))} vanished"
    else:
        assert uids == expected, f"rows {sorted(set(expected) - set(uids))} vanished"


def contiguous(data: dict[str, Any]) -> dict[str, Any]:
    """The same call with every array C-contiguous, aligned and writeable."""
    return map_arrays(data, lambda a: np.array(a, order="C", copy=True))


def check_case(case: Case) -> None:
    before = copy.deepcopy(case.data)
    first = call(case, case.data)
    same(case.data, before, "inputs after the call")
    second = call(case, case.data)
    flat = call(case, contiguous(case.data))
    if isinstance(first, Exception):
        check_error_message(first)
        for other, what in ((second, "the same seed"), (flat, "the contiguous input")):
            assert isinstance(other, Exception), f"{what} succeeds where the call raised {first!r}"
            assert (type(other), str(other)) == (type(first), str(first)), f"{what}: {other!r} vs {first!r}"
        return
    assert not isinstance(second, Exception), f"the same seed raised {second!r}"
    same(second, first, "a second Compose with the same seed")
    assert not isinstance(flat, Exception), f"the contiguous input raised {flat!r}"
    same(flat, first, "the output of the contiguous input")
    check_output(case, first)


# -- a NumPy model of whole-pixel pipelines -----------------------------------------------------
# Flips, fixed crops and pads move whole pixels, so their exact output is easy to state: the model
# below is that statement (OpenCV's border modes are NumPy's pad modes). It catches what the other
# properties cannot: a wrong pixel that is wrong the same way every time.
NUMPY_PAD_MODES = {1: "edge", 2: "symmetric", 3: "wrap", 4: "reflect"}


@dataclass(repr=False)
class Model:
    """The expected state of the sample: image, and per row (uid) its mask and absolute box."""

    image: np.ndarray
    masks: dict[int, np.ndarray]  # bool planes
    boxes: dict[int, np.ndarray]

    def __repr__(self) -> str:
        return f"Model(image {self.image.shape} {self.image.dtype}, rows {list(self.boxes)})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def crop(self, x1: int, y1: int, x2: int, y2: int) -> None:
        self.image = self.image[y1:y2, x1:x2]
        self.masks = {u: m[y1:y2, x1:x2] for u, m in self.masks.items()}
        self.boxes = {u: b - [x1, y1, x1, y1] for u, b in self.boxes.items()}

    def pad(self, top: int, bottom: int, left: int, right: int, border_mode: int, fill: Any) -> None:
        image = self.image
        widths = ((top, bottom), (left, right)) + ((0, 0),) * (image.ndim - 2)
        if border_mode == 0:
            out = np.empty((image.shape[0] + top + bottom, image.shape[1] + left + right, *image.shape[2:]))
            out[...] = fill  # a scalar, or one value per channel
            out[top : top + image.shape[0], left : left + image.shape[1]] = image
            self.image = out.astype(image.dtype)
        else:
            self.image = np.pad(image, widths, mode=NUMPY_PAD_MODES[border_mode])  # type: ignore[call-overload]
        # Instance masks are zero outside their object whatever the border: they never reflect.
        self.masks = {u: np.pad(m, widths[:2]) for u, m in self.masks.items()}
        self.boxes = {u: b + [left, top, left, top] for u, b in self.boxes.items()}

    def flip(self, axis: int) -> None:
        size = self.image.shape[1 - axis]
        self.image = np.flip(self.image, 1 - axis)
        self.masks = {u: np.flip(m, 1 - axis) for u, m in self.masks.items()}
        i, j = (0, 2) if axis == 0 else (1, 3)
        flipped = {}
        for u, b in self.boxes.items():
            b = b.copy()
            b[i], b[j] = size - b[j], size - b[i]
            flipped[u] = b
        self.boxes = flipped

    def clip_and_filter(self, empty: set[int]) -> None:
        """Boxes clipped to the canvas; rows whose box lost its area die, and so do rows whose mask
        became empty (unless it was empty from the start: those live on their box)."""
        h, w = self.image.shape[:2]
        for u in list(self.boxes):
            b = np.clip(self.boxes[u], 0, [w, h, w, h])
            self.boxes[u] = b
            mask = self.masks.get(u)
            flat = b[2] - b[0] <= 1e-6 or b[3] - b[1] <= 1e-6  # 1e-6: format round trips, not area
            if flat or (mask is not None and u not in empty and not mask.any()):
                del self.boxes[u]
                self.masks.pop(u, None)


def _pad_split(missing: int, position: str, vertical: bool) -> tuple[int, int]:
    """(before, after) padding of one axis for a PadIfNeeded position."""
    if missing <= 0:
        return (0, 0)
    if position == "center":
        return (missing // 2, missing - missing // 2)
    at_end = ("top" in position) if vertical else ("left" in position)
    return (0, missing) if at_end else (missing, 0)


@st.composite
def whole_pixel_cases(draw: st.DrawFn) -> tuple[Case, Model]:
    """A sample, a deterministic pipeline of flips, crops and pads, and the model's output."""
    spec = draw(sample_specs())
    spec = replace(spec, binding=draw(st.sampled_from([("masks", "bboxes"), ("mask", "bboxes")])))
    height, width = spec.height, spec.width
    steps: list[tuple[BaseTransform, Callable[[Model], None]]] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["PadIfNeeded", "CenterCrop", "Crop", "HorizontalFlip", "VerticalFlip"]))
        if kind == "PadIfNeeded":
            mh, mw = draw(st.integers(1, 64)), draw(st.integers(1, 64))
            position = draw(
                st.sampled_from(["center", "top_left", "top_right", "bottom_left", "bottom_right"])
            )
            border = draw(st.integers(0, 4))
            fill: Any = draw(
                st.one_of(
                    st.sampled_from([0, 255, 7]),
                    st.lists(
                        st.integers(0, 255), min_size=spec.canvas.channels, max_size=spec.canvas.channels
                    ),
                )
            )
            fill = tuple(fill) if isinstance(fill, list) else fill
            transform: BaseTransform = A.PadIfNeeded(mh, mw, position=position, border_mode=border, fill=fill)
            top, bottom = _pad_split(mh - height, position, vertical=True)
            left, right = _pad_split(mw - width, position, vertical=False)
            steps.append((transform, lambda m, a=(top, bottom, left, right, border, fill): m.pad(*a)))
            height, width = height + top + bottom, width + left + right
        elif kind == "CenterCrop":
            ch, cw = draw(st.integers(1, height)), draw(st.integers(1, width))
            y1, x1 = (height - ch) // 2, (width - cw) // 2
            steps.append((A.CenterCrop(ch, cw), lambda m, a=(x1, y1, x1 + cw, y1 + ch): m.crop(*a)))
            height, width = ch, cw
        elif kind == "Crop":
            x1, y1 = draw(st.integers(0, width - 1)), draw(st.integers(0, height - 1))
            x2, y2 = draw(st.integers(x1 + 1, width)), draw(st.integers(y1 + 1, height))
            steps.append((A.Crop(x1, y1, x2, y2), lambda m, a=(x1, y1, x2, y2): m.crop(*a)))
            height, width = y2 - y1, x2 - x1
        else:
            axis = 0 if kind == "HorizontalFlip" else 1
            flip = A.HorizontalFlip(p=1) if axis == 0 else A.VerticalFlip(p=1)
            steps.append((flip, lambda m, a=axis: m.flip(a)))
    case = make_case(spec, [t for t, _ in steps], draw(st.integers(0, 2**63 - 1)))
    instances = case.data["instances"]
    model = Model(
        image=np.array(case.data["image"]),
        masks={i["id"]: np.array(i["mask"]).reshape(spec.height, spec.width) != 0 for i in instances},
        boxes={
            i["id"]: to_absolute(i["bbox"], spec.box_format, spec.height, spec.width)[0] for i in instances
        },
    )
    for _, step in steps:
        step(model)
        model.clip_and_filter(case.empty_uids)
    return case, model


def check_against_model(case: Case, model: Model, out: dict[str, Any]) -> None:
    same(out["image"], model.image, "the image (vs the NumPy model)")
    height, width = model.image.shape[:2]
    uids = [row["bbox_labels"]["uid"] for row in out["instances"]]
    assert uids == list(model.boxes), f"surviving rows {uids}, the model keeps {list(model.boxes)}"
    for row, uid in zip(out["instances"], uids):
        mask = np.asarray(row["mask"]).reshape(height, width) != 0
        assert np.array_equal(mask, model.masks[uid]), f"row uid {uid}: mask differs from the model's"
        box = to_absolute(row["bbox"], case.spec.box_format, height, width)[0]
        assert np.allclose(box, model.boxes[uid], atol=BOX_EPS), (
            f"row uid {uid}: box {box}, model {model.boxes[uid]}"
        )


# -- tests ---------------------------------------------------------------------------------------


def test_every_exported_transform_has_a_strategy() -> None:
    """A newly exported transform must get a strategy here, so the fuzzed surface cannot shrink."""
    missing = sorted(set(EXPORTED) - set(STRATEGIES))
    assert not missing, f"exported transforms without a strategy in {__file__}: {missing}"
    stale = sorted(set(STRATEGIES) - set(EXPORTED))
    assert not stale, f"strategies for transforms that are no longer exported: {stale}"
    # The mask-in-box check counts resampling steps: every transform must be classified.
    unclassified = sorted(
        set(EXPORTED) - RESAMPLING - ROW_PRESERVING - set(WHOLE_PIXEL) - COMPOSITIONS - DROPOUT
    )
    assert not unclassified, f"add these to RESAMPLING or WHOLE_PIXEL: {unclassified}"


@pytest.mark.parametrize("name", sorted(STRATEGIES))
@given(data=st.data())
def test_each_transform_in_random_pipelines(name: str, data: st.DataObject) -> None:
    case = data.draw(cases(focus=name), label="case")
    note(case.describe())
    check_case(case)


@given(case=cases())
def test_random_pipelines(case: Case) -> None:
    note(case.describe())
    check_case(case)


@given(case=cases(pool=WHOLE_PIXEL + tuple(sorted(ROW_PRESERVING - {"ToTensorV2"}))))
def test_fusion_does_not_change_whole_pixel_pipelines(case: Case) -> None:
    """Flips, crops and pads move whole pixels: queuing them for one fused resampling must give
    the bytes of running them one by one (INSTAUG_NO_FUSION=1)."""
    note(case.describe())
    fused = call(case, case.data)
    unfused = call(case, case.data, fuse=False)
    if isinstance(fused, Exception) or isinstance(unfused, Exception):
        assert isinstance(fused, Exception) and isinstance(unfused, Exception), f"{fused!r} vs {unfused!r}"
        check_error_message(fused)
        return
    same(fused, unfused, "fused vs step-by-step output")


@given(case_and_model=whole_pixel_cases())
def test_whole_pixel_pipelines_match_a_numpy_model(case_and_model: tuple[Case, Model]) -> None:
    case, model = case_and_model
    note(case.describe())
    out = call(case, case.data)
    if isinstance(out, Exception):
        raise out  # every step fits its canvas: nothing here is invalid
    check_against_model(case, model, out)


FIXED_SPEC = SampleSpec(
    height=20,
    width=30,
    channels=3,
    dtype="uint8",
    specials=False,
    binding=("masks", "bboxes", "keypoints"),
    box_format="pascal_voc",
    mask_dtype="uint8",
    channel_axis=False,
    n_objects=4,
    empty_masks=False,
    n_keypoints=2,
    layout="C",
    seed=1,
)


def test_the_checks_catch_a_broken_row() -> None:
    """The checks can fail: a lost extra key, an emptied mask or a box off its mask is reported."""
    case = make_case(FIXED_SPEC, [A.HorizontalFlip(p=1)], seed=0)
    check_case(case)
    out = call(case, case.data)
    assert not isinstance(out, Exception) and len(out["instances"]) == 4
    breakages: list[Callable[[dict[str, Any]], None]] = [
        lambda row: row.pop("id"),
        lambda row: row["mask"].fill(0),
        lambda row: row.update(bbox=np.array([0, 0, 1, 1], np.float32)),
        lambda row: row.update(keypoints=row["keypoints"][:1]),
    ]
    for breakage in breakages:
        broken = copy.deepcopy(out)
        breakage(broken["instances"][0])
        with pytest.raises(AssertionError):
            check_output(case, broken)
    dropped = copy.deepcopy(out)
    dropped["instances"].pop(1)
    with pytest.raises(AssertionError, match="vanished"):
        check_output(case, dropped)


def test_error_messages_are_judged() -> None:
    check_error_message(ValueError("Resize: height must be >= 1, got 0"))
    for bad in ("", "run(): incompatible function arguments. The following", "OpenCV(4.6.0) error: (-215"):
        with pytest.raises(AssertionError):
            check_error_message(ValueError(bad))
