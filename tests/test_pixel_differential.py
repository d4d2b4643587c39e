"""Pixel transforms against albumentationsx 2.5.1 with zero-width ranges: the same image within one
grey level (uint8) or 1/255 (float32)."""

from __future__ import annotations

import numpy as np
import pytest

import instaug

from helpers import import_reference

ref = import_reference("albumentations", needed_by="test_pixel_differential.py")


def colourful(height: int = 72, width: int = 96, seed: int = 0) -> np.ndarray:
    """Smooth colour gradients, a few hard edges and some grey pixels."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width] / max(height, width)
    image = np.stack([np.sin(6 * xx + 1), np.cos(5 * yy), np.sin(4 * (xx + yy))], -1) * 110 + 128
    image[height // 3 : height // 2, width // 4 : width // 2] = rng.integers(0, 255, 3)
    image[-10:, -10:] = 90  # grey block: zero saturation
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


CASES = {
    "hsv_hue": lambda L: L.HueSaturationValue((12, 12), (0, 0), (0, 0), p=1),
    "hsv_sat": lambda L: L.HueSaturationValue((0, 0), (-25, -25), (0, 0), p=1),
    "hsv_val": lambda L: L.HueSaturationValue((0, 0), (0, 0), (17, 17), p=1),
    "hsv_all": lambda L: L.HueSaturationValue((-33, -33), (21, 21), (-14, -14), p=1),
    "rbc_default": lambda L: L.RandomBrightnessContrast((0.15, 0.15), (0.25, 0.25), p=1),
    "rbc_darker": lambda L: L.RandomBrightnessContrast((-0.3, -0.3), (-0.2, -0.2), p=1),
    "rbc_brightness_only": lambda L: L.RandomBrightnessContrast((0.2, 0.2), (0, 0), p=1),
    "rbc_contrast_only": lambda L: L.RandomBrightnessContrast((0, 0), (0.3, 0.3), p=1),
    "rbc_by_max": lambda L: L.RandomBrightnessContrast((0.1, 0.1), (-0.2, -0.2), brightness_by_max=True, p=1),
    "rbc_safe": lambda L: L.RandomBrightnessContrast((0.3, 0.3), (0.4, 0.4), ensure_safe_output=True, p=1),
    "rgb_shift": lambda L: L.RGBShift((10, 10), (-20, -20), (33, 33), p=1),
    "gamma_low": lambda L: L.RandomGamma((70, 70), p=1),
    "gamma_high": lambda L: L.RandomGamma((130, 130), p=1),
    "gray_weighted": lambda L: L.ToGray(p=1),
    "gray_one_channel": lambda L: L.ToGray(num_output_channels=1, p=1),
    "gray_lab": lambda L: L.ToGray(method="from_lab", p=1),
    "gray_desaturation": lambda L: L.ToGray(method="desaturation", p=1),
    "gray_average": lambda L: L.ToGray(method="average", p=1),
    "gray_max": lambda L: L.ToGray(method="max", p=1),
    "channel_order": lambda L: L.ChannelShuffle(channel_order=(2, 0, 1), p=1),
    "channel_swap": lambda L: L.ChannelSwap(p=1),
    "clahe": lambda L: L.CLAHE(clip_range=(2, 2), p=1),
    "clahe_grid": lambda L: L.CLAHE(clip_range=(3, 3), tile_grid_size=(4, 6), p=1),
    "jitter_brightness": lambda L: L.ColorJitter((1.3, 1.3), (1, 1), (1, 1), (0, 0), p=1),
    "jitter_contrast": lambda L: L.ColorJitter((1, 1), (0.6, 0.6), (1, 1), (0, 0), p=1),
    "jitter_saturation": lambda L: L.ColorJitter((1, 1), (1, 1), (0.4, 0.4), (0, 0), p=1),
    "jitter_hue": lambda L: L.ColorJitter((1, 1), (1, 1), (1, 1), (0.1, 0.1), p=1),
    "blur": lambda L: L.Blur(blur_range=(5, 5), p=1),
    "gaussian_blur": lambda L: L.GaussianBlur(blur_range=(5, 5), sigma_range=(1.5, 1.5), p=1),
    "median_blur": lambda L: L.MedianBlur(blur_range=(5, 5), p=1),
    "median_blur_large": lambda L: L.MedianBlur(blur_range=(7, 7), p=1),
    "invert": lambda L: L.InvertImg(p=1),
    "solarize": lambda L: L.Solarize(threshold_range=(0.3, 0.3), p=1),
    "solarize_high": lambda L: L.Solarize(threshold_range=(0.8, 0.8), p=1),
    "posterize": lambda L: L.Posterize(num_bits=(3, 3), p=1),
    "posterize_per_channel": lambda L: L.Posterize(num_bits=[(2, 2), (5, 5), (7, 7)], p=1),
    "sharpen": lambda L: L.Sharpen(alpha_range=(0.4, 0.4), lightness_range=(0.7, 0.7), p=1),
    "sharpen_gaussian": lambda L: L.Sharpen(alpha_range=(0.3, 0.3), method="gaussian", kernel_size=5, p=1),
    "emboss": lambda L: L.Emboss(alpha_range=(0.4, 0.4), strength_range=(0.5, 0.5), p=1),
    "jpeg": lambda L: L.ImageCompression(quality_range=(40, 40), p=1),
    "webp": lambda L: L.ImageCompression(compression_type="webp", quality_range=(80, 80), p=1),
    "downscale": lambda L: L.Downscale(scale_range=(0.5, 0.5), p=1),
    "downscale_area_linear": lambda L: L.Downscale(
        scale_range=(0.3, 0.3), interpolation_pair={"downscale": 3, "upscale": 1}, p=1
    ),
    "motion_blur": lambda L: L.MotionBlur(
        blur_range=(7, 7), allow_shifted=False, angle_range=(30, 30), direction_range=(0.5, 0.5), p=1
    ),
    "motion_blur_back": lambda L: L.MotionBlur(
        blur_range=(9, 9), allow_shifted=False, angle_range=(110, 110), direction_range=(-0.7, -0.7), p=1
    ),
    "iso_noise_off": lambda L: L.ISONoise(color_shift_range=(0.05, 0.05), intensity_range=(0, 0), p=1),
    "multiplicative": lambda L: L.MultiplicativeNoise((1.23, 1.23), p=1),
    "multiplicative_per_channel": lambda L: L.MultiplicativeNoise((0.77, 0.77), per_channel=True, p=1),
    "multiplicative_elementwise": lambda L: L.MultiplicativeNoise((1.31, 1.31), elementwise=True, p=1),
    "multiplicative_both": lambda L: L.MultiplicativeNoise(
        (0.61, 0.61), per_channel=True, elementwise=True, p=1
    ),
    "auto_contrast": lambda L: L.AutoContrast(p=1),
    "auto_contrast_cutoff": lambda L: L.AutoContrast(cutoff=7.5, p=1),
    "auto_contrast_pil": lambda L: L.AutoContrast(method="pil", p=1),
    "auto_contrast_pil_cutoff": lambda L: L.AutoContrast(cutoff=20, method="pil", p=1),
    "auto_contrast_ignore_1": lambda L: L.AutoContrast(ignore=1, p=1),
    "auto_contrast_ignore_200": lambda L: L.AutoContrast(ignore=200, cutoff=3, p=1),
    "equalize": lambda L: L.Equalize(p=1),
    "equalize_pil": lambda L: L.Equalize(mode="pil", p=1),
    "equalize_luma": lambda L: L.Equalize(by_channels=False, p=1),
    "equalize_luma_pil": lambda L: L.Equalize(mode="pil", by_channels=False, p=1),
    "sepia": lambda L: L.ToSepia(p=1),
    "fancy_pca_off": lambda L: L.FancyPCA(alpha=0, p=1),
    "unsharp": lambda L: L.UnsharpMask(
        blur_range=(5, 5), sigma_range=(1.2, 1.2), alpha_range=(0.4, 0.4), p=1
    ),
    "unsharp_no_threshold": lambda L: L.UnsharpMask(
        blur_range=(7, 7), alpha_range=(0.8, 0.8), threshold=0, p=1
    ),
    "unsharp_threshold": lambda L: L.UnsharpMask(
        blur_range=(3, 3), alpha_range=(0.5, 0.5), threshold=30, p=1
    ),
    "defocus": lambda L: L.Defocus(radius_range=(3, 3), alias_blur_range=(0.3, 0.3), p=1),
    "defocus_wide": lambda L: L.Defocus(radius_range=(11, 11), alias_blur_range=(0.2, 0.2), p=1),
    "defocus_radius_8_no_alias": lambda L: L.Defocus(radius_range=(8, 8), alias_blur_range=(0, 0), p=1),
    "zoom": lambda L: L.ZoomBlur(max_factor_range=(1.2, 1.2), step_factor_range=(0.03, 0.03), p=1),
    "zoom_fine": lambda L: L.ZoomBlur(max_factor_range=(1.05, 1.05), step_factor_range=(0.01, 0.01), p=1),
    "advanced_blur": lambda L: L.AdvancedBlur(
        blur_range=(5, 5),
        sigma_x_range=(0.8, 0.8),
        sigma_y_range=(0.4, 0.4),
        rotate_range=(30, 30),
        beta_range=(1, 1),
        noise_range=(1, 1),
        p=1,
    ),
    "ringing": lambda L: L.RingingOvershoot(blur_range=(9, 9), cutoff_range=(1.0, 1.0), p=1),
    "ringing_wide": lambda L: L.RingingOvershoot(blur_range=(15, 15), cutoff_range=(0.5, 0.5), p=1),
}
FLOAT_CASES = sorted(set(CASES) - {"gray_lab"})  # float Lab's L runs 0..100 in OpenCV: not an image


def run(lib, name, image):
    return lib.Compose([CASES[name](lib)], seed=1)(image=image)["image"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_uint8_same_as_reference(name) -> None:
    image = colourful()
    ours, theirs = run(instaug, name, image), run(ref, name, image)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    diff = np.abs(ours.astype(int) - theirs.astype(int))
    assert diff.max() <= 1, f"{name}: up to {diff.max()} grey levels apart ({(diff > 1).sum()} values)"


@pytest.mark.parametrize("name", FLOAT_CASES)
def test_float32_same_as_reference(name) -> None:
    image = colourful().astype(np.float32) / 255
    ours, theirs = run(instaug, name, image), run(ref, name, image)
    assert ours.dtype == theirs.dtype == np.float32 and ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=1.01 / 255)


@pytest.mark.parametrize(
    "name",
    [
        "hsv_val",
        "rbc_default",
        "gamma_low",
        "blur",
        "clahe",
        "median_blur",
        "invert",
        "solarize",
        "emboss",
        "jpeg",
        "downscale",
        "multiplicative",
        "auto_contrast",
        "auto_contrast_pil",
        "auto_contrast_ignore_200",
        "equalize",
        "equalize_pil",
        "sepia",
        "unsharp_threshold",
        "defocus",
        "zoom",
        "advanced_blur",
        "ringing",
    ],
)
def test_grayscale_same_as_reference(name) -> None:
    image = colourful()[..., 1]
    ours, theirs = run(instaug, name, image), run(ref, name, image)
    assert ours.shape == np.squeeze(theirs).shape == image.shape
    assert np.abs(ours.astype(int) - np.squeeze(theirs).astype(int)).max() <= 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"mean": (0.5, 0.4, 0.3), "std": (0.2, 0.3, 0.25), "max_pixel_value": 200.0},
        {"normalization": "image"},
        {"normalization": "image_per_channel"},
        {"normalization": "min_max"},
        {"normalization": "min_max_per_channel"},
    ],
)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_normalize_same_as_reference(kwargs, dtype) -> None:
    image = colourful()
    image = image if dtype == np.uint8 else (image / 255).astype(np.float32)
    ours = instaug.Compose([instaug.Normalize(**kwargs)])(image=image)["image"]
    theirs = ref.Compose([ref.Normalize(**kwargs)])(image=image)["image"]
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


def chain(lib):
    return [
        lib.RGBShift((12, 12), (-7, -7), (25, 25), p=1),
        lib.RandomGamma((85, 85), p=1),
        lib.RandomBrightnessContrast((0.1, 0.1), (0.3, 0.3), p=1),
        lib.RandomBrightnessContrast((-0.05, -0.05), (-0.2, -0.2), brightness_by_max=True, p=1),
    ]


def test_fused_colour_chain_same_as_reference() -> None:
    """Consecutive table steps run as one pass (the contrast mean after earlier steps comes from
    histograms) and still match the reference step by step."""
    image = colourful()
    ours = instaug.Compose(chain(instaug), seed=0)(image=image)["image"]
    theirs = ref.Compose(chain(ref), seed=0)(image=image)["image"]
    assert np.abs(ours.astype(int) - theirs.astype(int)).max() <= 1
    stepwise = image
    for step in chain(instaug):
        stepwise = instaug.Compose([step])(image=stepwise)["image"]
    assert np.abs(ours.astype(int) - stepwise.astype(int)).max() <= 1


def shifted_hsv(lib, image: np.ndarray, hue: int, sat: int, val: int) -> np.ndarray:
    t = lib.HueSaturationValue((hue, hue), (sat, sat), (val, val), p=1)
    return lib.Compose([t], seed=0)(image=image)["image"]


def test_hue_saturation_value_equals_the_reference_byte_for_byte() -> None:
    """Widths that leave OpenCV's scalar tail (past the last whole block of 32 pixels) and shifts
    of every size: the HSV kernel repeats the reference's vector body and its scalar tail exactly."""
    rng = np.random.default_rng(0)
    for _ in range(150):
        width, height = int(rng.integers(33, 200)), int(rng.integers(5, 30))
        image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        shifts = int(rng.integers(-180, 180)), int(rng.integers(-255, 255)), int(rng.integers(-255, 255))
        np.testing.assert_array_equal(
            shifted_hsv(instaug, image, *shifts),
            shifted_hsv(ref, image, *shifts),
            err_msg=f"{width=} {shifts=}",
        )


