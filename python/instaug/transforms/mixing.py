"""Mixing transforms: Mosaic and CopyAndPaste. Their extra images come with each call under their
`metadata_key` (see `_metadata.py` for the accepted item shapes)."""

from __future__ import annotations

from typing import Any

from instaug.transforms.base import BaseTransform, arguments_of


class MixingTransform(BaseTransform):
    """A transform that reads other samples from the call's `metadata_key`."""

    metadata_key: str
    brings_rows = True  # its items carry rows (boxes, masks, keypoints) into the sample


class Mosaic(MixingTransform):
    """Tile the sample with neighbours from `metadata_key` on a conceptual grid of cells and crop a
    `target_size` window around a random centre. The primary takes the largest visible cell;
    neighbours are drawn without replacement and the primary repeats when there are too few.
    Instance masks are always resampled with nearest neighbour."""

    def __init__(
        self,
        grid_yx: tuple[int, int] = (2, 2),
        target_size: tuple[int, int] = (512, 512),
        cell_shape: tuple[int, int] = (512, 512),
        center_range: tuple[float, float] = (0.3, 0.7),
        fit_mode: str = "cover",
        interpolation: int = 1,
        mask_interpolation: int = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
        metadata_key: str = "mosaic_metadata",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class CopyAndPaste(MixingTransform):
    """Paste donor objects from `metadata_key` onto the sample. Each donor is cropped tight to its
    mask (or box), shrunk to fit (never enlarged), scaled by a jitter from scale_range, placed fully
    inside at a random position and stamped in order. Every row below a donor loses the covered
    pixels (earlier donors included), gets its box recomputed from what remains, and dies below
    min_visibility_after_paste. Pasted rows come after the survivors."""

    def __init__(
        self,
        min_visibility_after_paste: float = 0.05,
        blend_mode: str = "hard",
        blend_sigma_range: tuple[float, float] = (1.0, 3.0),
        scale_range: tuple[float, float] = (1.0, 1.0),
        min_paste_area: int = 1,
        metadata_key: str = "copy_paste_metadata",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class OverlayElements(MixingTransform):
    """Paste the elements the call gives under `metadata_key` (a dict or a list of dicts: "image",
    optional "bbox" normalised to [0, 1], "mask", "mask_id") onto the image where their mask is
    on: into their box (resized), or without one at a random place. The plain mask takes mask_id
    there; instance rows are left alone, as the reference."""

    brings_rows = False

    def __init__(self, metadata_key: str = "overlay_metadata", p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))
