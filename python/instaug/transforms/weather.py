"""Weather and light transforms (the image only): names, arguments and defaults follow
albumentationsx 2.5.1."""

from __future__ import annotations

from typing import Literal

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


class RandomFog(ImageOnlyTransform):
    """White circles (fog particles, denser towards the centre) blended in with alpha_coef * the
    drawn fog coefficient, then a Gaussian blur sized by the shorter side. RGB images."""

    def __init__(
        self,
        alpha_coef: float = 0.08,
        fog_coef_range: tuple[float, float] = (0.3, 1),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RandomRain(ImageOnlyTransform):
    """Rain streaks (a number set by rain_type, drop_length long, slanted by a drawn slant) drawn,
    blurred with a blur_value box, added to the image, which is then dimmed by
    brightness_coefficient. RGB images."""

    def __init__(
        self,
        slant_range: tuple[float, float] = (-10, 10),
        drop_length: int | None = None,
        drop_width: int = 1,
        drop_color: tuple[int, int, int] = (200, 200, 200),
        blur_value: int = 7,
        brightness_coefficient: float = 0.7,
        rain_type: Literal["drizzle", "heavy", "torrential", "default"] = "default",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RandomSnow(ImageOnlyTransform):
    """Snow: "bleach" brightens the light tones (HLS lightness under a threshold set by the drawn
    snow point, times brightness_coeff); "texture" adds a noise layer, a blue tint and sparkles.
    RGB images."""

    def __init__(
        self,
        brightness_coeff: float = 2.5,
        snow_point_range: tuple[float, float] = (0.1, 0.3),
        method: Literal["bleach", "texture"] = "bleach",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RandomSunFlare(ImageOnlyTransform):
    """A sun (src_radius, src_color) at a point drawn in flare_roi and num_flare_circles_range
    flare circles along a line at a drawn angle (angle_range in turns); "overlay" blends them in,
    "physics_based" adds spikes, blur, fading and chromatic aberration and screen-blends. RGB images."""

    def __init__(
        self,
        flare_roi: tuple[float, float, float, float] = (0, 0, 1, 0.5),
        src_radius: int = 400,
        src_color: tuple[int, ...] = (255, 255, 255),
        angle_range: tuple[float, float] = (0, 1),
        num_flare_circles_range: tuple[int, int] = (6, 10),
        method: Literal["overlay", "physics_based"] = "overlay",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RandomGravel(ImageOnlyTransform):
    """number_of_patches patches in gravel_roi (x_min, y_min, x_max, y_max as shares of the image),
    each sprinkled with small squares of drawn HLS lightness. RGB images."""

    def __init__(
        self,
        gravel_roi: tuple[float, float, float, float] = (0.1, 0.4, 0.9, 0.9),
        number_of_patches: int = 2,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class AtmosphericFog(ImageOnlyTransform):
    """Haze growing with a synthetic depth (depth_mode "linear": far at the top, "diagonal", or
    "radial": far at the corners): image * t + fog_color * (1 - t), t = exp(-density * depth),
    density drawn from density_range. Any number of channels."""

    def __init__(
        self,
        density_range: tuple[float, float] = (1.0, 3.0),
        fog_color: tuple[int, ...] = (200, 200, 200),
        depth_mode: Literal["linear", "diagonal", "radial"] = "linear",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class LensFlare(ImageOnlyTransform):
    """A lens flare from a source drawn in flare_roi: num_rays_range * 2 rays (a starburst of the
    drawn intensity, bloomed by a blur of bloom_range times the diagonal) and num_ghosts_range
    blurred ghost discs towards and past the centre, added to the image. RGB images."""

    def __init__(
        self,
        flare_roi: tuple[float, float, float, float] = (0, 0, 1, 0.5),
        num_ghosts_range: tuple[int, int] = (3, 7),
        intensity_range: tuple[float, float] = (0.3, 0.7),
        num_rays_range: tuple[int, int] = (4, 8),
        bloom_range: tuple[float, float] = (0.01, 0.05),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Spatter(ImageOnlyTransform):
    """Rain drops or mud on the lens: a blurred noise layer (mean_range, std_range,
    gauss_sigma_range) cut below cutout_threshold_range shapes drops added to the image ("rain")
    or mud blended in ("mud"), with intensity_range and color (None: the mode's own). RGB images."""

    def __init__(
        self,
        mean_range: tuple[float, float] = (0.65, 0.65),
        std_range: tuple[float, float] = (0.3, 0.3),
        gauss_sigma_range: tuple[float, float] = (2, 2),
        cutout_threshold_range: tuple[float, float] = (0.68, 0.68),
        intensity_range: tuple[float, float] = (0.6, 0.6),
        mode: Literal["rain", "mud"] = "rain",
        color: tuple[int, ...] | None = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))