def test_color_jitter_hue_equals_the_reference_byte_for_byte() -> None:
    """ColorJitter's hue step (the reference's cvtColor, hue table, cvtColor) runs in the one-pass
    HSV kernel: the same bytes, scalar tails included, for hue factors of both signs."""
    rng = np.random.default_rng(1)
    for _ in range(60):
        width, height = int(rng.integers(33, 200)), int(rng.integers(5, 30))
        image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        factor = float(rng.uniform(-0.5, 0.5))

        def jittered(lib, image=image, factor=factor) -> np.ndarray:
            t = lib.ColorJitter((1, 1), (1, 1), (1, 1), (factor, factor), p=1)
            return lib.Compose([t], seed=0)(image=image)["image"]

        np.testing.assert_array_equal(jittered(instaug), jittered(ref), err_msg=f"{width=} {factor=}")


def test_auto_contrast_and_equalize_on_a_large_image_same_as_reference() -> None:
    """Past 1M pixels the reference switches to one multichannel table pass: still the same bytes."""
    image = colourful(720, 1400, seed=5)
    for name in ("auto_contrast", "auto_contrast_cutoff", "equalize", "equalize_pil"):
        np.testing.assert_array_equal(run(instaug, name, image), run(ref, name, image), err_msg=name)


# -- random noise: the distribution of the change, over many calls --------------------------------
def change_stats(lib, make, image: np.ndarray, calls: int = 100) -> tuple[float, float]:
    """Mean and standard deviation of (output - input) over `calls` calls, in grey levels."""
    pipeline = lib.Compose([make(lib)], seed=7)
    changes = [pipeline(image=image)["image"].astype(float) - image for _ in range(calls)]
    return float(np.mean(changes)), float(np.std(changes))


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.ISONoise(color_shift_range=(0.05, 0.05), intensity_range=(0.5, 0.5), p=1),
        lambda L: L.ISONoise(color_shift_range=(0.01, 0.01), intensity_range=(2, 2), p=1),
        lambda L: L.ShotNoise(scale_range=(0.1, 0.1), p=1),
        lambda L: L.ShotNoise(scale_range=(0.5, 0.5), p=1),
        lambda L: L.MultiplicativeNoise((0.6, 1.4), elementwise=True, p=1),
        lambda L: L.MultiplicativeNoise((0.8, 1.2), per_channel=True, elementwise=True, p=1),
        lambda L: L.SaltAndPepper(amount_range=(0.1, 0.1), salt_vs_pepper_range=(0.3, 0.3), p=1),
        lambda L: L.FancyPCA(alpha=0.5, p=1),
        lambda L: L.GlassBlur(sigma=0.5, max_delta=3, iterations=2, p=1),
        lambda L: L.AdvancedBlur(
            blur_range=(5, 5),
            sigma_x_range=(1, 1),
            sigma_y_range=(0.5, 0.5),
            rotate_range=(20, 20),
            beta_range=(1, 1),
            noise_range=(0.5, 1.5),
            p=1,
        ),
    ],
    ids=[
        "iso",
        "iso_intense",
        "shot_low",
        "shot_high",
        "gain_per_pixel",
        "gain_per_value",
        "salt_pepper",
        "pca",
        "glass",
        "advanced_blur_kernel_noise",
    ],
)
def test_noise_distribution_same_as_reference(make) -> None:
    """Our generators (GlassBlur's pixel offsets, AdvancedBlur's kernel noise among them) are not the
    reference's: the noise agrees in distribution, not pixel by pixel.
    Mean and spread of the change agree within 5% of the spread (or 0.05 grey levels when tiny)."""
    image = colourful()
    ours, theirs = change_stats(instaug, make, image), change_stats(ref, make, image)
    tolerance = max(0.05 * theirs[1], 0.05)
    assert theirs[1] > 0.02, "the case must change the image"
    assert abs(ours[0] - theirs[0]) <= tolerance, f"mean change {ours[0]:.3f} vs {theirs[0]:.3f}"
    assert abs(ours[1] - theirs[1]) <= tolerance, f"spread of the change {ours[1]:.3f} vs {theirs[1]:.3f}"


