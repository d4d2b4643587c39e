"""Geometric transforms. Names, arguments and defaults follow albumentationsx 2.5.1; every sampling
range is a (min, max) tuple."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from instaug._checks import (
    MAX_CANVAS_SIDE,
    MAX_COORDINATE,
    PAD_POSITIONS,
    check_bool,
    check_choice,
    check_int,
    check_range,
    check_xy_range,
)
from instaug.transforms_base import BaseTransform

_ROTATE_METHODS = ("largest_box", "ellipse")
_AREA_FOR_DOWNSCALE = (None, "image", "image_mask")


class HorizontalFlip(BaseTransform):
    """Mirror left-right: boxes x1' = W - x2, keypoints x' = W - 1 - x."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)


class VerticalFlip(BaseTransform):
    """Mirror top-bottom: boxes y1' = H - y2, keypoints y' = H - 1 - y."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)


class _PaddedCrop(BaseTransform):
    def _set_crop_padding(self, pad_if_needed: bool, pad_position: str, **pixels: Any) -> None:
        self.pad_if_needed = check_bool(self._owner, "pad_if_needed", pad_if_needed)
        self.pad_position = check_choice(self._owner, "pad_position", pad_position, PAD_POSITIONS)
        self._numbers["pad_if_needed"] = float(self.pad_if_needed)
        self._strings["pad_position"] = self.pad_position
        self._set_pixels(**pixels)


class _SizedCrop(_PaddedCrop):
    def __init__(
        self,
        height: int,
        width: int,
        pad_if_needed: bool = False,
        pad_position: str = "center",
        border_mode: int = 0,
        fill: Any = 0.0,
        fill_mask: Any = 0.0,
        p: float = 1.0,
    ) -> None:
        super().__init__(p)
        # A crop window only shrinks an image; growth (pad_if_needed) is bounded when it happens.
        self.height = check_int(self._owner, "height", height, minimum=1, maximum=MAX_COORDINATE)
        self.width = check_int(self._owner, "width", width, minimum=1, maximum=MAX_COORDINATE)
        self._numbers.update(height=self.height, width=self.width)
        self._set_crop_padding(
            pad_if_needed, pad_position, border_mode=border_mode, fill=fill, fill_mask=fill_mask
        )


class RandomCrop(_SizedCrop):
    """Crop a random height x width window (padding first when pad_if_needed)."""


class CenterCrop(_SizedCrop):
    """Crop the central height x width window (padding first when pad_if_needed)."""


class Crop(_PaddedCrop):
    """Crop the fixed window [x_min, x_max) x [y_min, y_max)."""

    def __init__(
        self,
        x_min: int = 0,
        y_min: int = 0,
        x_max: int = 1024,
        y_max: int = 1024,
        pad_if_needed: bool = False,
        pad_position: str = "center",
        border_mode: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        p: float = 1.0,
    ) -> None:
        super().__init__(p)
        owner = self._owner
        self.x_min = check_int(owner, "x_min", x_min, minimum=0, maximum=MAX_COORDINATE)
        self.y_min = check_int(owner, "y_min", y_min, minimum=0, maximum=MAX_COORDINATE)
        self.x_max = check_int(owner, "x_max", x_max, minimum=1, maximum=MAX_COORDINATE)
        self.y_max = check_int(owner, "y_max", y_max, minimum=1, maximum=MAX_COORDINATE)
        if self.x_max <= self.x_min:
            raise ValueError(f"{owner}: x_max must be greater than x_min, got x_min={x_min}, x_max={x_max}")
        if self.y_max <= self.y_min:
            raise ValueError(f"{owner}: y_max must be greater than y_min, got y_min={y_min}, y_max={y_max}")
        self._numbers.update(x_min=self.x_min, y_min=self.y_min, x_max=self.x_max, y_max=self.y_max)
        self._set_crop_padding(
            pad_if_needed, pad_position, border_mode=border_mode, fill=fill, fill_mask=fill_mask
        )


class _Resizing(BaseTransform):
    def _set_resampling(self, interpolation: int, mask_interpolation: int, area_for_downscale: Any) -> None:
        self.area_for_downscale = check_choice(
            self._owner, "area_for_downscale", area_for_downscale, _AREA_FOR_DOWNSCALE
        )
        self._set_pixels(interpolation=interpolation, mask_interpolation=mask_interpolation)
        self._numbers["area_for_downscale"] = float(_AREA_FOR_DOWNSCALE.index(area_for_downscale))

    @property
    def smooth_mask_resampling(self) -> bool:
        return super().smooth_mask_resampling or self.area_for_downscale == "image_mask"


class RandomResizedCrop(_Resizing):
    """Crop a random area fraction (scale) and aspect ratio (ratio), then resize to size=(h, w)."""

    def __init__(
        self,
        size: tuple[int, int],
        scale: tuple[float, float] = (0.08, 1.0),
        ratio: tuple[float, float] = (0.75, 1.3333333333333333),
        interpolation: int = 1,
        mask_interpolation: int = 0,
        area_for_downscale: str | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(p)
        owner = self._owner
        if (
            not isinstance(size, (tuple, list))
            or len(size) != 2
            or not all(
                isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_CANVAS_SIDE for v in size
            )
        ):
            raise ValueError(
                f"{owner}: size must be a (height, width) tuple of integers in "
                f"[1, {MAX_CANVAS_SIDE}], got {size!r}"
            )
        self.size = (int(size[0]), int(size[1]))
        self.scale = check_range(owner, "scale", scale, low=0.0, high=1.0)
        if self.scale[1] <= 0:
            raise ValueError(f"{owner}: scale must allow a positive area, got {scale!r}")
        self.ratio = check_range(owner, "ratio", ratio, low=1e-6)
        self._vectors.update(size=list(self.size), scale=list(self.scale), ratio=list(self.ratio))
        self._set_resampling(interpolation, mask_interpolation, area_for_downscale)


class Resize(_Resizing):
    """Resize to (height, width)."""

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: int = 1,
        mask_interpolation: int = 0,
        area_for_downscale: str | None = None,
        p: float = 1,
    ) -> None:
        super().__init__(p)
        self.height = check_int(self._owner, "height", height, minimum=1, maximum=MAX_CANVAS_SIDE)
        self.width = check_int(self._owner, "width", width, minimum=1, maximum=MAX_CANVAS_SIDE)
        self._numbers.update(height=self.height, width=self.width)
        self._set_resampling(interpolation, mask_interpolation, area_for_downscale)


class _MaxSize(_Resizing):
    def __init__(
        self,
        max_size: int | Sequence[int] | None = None,
        max_size_hw: tuple[int | None, int | None] | None = None,
        interpolation: int = 1,
        mask_interpolation: int = 0,
        area_for_downscale: str | None = None,
        p: float = 1,
    ) -> None:
        super().__init__(p)
        owner = self._owner
        if (max_size is None) == (max_size_hw is None):
            raise ValueError(f"{owner}: exactly one of max_size and max_size_hw must be set")
        if max_size is not None:
            choices = [max_size] if isinstance(max_size, int) and not isinstance(max_size, bool) else max_size
            if not isinstance(choices, (list, tuple)) or not choices:
                raise ValueError(
                    f"{owner}: max_size must be an integer or a list of integers, got {max_size!r}"
                )
            self.max_size = max_size
            self._vectors["max_size"] = [
                float(check_int(owner, "max_size", v, minimum=1, maximum=MAX_CANVAS_SIDE)) for v in choices
            ]
        else:
            if (
                not isinstance(max_size_hw, (tuple, list))
                or len(max_size_hw) != 2
                or max_size_hw == (None, None)
            ):
                raise ValueError(
                    f"{owner}: max_size_hw must be (height, width) with at least one integer, "
                    f"got {max_size_hw!r}"
                )
            hw = [
                check_int(owner, "max_size_hw", v, minimum=1, maximum=MAX_CANVAS_SIDE, allow_none=True)
                for v in max_size_hw
            ]
            self.max_size_hw = tuple(hw)
            self._vectors["max_size_hw"] = [math.nan if v is None else float(v) for v in hw]
        self._set_resampling(interpolation, mask_interpolation, area_for_downscale)


class LongestMaxSize(_MaxSize):
    """Rescale so that the longest side equals max_size (or fits max_size_hw), keeping the aspect ratio."""


class SmallestMaxSize(_MaxSize):
    """Rescale so that the shortest side equals max_size (or covers max_size_hw), keeping the aspect ratio."""


class PadIfNeeded(BaseTransform):
    """Pad to at least (min_height, min_width), or to a multiple of the divisors."""

    def __init__(
        self,
        min_height: int | None = 1024,
        min_width: int | None = 1024,
        pad_height_divisor: int | None = None,
        pad_width_divisor: int | None = None,
        position: str = "center",
        border_mode: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        p: float = 1.0,
    ) -> None:
        super().__init__(p)
        owner = self._owner
        if (min_height is None) == (pad_height_divisor is None):
            raise ValueError(f"{owner}: exactly one of min_height and pad_height_divisor must be set")
        if (min_width is None) == (pad_width_divisor is None):
            raise ValueError(f"{owner}: exactly one of min_width and pad_width_divisor must be set")
        self.min_height = check_int(
            owner, "min_height", min_height, minimum=1, maximum=MAX_CANVAS_SIDE, allow_none=True
        )
        self.min_width = check_int(
            owner, "min_width", min_width, minimum=1, maximum=MAX_CANVAS_SIDE, allow_none=True
        )
        self.pad_height_divisor = check_int(
            owner,
            "pad_height_divisor",
            pad_height_divisor,
            minimum=1,
            maximum=MAX_CANVAS_SIDE,
            allow_none=True,
        )
        self.pad_width_divisor = check_int(
            owner, "pad_width_divisor", pad_width_divisor, minimum=1, maximum=MAX_CANVAS_SIDE, allow_none=True
        )
        self.position = check_choice(owner, "position", position, PAD_POSITIONS)
        for key in ("min_height", "min_width", "pad_height_divisor", "pad_width_divisor"):
            value = getattr(self, key)
            if value is not None:
                self._numbers[key] = float(value)
        self._strings["position"] = self.position
        self._set_pixels(border_mode=border_mode, fill=fill, fill_mask=fill_mask)


class Affine(BaseTransform):
    """Scale, translate, rotate and shear about the image centre, in one warp."""

    def __init__(
        self,
        scale: tuple[float, float] | dict[str, tuple[float, float]] = (1.0, 1.0),
        translate_percent: tuple[float, float] | dict[str, tuple[float, float]] | None = None,
        translate_px: tuple[int, int] | dict[str, tuple[int, int]] | None = None,
        rotate: tuple[float, float] = (0.0, 0.0),
        shear: tuple[float, float] | dict[str, tuple[float, float]] = (0.0, 0.0),
        interpolation: int = 1,
        mask_interpolation: int = 0,
        fit_output: bool = False,
        keep_ratio: bool = True,
        rotate_method: str = "largest_box",
        balanced_scale: bool = False,
        border_mode: int = 0,
        fill: Any = 0,
        fill_mask: Any = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(p)
        owner = self._owner
        self.scale = check_xy_range(owner, "scale", scale, low=1e-6, neutral=(1.0, 1.0))
        self.keep_ratio = check_bool(owner, "keep_ratio", keep_ratio)
        if self.keep_ratio and self.scale["x"] != self.scale["y"]:
            raise ValueError(
                f"{owner}: with keep_ratio=True the x and y ranges of scale must be equal, got {scale!r}"
            )
        if translate_percent is not None and translate_px is not None:
            raise ValueError(f"{owner}: set at most one of translate_percent and translate_px")
        self.translate_percent = (
            None
            if translate_percent is None
            else check_xy_range(owner, "translate_percent", translate_percent, neutral=(0.0, 0.0))
        )
        self.translate_px = (
            None
            if translate_px is None
            else check_xy_range(owner, "translate_px", translate_px, integer=True, neutral=(0, 0))
        )
        self.rotate = check_range(owner, "rotate", rotate)
        self.shear = check_xy_range(owner, "shear", shear, low=-89.0, high=89.0, neutral=(0.0, 0.0))
        self.fit_output = check_bool(owner, "fit_output", fit_output)
        self.rotate_method = check_choice(owner, "rotate_method", rotate_method, _ROTATE_METHODS)
        self.balanced_scale = check_bool(owner, "balanced_scale", balanced_scale)

        translate = self.translate_percent or self.translate_px
        self._strings.update(
            translate_mode="percent" if self.translate_percent else "px" if self.translate_px else "none",
            rotate_method=self.rotate_method,
        )
        self._vectors.update(
            scale_x=list(self.scale["x"]),
            scale_y=list(self.scale["y"]),
            rotate=list(self.rotate),
            shear_x=list(self.shear["x"]),
            shear_y=list(self.shear["y"]),
        )
        if translate is not None:
            self._vectors.update(translate_x=list(translate["x"]), translate_y=list(translate["y"]))
        self._numbers.update(
            fit_output=float(self.fit_output),
            keep_ratio=float(self.keep_ratio),
            balanced_scale=float(balanced_scale),
        )
        self._set_pixels(
            interpolation=interpolation,
            mask_interpolation=mask_interpolation,
            border_mode=border_mode,
            fill=fill,
            fill_mask=fill_mask,
        )


class Rotate(BaseTransform):
    """Rotate by an angle sampled from angle_range (degrees) about the image centre."""

    def __init__(
        self,
        angle_range: tuple[float, float] = (-90, 90),
        interpolation: int = 1,
        border_mode: int = 0,
        rotate_method: str = "largest_box",
        crop_border: bool = False,
        mask_interpolation: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        p: float = 0.5,
    ) -> None:
        super().__init__(p)
        owner = self._owner
        self.angle_range = check_range(owner, "angle_range", angle_range)
        self.rotate_method = check_choice(owner, "rotate_method", rotate_method, _ROTATE_METHODS)
        self.crop_border = check_bool(owner, "crop_border", crop_border)
        self._vectors["angle_range"] = list(self.angle_range)
        self._strings["rotate_method"] = self.rotate_method
        self._numbers["crop_border"] = float(self.crop_border)
        self._set_pixels(
            interpolation=interpolation,
            mask_interpolation=mask_interpolation,
            border_mode=border_mode,
            fill=fill,
            fill_mask=fill_mask,
        )


class Perspective(BaseTransform):
    """Random four-point perspective: each corner moves by |N(0, scale)| (mod 0.32) of the image size."""

    def __init__(
        self,
        scale: tuple[float, float] = (0.05, 0.1),
        keep_size: bool = True,
        fit_output: bool = False,
        interpolation: int = 1,
        mask_interpolation: int = 0,
        border_mode: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        p: float = 0.5,
    ) -> None:
        super().__init__(p)
        owner = self._owner
        self.scale = check_range(owner, "scale", scale, low=0.0)
        self.keep_size = check_bool(owner, "keep_size", keep_size)
        self.fit_output = check_bool(owner, "fit_output", fit_output)
        self._vectors["scale"] = list(self.scale)
        self._numbers.update(keep_size=float(self.keep_size), fit_output=float(self.fit_output))
        self._set_pixels(
            interpolation=interpolation,
            mask_interpolation=mask_interpolation,
            border_mode=border_mode,
            fill=fill,
            fill_mask=fill_mask,
        )
