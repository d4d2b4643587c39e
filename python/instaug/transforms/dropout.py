"""Dropout transforms: they cut holes in the canvas. The image takes `fill` in them (a number, one
per channel, or "random", "random_uniform", "grayscale", "inpaint_telea", "inpaint_ns"), masks take
`fill_mask` when it is not None, and a row whose box the holes cover dies by the reference's rules
(min_area and min_visibility of BboxParams); surviving boxes shrink to their uncovered part. Names,
arguments and defaults follow albumentationsx 2.5.1."""

from __future__ import annotations

from instaug.transforms.base import DualTransform, arguments_of

Fill = float | tuple[float, ...] | str
MaskFill = float | tuple[float, ...] | None


class CoarseDropout(DualTransform):
    """num_holes_range rectangles at random places; their sides are drawn in pixels when a range's
    upper end is >= 1, else as fractions of the image side."""

    def __init__(
        self,
        num_holes_range: tuple[int, int] = (1, 2),
        hole_height_range: tuple[float, float] = (0.1, 0.2),
        hole_width_range: tuple[float, float] = (0.1, 0.2),
        fill: Fill = 0,
        fill_mask: MaskFill = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Erasing(DualTransform):
    """One rectangle of a drawn share `scale` of the image area and aspect ratio `ratio` (random
    erasing); nothing when the ranges cannot fit the image."""

    def __init__(
        self,
        scale: tuple[float, float] = (0.02, 0.33),
        ratio: tuple[float, float] = (0.3, 3.3),
        fill: Fill = 0,
        fill_mask: MaskFill = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class GridDropout(DualTransform):
    """One hole per grid cell, `ratio` of the cell's side: the grid from holes_number_xy (read as
    rows, columns, as the reference does), else from unit_size_range or a tenth of each side."""

    def __init__(
        self,
        ratio: float = 0.5,
        random_offset: bool = True,
        unit_size_range: tuple[int, int] | None = None,
        holes_number_xy: tuple[int, int] | None = None,
        shift_xy: tuple[int, int] = (0, 0),
        fill: Fill = 0,
        fill_mask: MaskFill = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class XYMasking(DualTransform):
    """Vertical stripes across the width (num_masks_x_range of mask_x_length_range) and horizontal
    ones (num_masks_y_range of mask_y_length_range); lengths in pixels for integer ranges, shares
    of the side for float ranges."""

    def __init__(
        self,
        num_masks_x_range: tuple[int, int] = (0, 0),
        num_masks_y_range: tuple[int, int] = (0, 0),
        mask_x_length_range: tuple[float, float] = (0, 0),
        mask_y_length_range: tuple[float, float] = (0, 0),
        fill: Fill = 0,
        fill_mask: MaskFill = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class GridMask(DualTransform):
    """Grid lines as holes: num_grid cells across the shorter side, lines a line_width share of a
    cell, the grid rotated by rotation_range radians."""

    def __init__(
        self,
        num_grid_range: tuple[int, int] = (3, 7),
        line_width_range: tuple[float, float] = (0.2, 0.5),
        rotation_range: tuple[float, float] = (0, 0),
        fill: Fill = 0,
        fill_mask: MaskFill = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class TimeMasking(DualTransform):
    """One vertical stripe of 0 to time_mask_param pixels (SpecAugment's time mask); fills 0."""

    def __init__(self, time_mask_param: int = 40, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class FrequencyMasking(DualTransform):
    """One horizontal stripe of 0 to freq_mask_param pixels (SpecAugment's frequency mask); fills 0."""

    def __init__(self, freq_mask_param: int = 30, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class PixelDropout(DualTransform):
    """Each pixel (each channel of each pixel with per_channel) dropped with probability
    dropout_prob and set to drop_value (None: one random value per channel); masks take
    mask_drop_value where their pixels drop, when it is not None. A box lives while its pixels
    that were not dropped meet min_area and min_visibility (not judged with per_channel); boxes do
    not shrink and keypoints stay."""

    def __init__(
        self,
        dropout_prob: float = 0.01,
        per_channel: bool = False,
        drop_value: MaskFill = 0,
        mask_drop_value: MaskFill = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ConstrainedCoarseDropout(DualTransform):
    """num_holes_range holes per chosen object, their sides fractions of the object: the connected
    regions of the plain mask (mask=) whose values are in mask_indices, else the boxes of the rows
    whose first label (the first of BboxParams.label_fields) is in bbox_labels; no holes without
    either."""

    def __init__(
        self,
        num_holes_range: tuple[int, int] = (1, 1),
        hole_height_range: tuple[float, float] = (0.1, 0.1),
        hole_width_range: tuple[float, float] = (0.1, 0.1),
        fill: Fill = 0,
        fill_mask: MaskFill = None,
        p: float = 0.5,
        mask_indices: list[int] | None = None,
        bbox_labels: list[str | int | float] | None = None,
    ) -> None:
        super().__init__(**arguments_of(locals()))

    def reads_row_labels(self) -> bool:
        return self.bbox_labels is not None


class GuidedCoarseDropout(DualTransform):
    """num_holes_range holes centred on pixels of the region the call gives under region_key ((H, W),
    0 or 1), away from the boxes of rows whose first label is in protected_bbox_labels (grown by
    protection_margin of their sides); only the region's pixels in a hole drop. Boxes and free
    keypoints are judged by the dropped pixels (the reference's mask_dropout rules)."""

    def __init__(
        self,
        region_key: str = "dropout_region",
        protected_bbox_labels: list[str | int | float] | None = None,
        protection_margin: float = 0.0,
        num_holes_range: tuple[int, int] = (1, 1),
        hole_height_range: tuple[float, float] = (0.05, 0.2),
        hole_width_range: tuple[float, float] = (0.05, 0.2),
        fill: Fill = 0,
        fill_mask: MaskFill = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))

    def call_keys(self) -> dict[str, str]:
        return {self.region_key: "region"}

    def reads_row_labels(self) -> bool:
        return self.protected_bbox_labels is not None


class MaskDropout(DualTransform):
    """Up to max_objects_range whole objects removed: filled with `fill` in the image and fill_mask
    in the masks. The objects are the connected regions of equal value of the plain mask (mask=),
    or, with instance masks bound, the instances: the chosen rows die whole, and the rest lose
    the pixels the removed objects covered (boxes and free keypoints by the reference's rules)."""

    def __init__(
        self,
        max_objects_range: tuple[int, int] = (1, 1),
        fill: float | str = 0,
        fill_mask: float = 0,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))