# -- ModeFilter, Enhance, Superpixels, Dithering, Halftone: byte for byte --------------------------
STYLE_CASES = {
    "mode_3": lambda L: L.ModeFilter(kernel_range=(3, 3), p=1),
    "mode_7": lambda L: L.ModeFilter(kernel_range=(7, 7), p=1),
    "mode_17": lambda L: L.ModeFilter(kernel_range=(17, 17), p=1),  # past 256 values: histogram scan
    "enhance_edge": lambda L: L.Enhance(alpha_range=(0.7, 0.7), p=1),
    "enhance_edge_more": lambda L: L.Enhance(alpha_range=(2, 2), p=1),
    "enhance_detail": lambda L: L.Enhance(mode="detail", alpha_range=(1, 1), p=1),
    "superpixels": lambda L: L.Superpixels(p_replace_range=(1, 1), n_segments_range=(50, 50), p=1),
    "superpixels_many": lambda L: L.Superpixels(p_replace_range=(1, 1), n_segments_range=(300, 300), p=1),
    "superpixels_resized": lambda L: L.Superpixels(
        p_replace_range=(1, 1), n_segments_range=(40, 40), max_size=48, p=1
    ),
    "superpixels_nearest": lambda L: L.Superpixels(
        p_replace_range=(1, 1), n_segments_range=(80, 80), max_size=64, interpolation=0, p=1
    ),
    "superpixels_area": lambda L: L.Superpixels(
        p_replace_range=(1, 1), n_segments_range=(30, 30), max_size=50, interpolation=3, p=1
    ),
    "dither_fs": lambda L: L.Dithering(p=1),
    "dither_fs_levels": lambda L: L.Dithering(n_colors=4, color_mode="per_channel", p=1),
    "dither_jarvis": lambda L: L.Dithering(n_colors=3, error_diffusion_algorithm="jarvis", p=1),
    "dither_stucki_serpentine": lambda L: L.Dithering(
        error_diffusion_algorithm="stucki", serpentine=True, color_mode="per_channel", p=1
    ),
    "dither_atkinson": lambda L: L.Dithering(error_diffusion_algorithm="atkinson", p=1),
    "dither_burkes": lambda L: L.Dithering(n_colors=5, error_diffusion_algorithm="burkes", p=1),
    "dither_sierra": lambda L: L.Dithering(error_diffusion_algorithm="sierra", serpentine=True, p=1),
    "dither_sierra_2row": lambda L: L.Dithering(
        n_colors=8, error_diffusion_algorithm="sierra_2row", color_mode="per_channel", p=1
    ),
    "dither_sierra_lite": lambda L: L.Dithering(error_diffusion_algorithm="sierra_lite", p=1),
    "dither_ordered": lambda L: L.Dithering(method="ordered", p=1),
    "dither_ordered_2": lambda L: L.Dithering(
        method="ordered", bayer_matrix_size=2, n_colors=3, color_mode="per_channel", p=1
    ),
    "dither_ordered_8": lambda L: L.Dithering(method="ordered", bayer_matrix_size=8, n_colors=16, p=1),
    "dither_ordered_16": lambda L: L.Dithering(
        method="ordered", bayer_matrix_size=16, color_mode="per_channel", p=1
    ),
    "dither_ordered_256": lambda L: L.Dithering(
        method="ordered", n_colors=256, color_mode="per_channel", p=1
    ),
    "halftone": lambda L: L.Halftone(dot_size_range=(6, 6), blend_range=(0, 0), p=1),
    "halftone_blend": lambda L: L.Halftone(dot_size_range=(9, 9), blend_range=(0.3, 0.3), p=1),
    "halftone_small": lambda L: L.Halftone(dot_size_range=(2, 2), blend_range=(0, 0), p=1),
}


