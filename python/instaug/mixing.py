"""Mixing transforms: Mosaic and CopyAndPaste. Their extra images come with each call under their
`metadata_key` (see `_metadata.py` for the accepted item shapes)."""

from __future__ import annotations

from typing import Any

from instaug._checks import (
    MAX_CANVAS_PIXELS,
    MAX_CANVAS_SIDE,
    check_choice,
    check_int,
    check_number,
    check_range,
)
from instaug.transforms_base import BaseTransform

MAX_MOSAIC_CELLS = 4096


def _check_pair(owner: str, name: str, value: Any, maximum: int) -> tuple[int, int]:
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= maximum for v in value)
    ):
        raise ValueError(f"{owner}: {name} must be a pair of integers in [1, {maximum}], got {value!r}")
    return (int(value[0]), int(value[1]))


def _check_key(owner: str, key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise ValueError(f"{owner}: metadata_key must be a non-empty string, got {key!r}")
    return key


class MixingTransform(BaseTransform):
    """A transform that reads other samples from the call's `metadata_key`."""

    metadata_key: str


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
        super().__init__(p)
        owner = self._owner
        # A grid of more cells than a canvas has pixels places nothing more.
        self.grid_yx = _check_pair(owner, "grid_yx", grid_yx, MAX_CANVAS_SIDE)
        self.target_size = _check_pair(owner, "target_size", target_size, MAX_CANVAS_SIDE)
        self.cell_shape = _check_pair(owner, "cell_shape", cell_shape, MAX_CANVAS_SIDE)
        if self.target_size[0] * self.target_size[1] > MAX_CANVAS_PIXELS:
            raise ValueError(
                f"{owner}: target_size {self.target_size} has more than {MAX_CANVAS_PIXELS} pixels"
            )
        # Each cell the window shows costs a placement and a warp: tiny cells in a huge window
        # would take memory without bound.
        shown = [min(n, -(-t // c) + 1) for n, t, c in zip(self.grid_yx, self.target_size, self.cell_shape)]
        if shown[0] * shown[1] > MAX_MOSAIC_CELLS:
            raise ValueError(
                f"{owner}: target_size {self.target_size} shows up to {shown[0] * shown[1]} cells of "
                f"cell_shape={self.cell_shape}; at most {MAX_MOSAIC_CELLS} are allowed"
            )
        rows, cols = self.grid_yx
        if self.target_size[0] > rows * self.cell_shape[0] or self.target_size[1] > cols * self.cell_shape[1]:
            raise ValueError(
                f"{owner}: target_size {self.target_size} must fit in the grid of grid_yx={self.grid_yx} "
                f"cells of cell_shape={self.cell_shape}"
            )
        self.center_range = check_range(owner, "center_range", center_range, low=0.0, high=1.0)
        self.fit_mode = check_choice(owner, "fit_mode", fit_mode, ("cover", "contain"))
        self.metadata_key = _check_key(owner, metadata_key)
        self._numbers.update(
            grid_rows=rows,
            grid_cols=cols,
            target_h=self.target_size[0],
            target_w=self.target_size[1],
            cell_h=self.cell_shape[0],
            cell_w=self.cell_shape[1],
        )
        self._vectors["center_range"] = list(self.center_range)
        self._strings.update(fit_mode=self.fit_mode, metadata_key=self.metadata_key)
        self._set_pixels(
            interpolation=interpolation, mask_interpolation=mask_interpolation, fill=fill, fill_mask=fill_mask
        )


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
        super().__init__(p)
        owner = self._owner
        self.min_visibility_after_paste = check_number(
            owner, "min_visibility_after_paste", min_visibility_after_paste, minimum=0.0
        )
        if self.min_visibility_after_paste > 1:
            raise ValueError(
                f"{owner}: min_visibility_after_paste must be in [0, 1], got {min_visibility_after_paste!r}"
            )
        self.blend_mode = check_choice(owner, "blend_mode", blend_mode, ("hard", "gaussian"))
        self.blend_sigma_range = check_range(owner, "blend_sigma_range", blend_sigma_range, low=0.0)
        self.scale_range = check_range(owner, "scale_range", scale_range, low=1e-6)
        self.min_paste_area = check_int(owner, "min_paste_area", min_paste_area, minimum=0)
        self.metadata_key = _check_key(owner, metadata_key)
        self._numbers.update(
            min_visibility_after_paste=self.min_visibility_after_paste, min_paste_area=self.min_paste_area
        )
        self._vectors.update(
            blend_sigma_range=list(self.blend_sigma_range), scale_range=list(self.scale_range)
        )
        self._strings.update(blend_mode=self.blend_mode, metadata_key=self.metadata_key)
