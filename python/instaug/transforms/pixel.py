"""Pixel transforms: colour, contrast, blur, noise and normalisation. They change the image only.
Names, arguments and defaults follow albumentationsx 2.5.1 (checked against the C++ schemas by the
tests); every sampling range ends in `_range` and is a (min, max) tuple."""

from __future__ import annotations

import math
from collections.abc import Sequence

from instaug.transforms.base import BaseTransform, ImageOnlyTransform, arguments_of

PixelTransform = ImageOnlyTransform


class HueSaturationValue(ImageOnlyTransform):
    """Shift hue (OpenCV's uint8 HSV: hue modulo 180), saturation and value (both saturating)."""

    def __init__(
        self,
        hue_shift_range: tuple[float, float] = (-20, 20),
        sat_shift_range: tuple[float, float] = (-30, 30),
        val_shift_range: tuple[float, float] = (-20, 20),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RandomBrightnessContrast(ImageOnlyTransform):
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
        super().__init__(**arguments_of(locals()))


class RGBShift(ImageOnlyTransform):
    """Add a random value per channel. Shifts with magnitude above 1 are in pixel units of a uint8
    image (divided by 255 for float images), as the reference."""

    def __init__(
        self,
        r_shift_range: tuple[float, float] = (-20, 20),
        g_shift_range: tuple[float, float] = (-20, 20),
        b_shift_range: tuple[float, float] = (-20, 20),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RandomGamma(ImageOnlyTransform):
    """x ** (gamma / 100) on [0, 1]; gamma_range is in percent."""

    def __init__(self, gamma_range: tuple[float, float] = (80, 120), p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class InvertImg(ImageOnlyTransform):
    """The negative: 255 - v on uint8 images, 1 - v on float32 ones."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class Solarize(ImageOnlyTransform):
    """Invert the values at or above a threshold drawn from threshold_range (a fraction of the
    maximum value), each channel on its own."""

    def __init__(self, threshold_range: tuple[float, float] = (0.5, 0.5), p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class Posterize(ImageOnlyTransform):
    """Keep the highest num_bits bits of each value: a (min, max) range of bit counts, or a list of
    ranges, one per channel. float32 images go through uint8."""

    def __init__(
        self,
        num_bits: tuple[int, int] | list[tuple[int, int]] = (4, 4),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ToGray(ImageOnlyTransform):
    """Grey with num_output_channels copies."""

    def __init__(
        self, num_output_channels: int = 3, method: str = "weighted_average", p: float = 0.5
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ChannelShuffle(ImageOnlyTransform):
    """Permute the channels randomly, or by a fixed channel_order."""

    def __init__(self, channel_order: Sequence[int] | None = None, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class ChannelSwap(ChannelShuffle):
    """Reorder the channels by a fixed channel_order (RGB <-> BGR by default)."""

    def __init__(self, channel_order: Sequence[int] = (2, 1, 0), p: float = 0.5) -> None:
        super().__init__(channel_order=channel_order, p=p)


class ChannelDropout(ImageOnlyTransform):
    """Set a number of channels drawn from channel_drop_range (chosen at random) to fill."""

    def __init__(self, channel_drop_range: tuple[int, int] = (1, 1), fill: float = 0, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class Colorize(ImageOnlyTransform):
    """A grey image's intensity as a position on a ramp from a black colour to a white one (through
    a mid colour at mid_value when mid_range is given); each colour drawn per channel from its
    (low, high) range. Three channels out; an image of several channels passes as it is."""

    def __init__(
        self,
        black_range: tuple[tuple[int, int, int], tuple[int, int, int]] = ((0, 0, 0), (0, 0, 0)),
        white_range: tuple[tuple[int, int, int], tuple[int, int, int]] = (
            (255, 255, 255),
            (255, 255, 255),
        ),
        mid_range: tuple[tuple[int, int, int], tuple[int, int, int]] | None = None,
        mid_value_range: tuple[int, int] = (127, 127),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class CLAHE(ImageOnlyTransform):
    """Contrast-limited adaptive histogram equalisation (on L of Lab for RGB images)."""

    def __init__(
        self,
        clip_range: tuple[float, float] = (1.0, 4.0),
        tile_grid_size: tuple[int, int] = (8, 8),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ColorJitter(ImageOnlyTransform):
    """Brightness, contrast, saturation (factors) and hue (fraction of a turn) in random order."""

    def __init__(
        self,
        brightness_range: tuple[float, float] = (0.8, 1.2),
        contrast_range: tuple[float, float] = (0.8, 1.2),
        saturation_range: tuple[float, float] = (0.8, 1.2),
        hue_range: tuple[float, float] = (-0.5, 0.5),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class PhotoMetricDistort(ImageOnlyTransform):
    """mmdetection's photometric distortion: brightness, contrast, saturation and hue factors, each
    drawn with probability distort_p (contrast right after brightness or last, at random), then a
    random channel order with probability distort_p. 1- or 3-channel images."""

    def __init__(
        self,
        brightness_range: tuple[float, float] = (0.875, 1.125),
        contrast_range: tuple[float, float] = (0.5, 1.5),
        saturation_range: tuple[float, float] = (0.5, 1.5),
        hue_range: tuple[float, float] = (-0.05, 0.05),
        distort_p: float = 0.5,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Normalize(ImageOnlyTransform):
    """(x - mean * max_pixel_value) / (std * max_pixel_value), or a per-image normalisation. The
    image becomes float32."""

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
        super().__init__(**arguments_of(locals()))


class Blur(ImageOnlyTransform):
    """Box blur with an odd kernel size from blur_range (an even bound becomes the next odd size)."""

    def __init__(self, blur_range: tuple[int, int] = (3, 7), p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class MedianBlur(Blur):
    """Median blur with an odd kernel size from blur_range (an even bound becomes the next odd size)."""


class GaussianBlur(ImageOnlyTransform):
    """Gaussian blur; a kernel size of 0 derives it from sigma (radius 3.5 sigma)."""

    def __init__(
        self,
        blur_range: tuple[int, int] = (0, 0),
        sigma_range: tuple[float, float] = (0.5, 3.0),
        p: float = 0.5,
        *,
        volume_mode: str = "slice",
        sigma_z_range: tuple[float, float] | None = None,
        blur_z_range: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class MotionBlur(ImageOnlyTransform):
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
        super().__init__(**arguments_of(locals()))


class Sharpen(ImageOnlyTransform):
    """Sharpen: method "kernel" blends the identity with a Laplacian-like 3x3 kernel by alpha (its
    centre 8 + lightness); "gaussian" is an unsharp mask of a kernel_size x kernel_size Gaussian."""

    def __init__(
        self,
        alpha_range: tuple[float, float] = (0.2, 0.5),
        lightness_range: tuple[float, float] = (0.5, 1.0),
        method: str = "kernel",
        kernel_size: int = 5,
        sigma: float = 1.0,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Emboss(ImageOnlyTransform):
    """Emboss: the identity blended by alpha with a 3x3 relief kernel of the drawn strength."""

    def __init__(
        self,
        alpha_range: tuple[float, float] = (0.2, 0.5),
        strength_range: tuple[float, float] = (0.2, 0.7),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class UnsharpMask(ImageOnlyTransform):
    """image + alpha (image - Gaussian blur), kept where |image - blur| exceeds threshold (grey levels)."""

    def __init__(
        self,
        blur_range: tuple[int, int] = (3, 7),
        sigma_range: tuple[float, float] = (0.0, 0.0),
        alpha_range: tuple[float, float] = (0.2, 0.5),
        threshold: int = 10,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Defocus(ImageOnlyTransform):
    """Out-of-focus blur: a disc of the drawn radius, its edge softened by a Gaussian of sigma alias_blur."""

    def __init__(
        self,
        radius_range: tuple[int, int] = (3, 10),
        alias_blur_range: tuple[float, float] = (0.1, 0.5),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ZoomBlur(ImageOnlyTransform):
    """The mean of the image and its centre zoomed by 1, 1 + step, ... up to the drawn max factor."""

    def __init__(
        self,
        max_factor_range: tuple[float, float] = (1, 1.31),
        step_factor_range: tuple[float, float] = (0.01, 0.03),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class GlassBlur(ImageOnlyTransform):
    """Frosted glass: Gaussian blur, pixels moved by offsets in [-max_delta, max_delta), blur again."""

    def __init__(
        self,
        sigma: float = 0.7,
        max_delta: int = 4,
        iterations: int = 2,
        mode: str = "fast",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class AdvancedBlur(ImageOnlyTransform):
    """A generalised Gaussian kernel (anisotropic, rotated, shape beta) times per-weight noise, normalised."""

    def __init__(
        self,
        blur_range: tuple[int, int] = (3, 7),
        sigma_x_range: tuple[float, float] = (0.2, 1.0),
        sigma_y_range: tuple[float, float] = (0.2, 1.0),
        rotate_range: tuple[float, float] = (-90, 90),
        beta_range: tuple[float, float] = (0.5, 8.0),
        noise_range: tuple[float, float] = (0.9, 1.1),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RingingOvershoot(ImageOnlyTransform):
    """A circular sinc low-pass (odd size from blur_range, cutoff in radians): ringing near edges."""

    def __init__(
        self,
        blur_range: tuple[int, int] = (7, 15),
        cutoff_range: tuple[float, float] = (math.pi / 4, math.pi / 2),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ImageCompression(ImageOnlyTransform):
    """A JPEG or WebP round trip through OpenCV's codecs at a quality drawn from quality_range."""

    def __init__(
        self,
        compression_type: str = "jpeg",
        quality_range: tuple[int, int] = (99, 100),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Downscale(ImageOnlyTransform):
    """Down by a factor drawn from scale_range, then back up to the size it had, with the OpenCV
    interpolation flags of interpolation_pair {"downscale": ..., "upscale": ...}."""

    def __init__(
        self,
        scale_range: tuple[float, float] = (0.25, 0.25),
        # The reference's default; never mutated (the attribute is the core's normal-form copy).
        interpolation_pair: dict[str, int] = {"upscale": 0, "downscale": 0},  # noqa: B006
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class GaussNoise(ImageOnlyTransform):
    """Add Gaussian noise: std and mean as fractions of the image's range (255 for uint8); one noise
    value per pixel shared by its channels unless per_channel."""

    def __init__(
        self,
        std_range: tuple[float, float] = (0.2, 0.44),
        mean_range: tuple[float, float] = (0.0, 0.0),
        per_channel: bool = False,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ISONoise(ImageOnlyTransform):
    """Sensor noise on RGB images: hue jitter N(0, color_shift * intensity), Poisson lightness counts."""

    def __init__(
        self,
        color_shift_range: tuple[float, float] = (0.01, 0.05),
        intensity_range: tuple[float, float] = (0.1, 0.5),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class MultiplicativeNoise(ImageOnlyTransform):
    """Multiply by gains from `multiplier`: one, one per channel, or one per pixel (and channel)."""

    def __init__(
        self,
        multiplier: tuple[float, float] = (0.9, 1.1),
        per_channel: bool = False,
        elementwise: bool = False,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class SaltAndPepper(ImageOnlyTransform):
    """Set a drawn fraction of the pixels (all channels) to the maximum (salt) or 0 (pepper)."""

    def __init__(
        self,
        amount_range: tuple[float, float] = (0.01, 0.06),
        salt_vs_pepper_range: tuple[float, float] = (0.4, 0.6),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ShotNoise(ImageOnlyTransform):
    """Poisson photon noise in linear light (gamma 2.2), `scale` intensity units per photon."""

    def __init__(
        self,
        scale_range: tuple[float, float] = (0.1, 0.3),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class AutoContrast(ImageOnlyTransform):
    """Stretch each channel's histogram (less `cutoff` percent at each end) to the full range."""

    def __init__(
        self,
        cutoff: float = 0,
        ignore: int | None = None,
        method: str = "cdf",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Equalize(ImageOnlyTransform):
    """Histogram equalisation (OpenCV's or Pillow's), per channel or of the luma; mask must be None."""

    def __init__(
        self,
        mode: str = "cv",
        by_channels: bool = True,
        mask: None = None,
        mask_params: Sequence[str] = (),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ToSepia(ImageOnlyTransform):
    """The sepia colour matrix on RGB images; grey images are left as they are."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class FancyPCA(ImageOnlyTransform):
    """Move pixels along the channels' principal components by N(0, alpha) times each eigenvalue."""

    def __init__(
        self,
        alpha: float = 0.1,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ToFloat(ImageOnlyTransform):
    """uint8 to float32: v / max_value (default 255); a float32 image is left as it is."""

    def __init__(self, max_value: float | None = None, p: float = 1.0) -> None:
        super().__init__(**arguments_of(locals()))


class FromFloat(ImageOnlyTransform):
    """float32 to uint8: rint(v * max_value) (default 255), saturated; a uint8 image is left as it is."""

    def __init__(self, dtype: str = "uint8", max_value: float | None = None, p: float = 1.0) -> None:
        super().__init__(**arguments_of(locals()))


class ToTensorV2(BaseTransform):
    """The image as a torch tensor (C, H, W); masks as tensors ((H, W, C) masks become (C, H, W)
    with transpose_mask). Needs PyTorch. It runs after every other transform of the Compose."""

    def __init__(self, transpose_mask: bool = False, p: float = 1.0) -> None:
        super().__init__(**arguments_of(locals()))


class ModeFilter(ImageOnlyTransform):
    """Each value becomes the most frequent value of its k x k window (per channel, smallest on
    ties, reflected border); float32 images are filtered in uint8 steps."""

    def __init__(self, kernel_range: tuple[int, int] = (3, 7), p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class Enhance(ImageOnlyTransform):
    """Pillow's EDGE_ENHANCE ("edge") or DETAIL ("detail") 3x3 kernel blended with the identity by
    alpha ((1 - alpha) I + alpha E, alpha from alpha_range)."""

    def __init__(
        self, mode: str = "edge", alpha_range: tuple[float, float] = (0.5, 1.0), p: float = 0.5
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Superpixels(ImageOnlyTransform):
    """SLIC segments (about n segments, on the image shrunk to max_size), a drawn share of them
    painted with their mean colour; the result is resized back with `interpolation`."""

    def __init__(
        self,
        p_replace_range: tuple[float, float] = (0, 0.1),
        n_segments_range: tuple[int, int] = (100, 100),
        max_size: int | None = 128,
        interpolation: int = 1,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Dithering(ImageOnlyTransform):
    """n_colors levels per channel (or of the grey image, copied to every channel) by ordered Bayer
    thresholds, random noise, or error diffusion (Floyd-Steinberg, Jarvis, ...)."""

    def __init__(
        self,
        method: str = "error_diffusion",
        n_colors: int = 2,
        color_mode: str = "grayscale",
        error_diffusion_algorithm: str = "floyd_steinberg",
        bayer_matrix_size: int = 4,
        serpentine: bool = False,
        noise_range: tuple[float, float] = (-0.5, 0.5),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Halftone(ImageOnlyTransform):
    """A dot per dot_size cell, its radius growing with the cell's luminance, in the cell's mean
    colour; blended with the image by blend (0: dots only)."""

    def __init__(
        self,
        dot_size_range: tuple[int, int] = (4, 10),
        blend_range: tuple[float, float] = (0.0, 0.5),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class FilmGrain(ImageOnlyTransform):
    """Film grain: N(0, 1) grain drawn at 1 / grain_size of the image size, stretched bilinearly,
    added as grain x (1 - luminance) x intensity (darker pixels show more grain)."""

    def __init__(
        self,
        intensity_range: tuple[float, float] = (0.1, 0.3),
        grain_size_range: tuple[int, int] = (1, 3),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class StochasticConvolution(ImageOnlyTransform):
    """Convolve with an identity kernel plus N(0, 1) x strength / K (K odd, drawn from kernel_range);
    one kernel for all channels, or one per channel."""

    def __init__(
        self,
        *,
        kernel_range: tuple[int, int] = (3, 7),
        strength_range: tuple[float, float] = (0.0, 1.0),
        per_channel: bool = False,
        border_mode: int = 4,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class GibbsRinging(ImageOnlyTransform):
    """Keep the frequencies |k| <= floor(f * N / 2) on both axes (f from retained_fraction_range):
    MRI truncation ringing."""

    def __init__(
        self,
        *,
        retained_fraction_range: tuple[float, float] = (0.5, 0.9),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RicianNoise(ImageOnlyTransform):
    """MRI magnitude noise: sqrt((v + n1)^2 + n2^2) with n1, n2 ~ N(0, std), per pixel (shared by
    the channels) or per value."""

    def __init__(
        self,
        std_range: tuple[float, float] = (0.05, 0.15),
        per_channel: bool = False,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class KSpaceSpikeNoise(ImageOnlyTransform):
    """Spikes in the spectrum: each adds intensity x the spectrum's peak at a random frequency and
    its mirror, a cosine stripe pattern in the image."""

    def __init__(
        self,
        *,
        num_spikes_range: tuple[int, int] = (1, 5),
        intensity_range: tuple[float, float] = (0.1, 0.5),
        per_channel: bool = False,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class BiasField(ImageOnlyTransform):
    """A smooth gain: exp of a N(0, std) grid of scale x the image size, stretched bilinearly."""

    def __init__(
        self,
        *,
        std_range: tuple[float, float] = (0.0, 0.5),
        scale_range: tuple[float, float] = (0.025, 0.025),
        per_channel: bool = False,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class AdditiveNoise(ImageOnlyTransform):
    """Add uniform, Gaussian, Laplace or beta noise (in units of the value range): one value per
    channel ("constant"), one per value ("per_pixel"), one per pixel shared by the channels
    ("shared"), or inside random rectangles ("patch", later patches replacing earlier ones)."""

    def __init__(
        self,
        noise_type: str = "uniform",
        spatial_mode: str = "constant",
        noise_params: dict | None = None,
        p: float = 0.5,
        *,
        patch_count_range: tuple[int, int] = (1, 1),
        patch_height_range: tuple[float, float] = (0.1, 1.0),
        patch_width_range: tuple[float, float] = (0.1, 1.0),
        per_channel: bool = False,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class HEStain(ImageOnlyTransform):
    """Histology stain augmentation: RGB to optical density, concentrations of hematoxylin and eosin
    (and a third component in the residual modes) from a stain basis (a preset, one drawn of the
    eight presets, estimated per image by Macenko's or Vahadane's method, or `stain_matrix`), each
    scaled and shifted, then back to RGB. Background pixels are left out unless augment_background."""

    def __init__(
        self,
        method: str = "random_preset",
        preset: str | None = None,
        intensity_scale_range: tuple[float, float] = (0.7, 1.3),
        intensity_shift_range: tuple[float, float] = (-0.2, 0.2),
        augment_background: bool = False,
        p: float = 0.5,
        *,
        residual_mode: str = "project",
        stain_matrix: Sequence[Sequence[float]] | None = None,
    ) -> None:
        # The core takes the rows flattened: 6 values for (2, 3), 9 for (3, 3).
        if stain_matrix is not None:
            stain_matrix = [float(v) for row in stain_matrix for v in row]
        super().__init__(**arguments_of(locals()))


class PlanckianJitter(ImageOnlyTransform):
    """Red and blue gains of a colour temperature drawn on the black-body or CIE D locus (RGB only)."""

    def __init__(
        self,
        mode: str = "blackbody",
        temperature_range: tuple[int, int] | None = None,
        sampling_method: str = "uniform",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class RandomToneCurve(ImageOnlyTransform):
    """A cubic Bezier tone curve whose inner ordinates are drawn around 0.25 and 0.75 (deviation scale)."""

    def __init__(self, scale: float = 0.1, per_channel: bool = False, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class Illumination(ImageOnlyTransform):
    """A linear gradient, a corner falloff or Gaussian spots of light over the image."""

    def __init__(
        self,
        mode: str = "linear",
        intensity_range: tuple[float, float] = (0.01, 0.2),
        effect_type: str = "both",
        angle_range: tuple[float, float] = (0, 360),
        center_range: tuple[float, float] = (0.1, 0.9),
        sigma_range: tuple[float, float] = (0.2, 1.0),
        p: float = 0.5,
        *,
        num_spots_range: tuple[int, int] = (1, 1),
        gaussian_spots: Sequence[tuple[float, float, float, float]] | None = None,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class Vignetting(ImageOnlyTransform):
    """Darken towards the corners: 1 - intensity x the squared distance from a drawn centre."""

    def __init__(
        self,
        intensity_range: tuple[float, float] = (0.2, 0.5),
        center_range: tuple[float, float] = (0.3, 0.7),
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ChromaticAberration(ImageOnlyTransform):
    """The red and blue channels through radial lens distortions (k1, k2) of matched or opposite signs."""

    def __init__(
        self,
        primary_distortion_range: tuple[float, float] = (-0.02, 0.02),
        secondary_distortion_range: tuple[float, float] = (-0.05, 0.05),
        mode: str = "green_purple",
        interpolation: int = 1,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class PlasmaBrightnessContrast(ImageOnlyTransform):
    """Brightness and contrast varying over the image along a plasma fractal."""

    def __init__(
        self,
        brightness_range: tuple[float, float] = (-0.3, 0.3),
        contrast_range: tuple[float, float] = (-0.3, 0.3),
        plasma_size: int = 256,
        roughness: float = 3.0,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class PlasmaShadow(ImageOnlyTransform):
    """Shade varying over the image along a plasma fractal: v (1 - intensity x plasma)."""

    def __init__(
        self,
        shadow_intensity_range: tuple[float, float] = (0.3, 0.7),
        plasma_size: int = 256,
        roughness: float = 3.0,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ExposureMatching(ImageOnlyTransform):
    """One gain bringing the image's mean (all channels, as a share of the dtype's maximum) to a
    target drawn from target_mean_range, limited to gain_range when given."""

    def __init__(
        self,
        target_mean_range: tuple[float, float] = (0.3, 0.5),
        gain_range: tuple[float, float] | None = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class AnnotationArtifacts(ImageOnlyTransform):
    """Text, rectangles, arrows, guide lines and zoom callouts drawn on the image (the markup of
    scientific figures): a count from count_range, each of a type drawn by element_probabilities,
    placed near corners and edges with corner_prob, black or white (black_white_prob) or red, or
    drawn from color_palette / uniformly (random_color_prob). Lines, arrows and callouts take a
    line style drawn by line_style_probabilities."""

    def __init__(
        self,
        element_types: tuple[str, ...] = ("text", "rectangle", "arrow", "line", "callout"),
        element_probabilities: tuple[float, ...] = (0.35, 0.2, 0.2, 0.15, 0.1),
        count_range: tuple[int, int] = (1, 3),
        text_length_range: tuple[int, int] = (1, 5),
        font_scale_range: tuple[float, float] = (0.3, 1.2),
        thickness_range: tuple[int, int] = (1, 3),
        size_ratio_range: tuple[float, float] = (0.1, 0.35),
        line_length_ratio_range: tuple[float, float] = (0.1, 0.8),
        tip_length_range: tuple[float, float] = (0.2, 0.4),
        corner_prob: float = 0.6,
        black_white_prob: float = 0.85,
        p: float = 0.5,
        *,
        line_geometry: str = "axis_aligned",
        line_styles: tuple[str, ...] = ("solid", "dashed", "dotted"),
        line_style_probabilities: tuple[float, ...] = (0.55, 0.35, 0.1),
        random_color_prob: float = 0.0,
        color_palette: tuple[tuple[int, ...], ...] | None = None,
        color_palette_probabilities: tuple[float, ...] | None = None,
        line_length_range: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class ToRGB(ImageOnlyTransform):
    """A grey image's channel repeated num_output_channels times (an RGB image passes as it is)."""

    def __init__(self, num_output_channels: int = 3, p: float = 1.0) -> None:
        super().__init__(**arguments_of(locals()))


class _DomainAdaptation(ImageOnlyTransform):
    """Reads a list of reference images from the call under `metadata_key`; one is drawn per call,
    resized (bilinear) to each image and brought to its dtype; its channels must be the image's."""

    metadata_key: str

    def call_keys(self) -> dict[str, str]:
        return {self.metadata_key: "images"}


class HistogramMatching(_DomainAdaptation):
    """Each channel's histogram matched to the reference image's (skimage's match_histograms, on
    uint8 values), blended with the image by a ratio drawn from blend_ratio."""

    def __init__(
        self,
        blend_ratio: tuple[float, float] = (0.5, 1.0),
        metadata_key: str = "hm_metadata",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class FDA(_DomainAdaptation):
    """Fourier domain adaptation: the amplitude of the lowest frequencies (a centred window of
    floor(min(H, W) x beta) either side) taken from the reference image, the phase kept."""

    def __init__(
        self,
        beta_range: tuple[float, float] = (0, 0.1),
        metadata_key: str = "fda_metadata",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))


class PixelDistributionAdaptation(_DomainAdaptation):
    """The image's pixel statistics (PCA, standard or min-max scaling of the channels) replaced by
    the reference image's, blended with the image by a ratio drawn from blend_ratio. As the
    reference, the adapted pixels (on a [0, 1] scale) are clipped as uint8 values."""

    def __init__(
        self,
        blend_ratio: tuple[float, float] = (0.25, 1.0),
        transform_type: str = "pca",
        metadata_key: str = "pda_metadata",
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))