def style_image(kind: str) -> np.ndarray:
    image = colourful()
    if kind == "palette":  # few values: ModeFilter ties (the smallest wins), flat segments
        image = (image // 64 * 64).astype(np.uint8)
    if kind == "grey":
        image = image[..., 1]
    if kind == "four_channels":  # Dithering's channel-mean grey
        image = np.dstack([image, image[..., :1] // 2])
    if kind == "two_channels":
        image = np.ascontiguousarray(image[..., 1:])
    return (image / 255).astype(np.float32) if kind == "float32" else image


@pytest.mark.parametrize("kind", ["uint8", "float32", "grey", "palette", "four_channels", "two_channels"])
@pytest.mark.parametrize("name", sorted(STYLE_CASES))
def test_stylising_filters_equal_the_reference(name, kind) -> None:
    """Each path of the reference (uint8 tables, float32 arithmetic, its own SLIC, the binary
    Floyd-Steinberg shortcut, NumKong's blend) is reproduced step by step: the same values."""
    image = style_image(kind)
    ours = instaug.Compose([STYLE_CASES[name](instaug)], seed=1)(image=image)["image"]
    theirs = ref.Compose([STYLE_CASES[name](ref)], seed=1)(image=image)["image"]
    assert ours.dtype == theirs.dtype and ours.shape == image.shape
    if kind == "float32":  # uint8 steps come back as v * (1 / 255), the reference's as v / 255: 1 ulp
        np.testing.assert_allclose(ours, theirs.reshape(ours.shape), rtol=0, atol=1e-6)
    else:
        np.testing.assert_array_equal(ours, theirs.reshape(ours.shape))


@pytest.mark.parametrize("shape", [(1, 1, 3), (1, 7, 3), (9, 1), (2, 3, 1), (5, 300, 3)])
@pytest.mark.parametrize("name", ["mode_7", "enhance_edge", "superpixels", "dither_jarvis", "halftone_blend"])
def test_stylising_filters_equal_the_reference_on_tiny_images(name, shape) -> None:
    image = np.random.default_rng(3).integers(0, 256, shape, dtype=np.uint8)
    ours = instaug.Compose([STYLE_CASES[name](instaug)], seed=1)(image=image)["image"]
    theirs = ref.Compose([STYLE_CASES[name](ref)], seed=1)(image=image)["image"]
    np.testing.assert_array_equal(ours, theirs.reshape(ours.shape))


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.ModeFilter(p=1),
        lambda L: L.Enhance(alpha_range=(0.2, 1.8), p=1),
        lambda L: L.Superpixels(p_replace_range=(0.2, 0.6), n_segments_range=(20, 200), p=1),
        lambda L: L.Dithering(method="random", n_colors=4, color_mode="per_channel", p=1),
        lambda L: L.Dithering(method="random", noise_range=(-0.2, 0.4), p=1),
        lambda L: L.Halftone(p=1),
    ],
    ids=["mode", "enhance", "superpixels", "dither_random", "dither_random_grey", "halftone"],
)
def test_stylising_filters_distribution_same_as_reference(make) -> None:
    """Drawn kernel sizes, alphas, segment counts, replaced segments, noise and dot sizes come from our
    generator: the change agrees in mean and spread (within 10% of the spread) over 150 calls."""
    image = colourful()
    ours, theirs = change_stats(instaug, make, image, 150), change_stats(ref, make, image, 150)
    tolerance = max(0.1 * theirs[1], 0.1)
    assert theirs[1] > 0.5, "the case must change the image"
    assert abs(ours[0] - theirs[0]) <= tolerance, f"mean change {ours[0]:.3f} vs {theirs[0]:.3f}"
    assert abs(ours[1] - theirs[1]) <= tolerance, f"spread of the change {ours[1]:.3f} vs {theirs[1]:.3f}"


@pytest.mark.parametrize(("shape", "k"), [((5, 5, 3), 101), ((60, 50), 25), ((30, 30, 3), 33)])
def test_mode_filter_large_windows_equal_the_reference(shape, k) -> None:
    """Windows where values occur 255 times or more: the reference's uint8 run counters stop at 255,
    so such values tie (the smallest wins); we compare counts capped the same way."""
    image = np.random.default_rng(4).integers(0, 4, shape, dtype=np.uint8)
    ours = instaug.Compose([instaug.ModeFilter(kernel_range=(k, k), p=1)])(image=image)["image"]
    theirs = ref.Compose([ref.ModeFilter(kernel_range=(k, k), p=1)])(image=image)["image"]
    np.testing.assert_array_equal(ours, theirs.reshape(ours.shape))


# -- colour temperature, tone curves, lighting, lens colour fringes, plasma --------------------------
# Built operation for operation as the reference (float32 where it works in float32, float64 where
# its OpenCV 5.0 cv2.multiply by a scalar does): the same bytes, but for float32 Gaussian spots
# (OpenCV's exp of two builds, one float32 step).
EXACT_CASES = {
    "planckian_white": lambda L: L.PlanckianJitter(temperature_range=(6000, 6000), p=1),
    "planckian_cied_white": lambda L: L.PlanckianJitter(mode="cied", temperature_range=(6000, 6000), p=1),
    "tone_curve": lambda L: L.RandomToneCurve(scale=0, p=1),
    "tone_curve_per_channel": lambda L: L.RandomToneCurve(scale=0, per_channel=True, p=1),
    "vignetting": lambda L: L.Vignetting(intensity_range=(0.4, 0.4), center_range=(0.35, 0.35), p=1),
    "vignetting_corner": lambda L: L.Vignetting(intensity_range=(1, 1), center_range=(0, 0), p=1),
    "illumination_linear": lambda L: L.Illumination(
        intensity_range=(0.15, 0.15), effect_type="brighten", angle_range=(30, 30), p=1
    ),
    "illumination_linear_270": lambda L: L.Illumination(
        intensity_range=(0.1, 0.1), effect_type="darken", angle_range=(270, 270), p=1
    ),
    "illumination_linear_135": lambda L: L.Illumination(
        intensity_range=(0.2, 0.2), effect_type="darken", angle_range=(135, 135), p=1
    ),
    "illumination_gaussian": lambda L: L.Illumination(
        mode="gaussian",
        intensity_range=(0.15, 0.15),
        effect_type="brighten",
        center_range=(0.3, 0.3),
        sigma_range=(0.4, 0.4),
        p=1,
    ),
    "illumination_gaussian_dark": lambda L: L.Illumination(
        mode="gaussian",
        intensity_range=(0.2, 0.2),
        effect_type="darken",
        center_range=(0.6, 0.6),
        sigma_range=(0.7, 0.7),
        p=1,
    ),
    "chromatic_green_purple": lambda L: L.ChromaticAberration((0.05, 0.05), (0.1, 0.1), p=1),
    "chromatic_red_blue": lambda L: L.ChromaticAberration((-0.3, -0.3), (0.2, 0.2), mode="red_blue", p=1),
    "chromatic_nearest": lambda L: L.ChromaticAberration((0.3, 0.3), (0.2, 0.2), interpolation=0, p=1),
    "plasma_brightness_contrast_off": lambda L: L.PlasmaBrightnessContrast((0, 0), (0, 0), p=1),
    "plasma_shadow_off": lambda L: L.PlasmaShadow((0, 0), p=1),
}
RGB_ONLY = {"planckian_white", "planckian_cied_white"} | {n for n in EXACT_CASES if n.startswith("chromatic")}


def _exact_inputs(name: str) -> list[np.ndarray]:
    image = colourful()
    images = [image, (image / 255).astype(np.float32)]
    if name not in RGB_ONLY:
        images += [image[..., :1].copy(), image[..., 0].copy()]
    return images


@pytest.mark.parametrize("name", sorted(EXACT_CASES))
def test_colour_and_lighting_same_bytes_as_reference(name) -> None:
    for image in _exact_inputs(name):
        make = EXACT_CASES[name]
        ours, theirs = (lib.Compose([make(lib)], seed=1)(image=image)["image"] for lib in (instaug, ref))
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (image.shape, image.dtype)
        if image.dtype == np.float32 and name.startswith("illumination_gaussian"):
            # OpenCV's exp of two builds (the installed OpenCV 4 and the wheel's 5): one float32 step.
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=2e-7, err_msg=f"{name} {image.shape}")
        else:
            np.testing.assert_array_equal(ours, theirs, err_msg=f"{name} {image.shape}")


