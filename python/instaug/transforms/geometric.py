"""Geometric transforms: they move the canvas, and every target with it. Names, arguments and
defaults follow albumentationsx 2.5.1 (checked against the C++ schemas by the tests); every
sampling range is a (min, max) tuple."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from instaug.transforms.base import DualTransform, arguments_of


class HorizontalFlip(DualTransform):
    """Mirror left-right: boxes x1' = W - x2, keypoints x' = W - 1 - x."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class VerticalFlip(DualTransform):
    """Mirror top-bottom: boxes y1' = H - y2, keypoints y' = H - 1 - y."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class TimeReverse(DualTransform):
    """HorizontalFlip under the reference's spectrogram name (time runs along x)."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class Transpose(DualTransform):
    """Swap rows and columns (reflect over the main diagonal): an (H, W) canvas becomes (W, H)."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class RandomRotate90(DualTransform):
    """Rotate by a multiple of 90 degrees counterclockwise (np.rot90): group_element "e", "r90",
    "r180" or "r270", or one drawn uniformly from group_elements (default: all four)."""

    def __init__(
        self,
        p: float = 1.0,
        group_element: str | None = None,
        group_elements: Sequence[str] | None = None,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class D4(DualTransform):
    """One of the eight symmetries of the square ("e", "r90", "r180", "r270", "v", "hvt", "h", "t"),
    given or drawn uniformly; exact pixel permutations."""

    def __init__(self, p: float = 1.0, group_element: str | None = None) -> None:
        super().__init__(**arguments_of(locals()))


class SquareSymmetry(D4):
    """D4 under the reference's other name."""


class RandomCrop(DualTransform):
    """Crop a random height x width window (padding first when pad_if_needed)."""

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
        super().__init__(**arguments_of(locals()))


class CenterCrop(RandomCrop):
    """Crop the central height x width window (padding first when pad_if_needed)."""


class Crop(DualTransform):
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
        super().__init__(**arguments_of(locals()))


