"""Pixel-level transforms: colour, contrast, blur, noise and normalisation. They change the image
only. Names, arguments and defaults follow albumentationsx 2.5.1; every sampling range ends in
`_range` and is a (min, max) tuple."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from instaug._checks import check_bool, check_choice, check_int, check_number, check_range
from instaug.transforms_base import BaseTransform


class PixelTransform(BaseTransform):
    """A transform of the image alone."""

    def _ranges(self, **ranges: tuple[tuple[float, float], dict[str, Any]]) -> None:
        for name, (value, limits) in ranges.items():
            checked = check_range(self._owner, name, value, **limits)
            setattr(self, name, checked)
            self._vectors[name] = list(checked)


class HueSaturationValue(PixelTransform):
    """Shift hue (OpenCV's uint8 HSV: hue modulo 180), saturation and value (both saturating)."""

    def __init__(
        self,
        hue_shift_range: tuple[float, float] = (-20, 20),
        sat_shift_range: tuple[float, float] = (-30, 30),
        val_shift_range: tuple[float, float] = (-20, 20),
        p: float = 0.5,
    ) -> None:
        super().__init__(p)
        self._ranges(
            hue_shift_range=(hue_shift_range, {"low": -180, "high": 180}),
            sat_shift_range=(sat_shift_range, {"low": -255, "high": 255}),
            val_shift_range=(val_shift_range, {"low": -255, "high": 255}),
        )


class RandomBrightnessContrast(PixelTransform):
    """Contrast around the grey mean, then brightness as a gain (torchvision's formulas); with
    brightness_by_max=True, contrast * x + brightness * max_value."""

    def __init__(
        self,
        brightness_range: tuple[float, float] = (-0.2, 0.2),
        contrast_range: tuple[float, float] = (-0.2, 0.2),
        brightness_by_max: bool = False,
        ensure_safe_output: bool = False,
        p: float = 0.5,
    ) -> None:
        super().__init__(p)
        self._ranges(
            brightness_range=(brightness_range, {"low": -1.0, "high": 1.0}),
            contrast_range=(contrast_range, {"low": -1.0, "high": 1.0}),
        )
        self.brightness_by_max = check_bool(self._owner, "brightness_by_max", brightness_by_max)
        self.ensure_safe_output = check_bool(self._owner, "ensure_safe_output", ensure_safe_output)
        self._numbers.update(
            brightness_by_max=float(self.brightness_by_max), ensure_safe_output=float(self.ensure_safe_output)
        )


class RGBShift(PixelTransform):
    """Add a random value per channel. Shifts with magnitude above 1 are in pixel units of a uint8
    image (divided by 255 for float images), as the reference."""

    def __init__(
        self,
        r_shift_range: tuple[float, float] = (-20, 20),
        g_shift_range: tuple[float, float] = (-20, 20),
        b_shift_range: tuple[float, float] = (-20, 20),
        p: float = 0.5,
    ) -> None:
        super().__init__(p)
        self._ranges(
            r_shift_range=(r_shift_range, {"low": -255, "high": 255}),
            g_shift_range=(g_shift_range, {"low": -255, "high": 255}),
            b_shift_range=(b_shift_range, {"low": -255, "high": 255}),
        )
        for name in ("r_shift_range", "g_shift_range", "b_shift_range"):
            low, high = self._vectors[name]
            if abs(low) > 1 or abs(high) > 1:
                self._vectors[name] = [low / 255.0, high / 255.0]


class RandomGamma(PixelTransform):
    """x ** (gamma / 100) on [0, 1]; gamma_range is in percent."""

    def __init__(self, gamma_range: tuple[float, float] = (80, 120), p: float = 0.5) -> None:
        super().__init__(p)
        self._ranges(gamma_range=(gamma_range, {"low": 1e-6}))


class ToGray(PixelTransform):
    """Grey with num_output_channels copies."""

    METHODS = ("weighted_average", "from_lab", "desaturation", "average", "max")

    def __init__(
        self, num_output_channels: int = 3, method: str = "weighted_average", p: float = 0.5
    ) -> None:
        super().__init__(p)
        self.num_output_channels = check_int(
            self._owner, "num_output_channels", num_output_channels, minimum=1
        )
        if self.num_output_channels > 4:
            raise ValueError(f"ToGray: num_output_channels must be 1 to 4, got {num_output_channels!r}")
        self.method = check_choice(self._owner, "method", method, self.METHODS)
        self._numbers["num_output_channels"] = self.num_output_channels
        self._strings["method"] = self.method

    @property
    def changes_image_format(self) -> bool:
        # An RGB image stays 3-channel with the default; other counts change it.
        return self.num_output_channels != 3


class ChannelShuffle(PixelTransform):
    """Permute the channels randomly, or by a fixed channel_order."""

    def __init__(self, channel_order: Sequence[int] | None = None, p: float = 0.5) -> None:
        super().__init__(p)
        if channel_order is not None:
            order = list(channel_order) if isinstance(channel_order, (list, tuple)) else None
            if order is None or sorted(order) != list(range(len(order))):
                raise ValueError(
                    f"ChannelShuffle: channel_order must be a permutation of 0..C-1, got {channel_order!r}"
                )
            self._vectors["channel_order"] = [float(c) for c in order]
        self.channel_order = None if channel_order is None else tuple(channel_order)


class CLAHE(PixelTransform):
    """Contrast-limited adaptive histogram equalisation (on L of Lab for RGB images)."""

    def __init__(
        self,
        clip_range: tuple[float, float] = (1.0, 4.0),
        tile_grid_size: tuple[int, int] = (8, 8),
        p: float = 0.5,
    ) -> None:
        super().__init__(p)
        self._ranges(clip_range=(clip_range, {"low": 0.0}))
        if (
            not isinstance(tile_grid_size, (tuple, list))
            or len(tile_grid_size) != 2
            or not all(isinstance(v, int) and v > 0 for v in tile_grid_size)
        ):
            raise ValueError(
                f"CLAHE: tile_grid_size must be a pair of positive integers, got {tile_grid_size!r}"
            )
        self.tile_grid_size = tuple(tile_grid_size)
        self._vectors["tile_grid_size"] = [float(v) for v in tile_grid_size]


class ColorJitter(PixelTransform):
    """Brightness, contrast, saturation (factors) and hue (fraction of a turn) in random order."""

    def __init__(
        self,
        brightness_range: tuple[float, float] = (0.8, 1.2),
        contrast_range: tuple[float, float] = (0.8, 1.2),
        saturation_range: tuple[float, float] = (0.8, 1.2),
        hue_range: tuple[float, float] = (-0.5, 0.5),
        p: float = 0.5,
    ) -> None:
        super().__init__(p)
        self._ranges(
            brightness_range=(brightness_range, {"low": 0.0}),
            contrast_range=(contrast_range, {"low": 0.0}),
            saturation_range=(saturation_range, {"low": 0.0}),
            hue_range=(hue_range, {"low": -0.5, "high": 0.5}),
        )


class Normalize(PixelTransform):
    """(x - mean * max_pixel_value) / (std * max_pixel_value), or a per-image normalisation. The
    image becomes float32."""

    MODES = ("standard", "image", "image_per_channel", "min_max", "min_max_per_channel")

    def __init__(
        self,
        mean: tuple[float, ...] | float | None = (0.485, 0.456, 0.406),
        std: tuple[float, ...] | float | None = (0.229, 0.224, 0.225),
        max_pixel_value: float | None = 255.0,
        normalization: str = "standard",
        p: float = 1.0,
        *,
        clip_range: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(p)
        owner = self._owner
        self.normalization = check_choice(owner, "normalization", normalization, self.MODES)
        self._strings["normalization"] = self.normalization
        self.mean, self.std, self.max_pixel_value = mean, std, max_pixel_value
        if self.normalization == "standard":
            if mean is None or std is None or max_pixel_value is None:
                raise ValueError(f"{owner}: standard normalization needs mean, std and max_pixel_value")
            self._means = self._per_channel("mean", mean)
            stds = self._per_channel("std", std)
            if any(s <= 0 for s in stds):
                raise ValueError(f"{owner}: std must be positive, got {std!r}")
            scale = check_number(owner, "max_pixel_value", max_pixel_value)
            self._vectors["mean"] = [m * scale for m in self._means]
            self._vectors["inv_std"] = [1.0 / (s * scale) for s in stds]
        if clip_range is not None:
            self._vectors["clip_range"] = list(check_range(owner, "clip_range", clip_range))
        self.clip_range = clip_range

    @property
    def changes_image_format(self) -> bool:
        return True  # uint8 in, float32 out

    def _per_channel(self, name: str, value: Any) -> list[float]:
        values = (
            [value]
            if isinstance(value, (int, float))
            else list(value)
            if isinstance(value, (list, tuple))
            else None
        )
        if not values or not all(isinstance(v, (int, float)) for v in values):
            raise ValueError(f"Normalize: {name} must be a number or a tuple of numbers, got {value!r}")
        return [float(v) for v in values]


def _odd_range(owner: str, name: str, value: Any, minimum: int) -> tuple[int, int]:
    low, high = check_range(owner, name, value, low=minimum, integer=True)
    return (int(low), int(high))


class Blur(PixelTransform):
    """Box blur with an odd kernel size from blur_range."""

    def __init__(self, blur_range: tuple[int, int] = (3, 7), p: float = 0.5) -> None:
        super().__init__(p)
        self.blur_range = _odd_range(self._owner, "blur_range", blur_range, 3)
        self._vectors["blur_range"] = [float(v) for v in self.blur_range]


class MedianBlur(Blur):
    """Median blur with an odd kernel size from blur_range."""


class GaussianBlur(PixelTransform):
    """Gaussian blur; a kernel size of 0 derives it from sigma (radius 3.5 sigma)."""

    def __init__(
        self,
        blur_range: tuple[int, int] = (0, 0),
        sigma_range: tuple[float, float] = (0.5, 3.0),
        p: float = 0.5,
    ) -> None:
        super().__init__(p)
        self.blur_range = _odd_range(self._owner, "blur_range", blur_range, 0)
        if self.blur_range[0] == 0 and self.blur_range[1] != 0:
            raise ValueError(f"GaussianBlur: blur_range is (0, 0) or positive sizes, got {blur_range!r}")
        self._vectors["blur_range"] = [float(v) for v in self.blur_range]
        self._ranges(sigma_range=(sigma_range, {"low": 0.0}))


class MotionBlur(PixelTransform):
    """Blur along a random line: odd size from blur_range, angle in degrees, direction in [-1, 1]
    (negative: the line trails backwards)."""

    def __init__(
        self,
        blur_range: tuple[int, int] = (3, 7),
        allow_shifted: bool = True,
        angle_range: tuple[float, float] = (0, 360),
        direction_range: tuple[float, float] = (-1.0, 1.0),
        p: float = 0.5,
    ) -> None:
        super().__init__(p)
        self.blur_range = _odd_range(self._owner, "blur_range", blur_range, 3)
        self._vectors["blur_range"] = [float(v) for v in self.blur_range]
        self.allow_shifted = check_bool(self._owner, "allow_shifted", allow_shifted)
        self._numbers["allow_shifted"] = float(self.allow_shifted)
        self._ranges(
            angle_range=(angle_range, {}),
            direction_range=(direction_range, {"low": -1.0, "high": 1.0}),
        )


class GaussNoise(PixelTransform):
    """Add Gaussian noise: std and mean as fractions of the image's range (255 for uint8); one noise
    value per pixel shared by its channels unless per_channel."""

    def __init__(
        self,
        std_range: tuple[float, float] = (0.2, 0.44),
        mean_range: tuple[float, float] = (0.0, 0.0),
        per_channel: bool = False,
        p: float = 0.5,
    ) -> None:
        super().__init__(p)
        self._ranges(
            std_range=(std_range, {"low": 0.0, "high": 1.0}),
            mean_range=(mean_range, {"low": -1.0, "high": 1.0}),
        )
        self.per_channel = check_bool(self._owner, "per_channel", per_channel)
        self._numbers["per_channel"] = float(self.per_channel)


class ToTensorV2(BaseTransform):
    """The image as a torch tensor (C, H, W); masks as tensors ((H, W, C) masks become (C, H, W)
    with transpose_mask). Needs PyTorch. It runs after every other transform of the Compose."""

    def __init__(self, transpose_mask: bool = False, p: float = 1.0) -> None:
        super().__init__(p)
        self.transpose_mask = check_bool(self._owner, "transpose_mask", transpose_mask)