def test_chromatic_aberration_cubic_within_opencv_builds() -> None:
    """Bicubic goes through the installed cv::remap, whose OpenCV 4 rounds positions to 1/32 pixel."""
    image = colourful()
    make = lambda L: L.ChromaticAberration((0.3, 0.3), (-0.2, -0.2), interpolation=2, p=1)  # noqa: E731
    ours, theirs = (lib.Compose([make(lib)], seed=1)(image=image)["image"] for lib in (instaug, ref))
    diff = np.abs(ours.astype(int) - theirs)
    assert diff.max() <= 3 and (diff > 1).mean() < 0.01


def _applied(transform, image, seed=3, calls=12):
    t = instaug.Compose([transform], save_applied_params=True, seed=seed)
    for _ in range(calls):
        out = t(image=image)
        yield out["image"], out["applied_transforms"][0][1]


@pytest.mark.parametrize("mode", ["blackbody", "cied"])
@pytest.mark.parametrize("sampling_method", ["uniform", "gaussian"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_planckian_jitter_same_as_reference_functional_at_the_drawn_temperature(mode, sampling_method, dtype):
    from albumentations.augmentations.pixel import functional as F

    image = colourful() if dtype == np.uint8 else (colourful() / 255).astype(np.float32)
    transform = instaug.PlanckianJitter(mode=mode, sampling_method=sampling_method, p=1)
    for out, applied in _applied(transform, image):
        low, high = applied["temperature_range"]
        temperature = low if high == 6000 else high
        np.testing.assert_array_equal(out, F.planckian_jitter(image, temperature, mode=mode))


def test_illumination_corner_is_one_of_the_reference_corners() -> None:
    from albumentations.augmentations.pixel import functional as F

    for image in _exact_inputs("illumination_corner"):
        t = instaug.Compose([instaug.Illumination(mode="corner", intensity_range=(0.15, 0.15), p=1)], seed=0)
        seen = set()
        for _ in range(16):
            out = t(image=image)["image"]
            candidates = [
                F.apply_corner_illumination(image, sign * 0.15, corner).reshape(out.shape)
                for sign in (1, -1)
                for corner in range(4)
            ]
            matches = [i for i, c in enumerate(candidates) if np.array_equal(out, c)]
            assert matches, image.shape
            seen.add(matches[0])
        assert len(seen) >= 5  # both signs, several corners


def _plasma(shape, plasma_size, seed):
    """Our plasma field for (seed, first call): brightness 1 and contrast 0 on zeros add the field itself
    (both plasma transforms draw their field first, so the same seed gives them the same field)."""
    zeros = np.zeros((*shape, 1), np.float32)
    t = instaug.PlasmaBrightnessContrast((1, 1), (0, 0), plasma_size=plasma_size, p=1)
    return instaug.Compose([t], seed=seed)(image=zeros)["image"][..., 0]


@pytest.mark.parametrize("plasma_size", [256, 40])
def test_plasma_arithmetic_same_as_reference_functional(plasma_size) -> None:
    from albumentations.augmentations.pixel import functional as F

    image = colourful()
    for data in (image, (image / 255).astype(np.float32), image[..., :1].copy()):
        field = _plasma(image.shape[:2], plasma_size, seed=5)
        for brightness, contrast in [(0.2, 0), (0, -0.4), (-0.3, 0.25)]:
            t = instaug.PlasmaBrightnessContrast(
                (brightness, brightness), (contrast, contrast), plasma_size=plasma_size, p=1
            )
            ours = instaug.Compose([t], seed=5)(image=data)["image"]
            expected = F.apply_plasma_brightness_contrast(data, brightness, contrast, field)
            expected = expected.reshape(ours.shape)
            np.testing.assert_array_equal(ours, expected, err_msg=f"{brightness=} {contrast=} {data.shape}")
        t = instaug.PlasmaShadow((0.6, 0.6), plasma_size=plasma_size, p=1)
        ours = instaug.Compose([t], seed=5)(image=data)["image"]
        np.testing.assert_array_equal(ours, F.apply_plasma_shadow(data, 0.6, field).reshape(ours.shape))


@pytest.mark.parametrize(("shape", "plasma_size", "roughness"), [((72, 96), 256, 3.0), ((150, 110), 64, 1.5)])
def test_plasma_field_distribution_same_as_reference(shape, plasma_size, roughness) -> None:
    """Our diamond-square draws come from our stream: the fields agree in distribution (their mean,
    spread and roughness, over many draws)."""
    from albumentations.augmentations.pixel.color_lighting import _generate_resized_plasma

    zeros = np.zeros((*shape, 1), np.float32)
    t = instaug.Compose(
        [instaug.PlasmaBrightnessContrast((1, 1), (0, 0), plasma_size=plasma_size, roughness=roughness, p=1)],
        seed=0,
    )
    ours = [t(image=zeros)["image"][..., 0] for _ in range(150)]
    generator = np.random.default_rng(0)
    theirs = [_generate_resized_plasma(shape, plasma_size, roughness, generator) for _ in range(150)]

    def stats(fields):
        roughness = np.mean([np.abs(np.diff(f, axis=1)).mean() for f in fields])
        return np.array([np.mean(fields), np.mean([f.std() for f in fields]), roughness])

    np.testing.assert_allclose(stats(ours), stats(theirs), rtol=0.05)


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.PlanckianJitter(p=1),
        lambda L: L.PlanckianJitter(mode="cied", sampling_method="gaussian", p=1),
        lambda L: L.RandomToneCurve(scale=0.2, p=1),
        lambda L: L.RandomToneCurve(scale=0.1, per_channel=True, p=1),
        lambda L: L.Vignetting(p=1),
        lambda L: L.Illumination(p=1),
        lambda L: L.Illumination(mode="gaussian", num_spots_range=(1, 3), p=1),
        lambda L: L.ChromaticAberration(primary_distortion_range=(-0.2, 0.2), mode="random", p=1),
        lambda L: L.PlasmaShadow(p=1),
        lambda L: L.PlasmaBrightnessContrast(brightness_range=(-0.1, 0.1), contrast_range=(-0.3, 0.3), p=1),
    ],
    ids=[
        "planckian",
        "planckian_cied_gaussian",
        "tone_curve",
        "tone_curve_per_channel",
        "vignetting",
        "illumination",
        "illumination_spots",
        "chromatic",
        "plasma_shadow",
        "plasma_brightness_contrast",
    ],
)
def test_colour_and_lighting_draws_same_distribution_as_reference(make) -> None:
    """Parameters drawn from our stream: each call's mean change and spread of the change agree in
    distribution (their averages over the calls within four standard errors)."""
    image = colourful(48, 64)

    def per_call(lib) -> np.ndarray:
        pipeline = lib.Compose([make(lib)], seed=7)
        changes = [pipeline(image=image)["image"].astype(float) - image for _ in range(400)]
        return np.array([[c.mean(), c.std()] for c in changes])

    ours, theirs = per_call(instaug), per_call(ref)
    assert theirs[:, 1].mean() > 0.5, "the case must change the image"
    error = np.sqrt(ours.var(0) / len(ours) + theirs.var(0) / len(theirs))
    difference = np.abs(ours.mean(0) - theirs.mean(0))
    assert (difference <= 4 * error + 0.05).all(), f"mean change, spread: {ours.mean(0)} vs {theirs.mean(0)}"


@pytest.mark.parametrize("num_output_channels", [1, 3, 4])
def test_to_rgb_same_as_reference(num_output_channels) -> None:
    grey = colourful()[..., 0]
    for image in (grey, grey[..., None], (grey[..., None] / 255).astype(np.float32), colourful()):
        ours, theirs = (
            lib.Compose([lib.ToRGB(num_output_channels=num_output_channels)], seed=0)(image=image)["image"]
            for lib in (instaug, ref)
        )
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, image.shape
        np.testing.assert_array_equal(ours, theirs)