class RandomResizedCrop(DualTransform):
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
        *,
        sampling_method: str = "standard",
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RandomSizedCrop(DualTransform):
    """Crop a window of a height drawn from min_max_height and width height * w2h_ratio at a random
    place, then resize it to size=(h, w)."""

    def __init__(
        self,
        min_max_height: tuple[int, int],
        size: tuple[int, int],
        w2h_ratio: float = 1.0,
        interpolation: int = 1,
        mask_interpolation: int = 0,
        area_for_downscale: str | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Resize(DualTransform):
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
        super().__init__(**arguments_of(locals()))


class RandomScale(DualTransform):
    """Resize by a random factor 1 + s, s from scale_range: one draw for both sides, or one per
    side with {"x": range, "y": range}. Sides are truncated to whole pixels, as the reference."""

    def __init__(
        self,
        scale_range: tuple[float, float] | dict[str, tuple[float, float]] = (-0.1, 0.1),
        interpolation: int = 1,
        mask_interpolation: int = 0,
        area_for_downscale: str | None = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class LongestMaxSize(DualTransform):
    """Rescale so that the longest side equals max_size (or fits max_size_hw), keeping the aspect ratio."""

    def __init__(
        self,
        max_size: int | Sequence[int] | None = None,
        max_size_hw: tuple[int | None, int | None] | None = None,
        interpolation: int = 1,
        mask_interpolation: int = 0,
        area_for_downscale: str | None = None,
        p: float = 1,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class SmallestMaxSize(LongestMaxSize):
    """Rescale so that the shortest side equals max_size (or covers max_size_hw), keeping the aspect ratio."""


class RandomGridShuffle(DualTransform):
    """Cut the canvas into grid (rows, columns) cells of almost equal sides and let cells of the
    same size trade places. Whole pixels move: image, masks, boxes and keypoints stay exact. A row
    stays one row: its box bounds all its pieces (its mask's tight box when a mask is bound)."""

    def __init__(self, grid: tuple[int, int] = (3, 3), p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class Morphological(DualTransform):
    """Dilation or erosion by an elliptic structuring element of size scale (width, height), alike
    on the image and the masks; a row's box becomes its mask's tight box (a box alone is rasterised,
    filtered and refitted, as the reference); keypoints stay."""

    def __init__(self, scale: tuple[int, int] = (2, 3), operation: str = "dilation", p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class LetterBox(DualTransform):
    """Scale the whole image to fit size (height, width) with its aspect ratio kept, then pad the
    rest of the canvas with fill (fill_mask for masks) at `position`: a detector's input."""

    def __init__(
        self,
        size: tuple[int, int],
        interpolation: int = 1,
        mask_interpolation: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        position: str = "center",
        p: float = 1.0,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class PadIfNeeded(DualTransform):
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
        super().__init__(**arguments_of(locals()))


class Pad(DualTransform):
    """Pad each side by a fixed number of pixels: padding is one number for every side, (x, y), or
    (left, top, right, bottom)."""

    def __init__(
        self,
        padding: int | tuple[int, int] | tuple[int, int, int, int] = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        border_mode: int = 0,
        p: float = 1.0,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class CropAndPad(DualTransform):
    """Crop (negative amounts) or pad (positive) each side, by px pixels or percent of the side:
    one value for every side, a (min, max) range drawn once or per side (sample_independently), or
    four sides (top, right, bottom, left) each a value or a range; px_choices / percent_choices draw
    from a list. keep_size resizes the result back to the input size. A fill pair is a range, a
    longer fill a list of choices (one value is drawn per call)."""

    def __init__(
        self,
        px: Any = None,
        percent: Any = None,
        keep_size: bool = True,
        sample_independently: bool = True,
        interpolation: int = 1,
        mask_interpolation: int = 0,
        border_mode: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        p: float = 1.0,
        *,
        px_choices: Sequence[int] | None = None,
        percent_choices: Sequence[float] | None = None,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RandomCropFromBorders(DualTransform):
    """Crop a random strip off each side: at most crop_left / crop_right of the width and crop_top /
    crop_bottom of the height (no resize: the output is smaller)."""

    def __init__(
        self,
        crop_left: float = 0.1,
        crop_right: float = 0.1,
        crop_top: float = 0.1,
        crop_bottom: float = 0.1,
        p: float = 1.0,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RandomCropNearBBox(DualTransform):
    """Crop around the box the call gives under `cropping_bbox_key` (x_min, y_min, x_max, y_max in
    pixels), each side moved by up to max_part_shift[1] of the box's width (left, right) or
    max_part_shift[0] of its height (top, bottom)."""

    def __init__(
        self,
        max_part_shift: tuple[float, float] = (0, 0.3),
        cropping_bbox_key: str = "cropping_bbox",
        p: float = 1.0,
    ) -> None:
        super().__init__(**arguments_of(locals()))

    def call_keys(self) -> dict[str, str]:
        return {self.cropping_bbox_key: "box"}


class BBoxSafeRandomCrop(DualTransform):
    """Crop a random window holding every box (their union, eroded by erosion_rate); without boxes, a
    random window at least (1 - erosion_rate) of the height, in the image's aspect ratio."""

    def __init__(self, erosion_rate: float = 0.0, p: float = 1.0) -> None:
        super().__init__(**arguments_of(locals()))


class RandomSizedBBoxSafeCrop(DualTransform):
    """BBoxSafeRandomCrop's window, resized to (height, width)."""

    def __init__(
        self,
        height: int,
        width: int,
        erosion_rate: float = 0.0,
        interpolation: int = 1,
        mask_interpolation: int = 0,
        p: float = 1.0,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class BBoxSubsetSafeRandomCrop(DualTransform):
    """Crop a random window holding a drawn subset of the boxes (subset_fraction_range of them, their
    union eroded by erosion_rate), its height / width within aspect_ratio_range when possible."""

    def __init__(
        self,
        subset_fraction_range: tuple[float, float] = (0.5, 1.0),
        erosion_rate: float = 0.0,
        aspect_ratio_range: tuple[float, float] = (0.5, 2.0),
        p: float = 1.0,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class AtLeastOneBBoxRandomCrop(DualTransform):
    """Crop a random height x width window holding one drawn box (eroded by erosion_factor; at 1 the
    window need only meet it); without boxes, any window."""

    def __init__(self, height: int, width: int, erosion_factor: float = 0.0, p: float = 1.0) -> None:
        super().__init__(**arguments_of(locals()))


class CropNonEmptyMaskIfExists(DualTransform):
    """Crop a height x width window around a random mask pixel (values in ignore_values and channels
    in ignore_channels do not count); a random window when the masks are empty. It reads mask= /
    masks= when given, else the instance masks."""

    def __init__(
        self,
        height: int,
        width: int,
        ignore_values: Sequence[int] | None = None,
        ignore_channels: Sequence[int] | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Affine(DualTransform):
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
        super().__init__(**arguments_of(locals()))


class ShiftScaleRotate(DualTransform):
    """Affine with a shift (a fraction of each side; shift_range_x / shift_range_y per axis), one
    scale factor 1 + scale_range for both axes, a rotation in degrees, and no shear."""

    def __init__(
        self,
        shift_range: tuple[float, float] = (-0.0625, 0.0625),
        scale_range: tuple[float, float] = (-0.1, 0.1),
        rotate_range: tuple[float, float] = (-45, 45),
        interpolation: int = 1,
        border_mode: int = 0,
        shift_range_x: tuple[float, float] | None = None,
        shift_range_y: tuple[float, float] | None = None,
        rotate_method: str = "largest_box",
        mask_interpolation: int = 0,
        fill: float | Sequence[float] = 0,
        fill_mask: float | Sequence[float] = 0,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Rotate(DualTransform):
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
        super().__init__(**arguments_of(locals()))


class SafeRotate(DualTransform):
    """Rotate by an angle sampled from angle_range (degrees) about the image centre, each axis then
    squeezed so that the whole rotated image fits the input's canvas (no corner is cut)."""

    def __init__(
        self,
        angle_range: tuple[float, float] = (-90, 90),
        interpolation: int = 1,
        border_mode: int = 0,
        rotate_method: str = "largest_box",
        mask_interpolation: int = 0,
        fill: Any = 0,
        fill_mask: Any = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Perspective(DualTransform):
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
        super().__init__(**arguments_of(locals()))


class OpticalDistortion(DualTransform):
    """Lens distortion with k drawn from distort_range: "camera" (OpenCV's undistortion map with
    k1 = k2 = k) or "fisheye" (a radial scale about the centre). The image goes through one remap;
    keypoints through the inverse of the map (sub-pixel)."""

    def __init__(
        self,
        distort_range: tuple[float, float] = (-0.05, 0.05),
        interpolation: int = 1,
        mask_interpolation: int = 0,
        mode: str = "camera",
        keypoint_remapping_method: str = "mask",
        p: float = 0.5,
        border_mode: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        map_resolution_range: tuple[float, float] = (1.0, 1.0),
    ) -> None:
        super().__init__(**arguments_of(locals()))


class GridDistortion(DualTransform):
    """A num_steps x num_steps grid whose cells are stretched by 1 + a value drawn from
    distort_range (normalized: the steps still span the image)."""

    def __init__(
        self,
        num_steps: int = 5,
        distort_range: tuple[float, float] = (-0.3, 0.3),
        interpolation: int = 1,
        normalized: bool = True,
        mask_interpolation: int = 0,
        keypoint_remapping_method: str = "mask",
        p: float = 0.5,
        border_mode: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        map_resolution_range: tuple[float, float] = (1.0, 1.0),
    ) -> None:
        super().__init__(**arguments_of(locals()))


class GridElasticDeform(DualTransform):
    """A num_grid_xy grid whose inner points move by whole pixels up to magnitude; each cell is
    warped by the perspective transform of its rectangle onto its moved quad."""

    def __init__(
        self,
        num_grid_xy: tuple[int, int],
        magnitude: int,
        interpolation: int = 1,
        mask_interpolation: int = 0,
        p: float = 1.0,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class PiecewiseAffine(DualTransform):
    """A grid of control points moved by Gaussian jitter (scale: about 3 sigma, of the shorter side
    unless absolute_scale); each pixel follows the inverse-distance weighted mean of the moves."""

    def __init__(
        self,
        scale_range: tuple[float, float] = (0.03, 0.05),
        nb_rows_range: tuple[int, int] = (4, 4),
        nb_cols_range: tuple[int, int] = (4, 4),
        interpolation: int = 1,
        mask_interpolation: int = 0,
        absolute_scale: bool = False,
        keypoint_remapping_method: str = "mask",
        p: float = 0.5,
        border_mode: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        map_resolution_range: tuple[float, float] = (1.0, 1.0),
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ElasticTransform(DualTransform):
    """A smooth one-to-one displacement: a cubic B-spline over control_grid_shape coefficients drawn
    in a disk of radius displacement * (shorter side - 1)."""

    def __init__(
        self,
        displacement_range: tuple[float, float] = (0.02, 0.05),
        control_grid_shape: tuple[int, int] = (7, 7),
        interpolation: int = 1,
        mask_interpolation: int = 0,
        border_mode: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ThinPlateSpline(DualTransform):
    """A thin-plate spline through a num_control_points x num_control_points grid whose points move
    by N(0, scale / 10) of the image side."""

    def __init__(
        self,
        scale_range: tuple[float, float] = (0.2, 0.4),
        num_control_points: int = 4,
        interpolation: int = 1,
        mask_interpolation: int = 0,
        keypoint_remapping_method: str = "mask",
        p: float = 0.5,
        border_mode: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        map_resolution_range: tuple[float, float] = (1.0, 1.0),
    ) -> None:
        super().__init__(**arguments_of(locals()))


class WaterRefraction(DualTransform):
    """Sine waves of random direction and phase displacing pixels across their travel: amplitude and
    wavelength as shares of the shorter side."""

    def __init__(
        self,
        amplitude_range: tuple[float, float] = (0.01, 0.05),
        wavelength_range: tuple[float, float] = (0.05, 0.2),
        num_waves_range: tuple[int, int] = (3, 7),
        interpolation: int = 1,
        mask_interpolation: int = 0,
        keypoint_remapping_method: str = "mask",
        border_mode: int = 4,
        fill: Any = 0,
        fill_mask: Any = 0,
        map_resolution_range: tuple[float, float] = (1.0, 1.0),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class PixelSpread(DualTransform):
    """Each pixel takes a neighbour up to radius pixels away in each axis, drawn uniformly."""

    def __init__(
        self,
        radius: int = 2,
        interpolation: int = 0,
        mask_interpolation: int = 0,
        keypoint_remapping_method: str = "mask",
        border_mode: int = 4,
        fill: Any = 0,
        fill_mask: Any = 0,
        map_resolution_range: tuple[float, float] = (1.0, 1.0),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))
