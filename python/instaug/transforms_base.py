"""The base of every transform: probability, and the description handed to the C++ core."""

from __future__ import annotations

from typing import Any

from instaug._checks import (
    check_border_mode,
    check_fill,
    check_interpolation,
    check_probability,
)

CoreSpec = tuple[str, float, dict[str, float], dict[str, list[float]], dict[str, str]]


class BaseTransform:
    """A transform validates its arguments once and describes itself to the core as a spec."""

    def __init__(self, p: float) -> None:
        self.p = check_probability(self._owner, p)
        self._numbers: dict[str, float] = {}
        self._vectors: dict[str, list[float]] = {}
        self._strings: dict[str, str] = {}

    @property
    def _owner(self) -> str:
        return type(self).__name__

    def _set_pixels(
        self,
        *,
        interpolation: Any = 1,
        mask_interpolation: Any = 0,
        border_mode: Any = 0,
        fill: Any = 0,
        fill_mask: Any = 0,
    ) -> None:
        owner = self._owner
        self.interpolation = check_interpolation(owner, "interpolation", interpolation)
        self.mask_interpolation = check_interpolation(owner, "mask_interpolation", mask_interpolation)
        self.border_mode = check_border_mode(owner, border_mode)
        self.fill = fill
        self.fill_mask = fill_mask
        self._numbers.update(
            interpolation=self.interpolation,
            mask_interpolation=self.mask_interpolation,
            border_mode=self.border_mode,
        )
        self._vectors.update(
            fill=check_fill(owner, "fill", fill), fill_mask=check_fill(owner, "fill_mask", fill_mask)
        )

    @property
    def changes_image_format(self) -> bool:
        """True when the transform may change the image's dtype or channel count (the images a
        mixing transform brings in later would then no longer match it)."""
        return False

    def core_spec(self) -> CoreSpec:
        return (type(self).__name__, self.p, dict(self._numbers), dict(self._vectors), dict(self._strings))

    @property
    def smooth_mask_resampling(self) -> bool:
        """True when masks are resampled with something other than nearest neighbour."""
        return int(self._numbers.get("mask_interpolation", 0)) != 0

    def __repr__(self) -> str:
        public = {k: v for k, v in vars(self).items() if not k.startswith("_")}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in public.items())})"
