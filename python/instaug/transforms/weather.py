"""Weather and light transforms (the image only): names, arguments and defaults follow
albumentationsx 2.5.1."""

from __future__ import annotations

from instaug.transforms.base import ImageOnlyTransform, arguments_of


class RandomShadow(ImageOnlyTransform):
    """num_shadows_range polygons of shadow_dimension vertices inside shadow_roi (x_min, y_min,
    x_max, y_max as shares of the image); the image under each is darkened by its intensity."""

    def __init__(
        self,
        shadow_roi: tuple[float, float, float, float] = (0, 0.5, 1, 1),
        num_shadows_range: tuple[int, int] = (1, 2),
        shadow_dimension: int = 5,
        shadow_intensity_range: tuple[float, float] = (0.5, 0.5),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))
