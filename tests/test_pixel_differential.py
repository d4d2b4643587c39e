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
    "exposure_matching": lambda L: L.ExposureMatching(target_mean_range=(0.42, 0.42), p=1),
    "exposure_matching_gain_cap": lambda L: L.ExposureMatching((0.9, 0.9), gain_range=(0.5, 1.3), p=1),
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


COLORIZE_CASES = {
    "default": {},
    "two_colours": {"black_range": ((0, 0, 255), (0, 0, 255)), "white_range": ((255, 255, 0), (255, 255, 0))},
    "three_colours": {
        "black_range": ((10, 20, 30), (10, 20, 30)),
        "mid_range": ((200, 7, 99), (200, 7, 99)),
        "mid_value_range": (77, 77),
        "white_range": ((3, 250, 128), (3, 250, 128)),
    },
    "mid_at_one": {
        "black_range": ((250, 20, 30), (250, 20, 30)),
        "mid_range": ((1, 7, 99), (1, 7, 99)),
        "mid_value_range": (1, 1),
        "white_range": ((3, 250, 128), (3, 250, 128)),
    },
    "mid_at_254": {
        "black_range": ((17, 20, 30), (17, 20, 30)),
        "mid_range": ((1, 7, 99), (1, 7, 99)),
        "mid_value_range": (254, 254),
        "white_range": ((3, 251, 129), (3, 251, 129)),
    },
}


@pytest.mark.parametrize("name", sorted(COLORIZE_CASES))
def test_colorize_same_as_reference(name) -> None:
    """Fixed colours: the same bytes (uint8 through the floored table, float32 through np.interp's
    arithmetic); grey in 2-D or (H, W, 1), views, a 1x1 image; an RGB image passes as it is."""
    grey = colourful()[..., 0]
    floats = (grey / 255).astype(np.float32)
    floats[0, :3] = (-0.5, 1.5, 0.5)  # clipped to [0, 1] first
    images = [grey, grey[..., None], floats, floats[..., None], grey[::2, ::-3], floats[1::2, ::2]]
    images += [np.full((1, 1), 7, np.uint8), colourful(), (colourful() / 255).astype(np.float32)]
    for image in images:
        ours, theirs = (
            lib.Compose([lib.Colorize(**COLORIZE_CASES[name], p=1)], seed=0)(image=image)["image"]
            for lib in (instaug, ref)
        )
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, image.shape
        np.testing.assert_array_equal(ours, theirs, err_msg=f"{image.shape} {image.dtype}")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"black_range": ((0, 0, 64), (32, 0, 192)), "white_range": ((220, 160, 0), (255, 220, 32))},
        {
            "black_range": ((0, 0, 64), (32, 0, 192)),
            "mid_range": ((96, 0, 96), (160, 64, 160)),
            "white_range": ((220, 160, 0), (255, 220, 32)),
            "mid_value_range": (96, 160),
        },
    ],
    ids=["two_colours", "three_colours"],
)
def test_colorize_draws_same_distribution_as_reference(kwargs) -> None:
    """Colours and the mid position drawn from our stream: each channel's mean and spread per call
    agree with the reference's in distribution (within four standard errors)."""
    grey = colourful(24, 32)[..., 0]

    def per_call(lib) -> np.ndarray:
        pipeline = lib.Compose([lib.Colorize(**kwargs, p=1)], seed=7)
        outs = [pipeline(image=grey)["image"].reshape(-1, 3).astype(float) for _ in range(400)]
        return np.array([np.concatenate([o.mean(0), o.std(0)]) for o in outs])

    ours, theirs = per_call(instaug), per_call(ref)
    error = np.sqrt(ours.var(0) / len(ours) + theirs.var(0) / len(theirs))
    difference = np.abs(ours.mean(0) - theirs.mean(0))
    assert (difference <= 4 * error + 0.05).all(), f"{ours.mean(0)} vs {theirs.mean(0)}"


def test_colorize_applied_colours_replay_as_the_reference() -> None:
    """save_applied_params reports the drawn colours (and mid position) under their ranges, as the
    reference; from_applied_transforms redoes them."""
    grey = colourful()[..., 0]
    kwargs = {
        "black_range": ((0, 0, 0), (50, 50, 50)),
        "mid_range": ((10, 10, 10), (99, 99, 99)),
        "mid_value_range": (50, 200),
    }
    for lib in (instaug, ref):
        t = lib.Compose([lib.Colorize(**kwargs, p=1)], save_applied_params=True, seed=0)
        out = t(image=grey)
        name, config = out["applied_transforms"][0]
        assert name == "Colorize" and len(config["black_range"]) == 3
        assert isinstance(config["mid_value_range"], int)
        assert config["white_range"] == (255, 255, 255)
        replay = lib.Compose.from_applied_transforms(out["applied_transforms"])
        np.testing.assert_array_equal(replay(image=grey)["image"], out["image"])
    t = instaug.Compose([instaug.Colorize(p=1)], save_applied_params=True)
    config = t(image=grey)["applied_transforms"][0][1]
    assert config["mid_range"] is None and config["mid_value_range"] == (127, 127)


# -- weather: our draws rendered by the reference's functional module ------------------------------
# RandomFog, RandomRain and RandomSunFlare draw many values (particles, drops, circles) that no
# collapsed range fixes. OurDraws repeats our generator (core/random.cpp: xoshiro256** seeded by
# splitmix64 from the call's seed) and each transform's order of draws, so the reference's
# functional module renders the very values we drew: the images must be equal.
fpixel = import_reference(
    "albumentations.augmentations.pixel.functional", needed_by="the weather comparisons"
)
MASK64 = (1 << 64) - 1


def _splitmix(state: int) -> tuple[int, int]:
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & MASK64


class OurDraws:
    """The generator of call 0 of Compose([T(p=1)], seed=seed), past the Compose's and T's coins."""

    def __init__(self, seed: int) -> None:
        from instaug._streams import call_seed

        state, self.s = call_seed(seed, 0), []
        for _ in range(4):
            state, word = _splitmix(state)
            self.s.append(word)
        self.uniform01(), self.uniform01()  # the two p coins

    def next(self) -> int:
        s = self.s
        result = (_rotl((s[1] * 5) & MASK64, 7) * 9) & MASK64
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def uniform01(self) -> float:
        return (self.next() >> 11) * 2.0**-53

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.uniform01()

    def randint(self, a: int, b: int) -> int:
        return a if b <= a else a + self.next() % (b - a + 1)


def fog_draws(seed: int, shape: tuple[int, int], fog_coef_range: tuple[float, float]):
    r, (height, width) = OurDraws(seed), shape
    intensity = r.uniform(*fog_coef_range)
    region = max(1, int(width // 3 * intensity))
    cx, cy = (width - 1) // 2, (height - 1) // 2
    positions, w, h, iteration = [], width, height, 0
    while w > region and h > region and iteration < 10:
        for _ in range(int(w * h / (region * region) * intensity * 10)):
            x = r.randint(cx - w // 2, cx + w // 2)
            positions.append((x, r.randint(cy - h // 2, cy + h // 2)))
        w, h, iteration = int(w * 0.9), int(h * 0.9), iteration + 1
    max_radius = max(2, int(min(height, width) * 0.1 * intensity))
    radii = [r.randint(max(1, max_radius // 2), max_radius - 1) for _ in positions]
    return intensity, positions, radii


def rain_draws(seed: int, shape: tuple[int, int], slant_range, count: int, length: int):
    r, (height, width) = OurDraws(seed), shape
    slant = r.uniform(*slant_range)
    drops = []
    for _ in range(count):
        x = r.randint(0, width - 1)
        drops.append((x, r.randint(0, height - length - 1)))
    return slant, np.array(drops, dtype=np.int32).reshape(-1, 2)


def flare_draws(seed: int, shape: tuple[int, int], t) -> tuple[tuple[int, int], list]:
    import math

    r, (height, width) = OurDraws(seed), shape
    angle = 2 * math.pi * r.uniform(*t.angle_range)
    x_min, y_min, x_max, y_max = t.flare_roi
    cx, cy = int(width * r.uniform(x_min, x_max)), int(height * r.uniform(y_min, y_max))
    n = r.randint(*t.num_flare_circles_range)
    step = max(1, int(math.sqrt(height**2 + width**2) * 0.01))
    max_radius, colour_range = max(2, int(height * 0.01)), int(max(t.src_color) * 0.2)
    ts = list(range(-cx, width - cx, step))
    circles = []
    for _ in range(n):
        alpha = r.uniform(0.05, 0.2)
        tt = ts[r.randint(0, len(ts) - 1)]
        point = (int(cx + tt * math.cos(angle)), int(cy + tt * math.sin(angle)))
        rad = r.randint(1, max_radius)
        colours = tuple(r.randint(max(c - colour_range, 0), c) for c in t.src_color)
        circles.append((alpha, point, rad**3, colours))
    return (cx, cy), circles


def ours_once(t, image: np.ndarray, seed: int) -> np.ndarray:
    return instaug.Compose([t], seed=seed)(image=image)["image"]


def as_dtype(image: np.ndarray, dtype) -> np.ndarray:
    return image if dtype == np.uint8 else (image / 255).astype(np.float32)


def assert_same(ours: np.ndarray, theirs: np.ndarray, what: str) -> None:
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, what
    if ours.dtype == np.uint8:
        np.testing.assert_array_equal(ours, theirs, err_msg=what)
    else:  # the float32 route goes through uint8 in both libraries
        np.testing.assert_allclose(ours, theirs, atol=1e-6, err_msg=what)


WEATHER_SHAPES = [(72, 96), (61, 40), (33, 130)]


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("shape", WEATHER_SHAPES)
@pytest.mark.parametrize(
    ("alpha_coef", "fog_coef_range"), [(0.08, (0.3, 1)), (0.5, (0.1, 0.4)), (1.0, (0.9, 1))]
)
def test_random_fog_renders_our_draws_as_the_reference(dtype, shape, alpha_coef, fog_coef_range) -> None:
    image = as_dtype(colourful(*shape), dtype)
    for seed in range(3):
        t = instaug.RandomFog(alpha_coef=alpha_coef, fog_coef_range=fog_coef_range, p=1)
        intensity, positions, radii = fog_draws(seed, shape, fog_coef_range)
        theirs = fpixel.add_fog(image, intensity, alpha_coef, positions, radii)
        assert_same(ours_once(t, image, seed), theirs, f"{seed=}")


RAIN_CASES = [
    {},
    {"slant_range": (-45, 45), "drop_width": 3, "blur_value": 1, "rain_type": "heavy"},
    {"slant_range": (5, 20), "drop_length": 5, "drop_color": (30, 200, 90), "brightness_coefficient": 1.0},
    {"drop_width": 2, "blur_value": 4, "brightness_coefficient": 0.35, "rain_type": "torrential"},
    {"drop_length": 1, "rain_type": "drizzle"},
]


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("shape", WEATHER_SHAPES)
@pytest.mark.parametrize("kwargs", RAIN_CASES)
def test_random_rain_renders_our_draws_as_the_reference(dtype, shape, kwargs) -> None:
    image = as_dtype(colourful(*shape), dtype)
    t = instaug.RandomRain(**kwargs, p=1)
    count = {"drizzle": shape[0] // 4, "heavy": shape[0], "torrential": shape[0] * 2}.get(
        t.rain_type, shape[0] // 3
    )
    length = max(1, shape[0] // 8) if t.drop_length is None else t.drop_length
    for seed in range(3):
        slant, drops = rain_draws(seed, shape, t.slant_range, count, length)
        theirs = fpixel.add_rain(
            image, slant, length, t.drop_width, t.drop_color, t.blur_value, t.brightness_coefficient, drops
        )
        ours = ours_once(t, image, seed)
        if t.drop_width > 1:  # only thick drops at the sides may differ
            edge = thick_drops_at_the_sides(drops, slant, length, shape, t.drop_width + t.blur_value + 4)
            ours, theirs = ours[~edge], theirs[~edge]
        assert_same(ours, theirs, f"{seed=}")


def thick_drops_at_the_sides(drops, slant, length, shape, reach: int) -> np.ndarray:
    """Where thick drops that touch a side of the image may differ: OpenCV 4.6 (ours) and 5.x (the
    reference's opencv-python) clip thick lines at the image border differently (README)."""
    import cv2

    (height, width), margin = shape, 100
    canvas = np.zeros((height + 2 * margin, width + 2 * margin), np.uint8)
    for x, y in drops:
        x_end = int(x + slant)
        if (
            min(x, x_end) < reach
            or max(x, x_end) >= width - reach
            or y < reach
            or y + length >= height - reach
        ):
            cv2.line(canvas, (x + margin, y + margin), (x_end + margin, y + length + margin), 255, 2 * reach)
    return canvas[margin:-margin, margin:-margin] > 0


FLARE_CASES = [
    {"src_radius": 60},
    {"src_radius": 400},
    {
        "src_radius": 35,
        "src_color": (255, 200, 100),
        "num_flare_circles_range": (1, 3),
        "angle_range": (0.2, 0.3),
    },
    {"flare_roi": (0.3, 0.3, 0.7, 0.9), "src_radius": 9},
    {"src_radius": 80, "method": "physics_based"},
    {
        "src_radius": 20,
        "src_color": (40, 220, 150),
        "method": "physics_based",
        "num_flare_circles_range": (15, 20),
    },
]


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("shape", [*WEATHER_SHAPES, (240, 210)])
@pytest.mark.parametrize("kwargs", FLARE_CASES)
def test_random_sun_flare_renders_our_draws_as_the_reference(dtype, shape, kwargs) -> None:
    """The overlay's blends are albucore's add_weighted (NumKong's fused multiply-add, rounded half
    to even), repeated: equal bytes, not only within a grey level. physics_based: within 3 grey
    levels on under 6% of the values (its thickness-2 spikes leave the image, where OpenCV 4.6 and
    5.x clip thick lines differently; the flare layer is then blurred wide and truncated)."""
    image = as_dtype(colourful(*shape), dtype)
    t = instaug.RandomSunFlare(**kwargs, p=1)
    render = fpixel.add_sun_flare_overlay if t.method == "overlay" else fpixel.add_sun_flare_physics_based
    for seed in range(3):
        centre, circles = flare_draws(seed, shape, t)
        theirs = render(image, centre, t.src_radius, t.src_color, circles)
        ours = ours_once(t, image, seed)
        if t.method == "overlay":
            assert_same(ours, theirs, f"{seed=}")
        else:  # the spikes are thick lines (clipped as in README), blurred: a few grey levels
            diff = np.abs(ours.astype(float) - theirs) * (255 if dtype == np.float32 else 1)
            assert diff.max() <= 3 + 1e-3 and (diff > 0.5).mean() < 0.06, f"{seed=}"


SNOW_CASES = {
    "bleach": lambda L: L.RandomSnow(snow_point_range=(0.2, 0.2), p=1),
    "bleach_strong": lambda L: L.RandomSnow(brightness_coeff=1.3, snow_point_range=(0.9, 0.9), p=1),
    "bleach_dim": lambda L: L.RandomSnow(brightness_coeff=0.4, snow_point_range=(0.5, 0.5), p=1),
}


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("name", sorted(SNOW_CASES))
def test_random_snow_bleach_same_as_reference(dtype, name) -> None:
    image = as_dtype(colourful(), dtype)
    ours = instaug.Compose([SNOW_CASES[name](instaug)], seed=1)(image=image)["image"]
    theirs = ref.Compose([SNOW_CASES[name](ref)], seed=1)(image=image)["image"]
    assert_same(ours, theirs, name)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_random_snow_texture_without_snow_same_as_reference_but_the_sparkles(dtype) -> None:
    """snow_point 0 leaves the noise layer out (the tint and the value gain too): what is left
    differs only where the (random) sparkles fell, about 1% of the pixels in each library."""
    image = as_dtype(colourful(), dtype)

    def snowed(lib):
        t = lib.RandomSnow(snow_point_range=(0, 0), method="texture", p=1)
        return lib.Compose([t], seed=3)(image=image)["image"]

    ours, theirs = snowed(instaug), snowed(ref)
    white = 255 if dtype == np.uint8 else 1.0
    sparkles = (ours == white).all(-1) | (theirs == white).all(-1)
    assert 0.005 < (ours == white).all(-1).mean() < 0.02
    assert_same(ours[~sparkles], theirs[~sparkles], "texture")


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.RandomFog(p=1),
        lambda L: L.RandomRain(p=1),
        lambda L: L.RandomRain(slant_range=(-30, 30), drop_width=2, rain_type="heavy", p=1),
        lambda L: L.RandomSnow(p=1),
        lambda L: L.RandomSnow(method="texture", p=1),
        lambda L: L.RandomSnow(snow_point_range=(0.5, 0.9), brightness_coeff=0.7, method="texture", p=1),
        lambda L: L.RandomSunFlare(src_radius=50, p=1),
        lambda L: L.RandomSunFlare(src_radius=50, method="physics_based", p=1),
        lambda L: L.RandomGravel(gravel_roi=(0, 0, 1, 1), number_of_patches=5, p=1),
        lambda L: L.Spatter(std_range=(0.2, 0.4), p=1),
        lambda L: L.Spatter(mode="mud", p=1),
    ],
    ids=[
        "fog",
        "rain",
        "rain_heavy",
        "snow_bleach",
        "snow_texture",
        "snow_texture_deep",
        "flare",
        "flare_physics",
        "gravel",
        "spatter",
        "spatter_mud",
    ],
)
def test_weather_distribution_same_as_reference(make) -> None:
    """Our draws are not the reference's: over many calls the change agrees in mean and spread
    (within 8% of the spread), and so does the mean change of each row and of each column (where
    the drops, particles, flares, gravel and snow fell), within 25% of the spread."""
    image = colourful(120, 160)

    def changes(lib) -> np.ndarray:
        pipeline = lib.Compose([make(lib)], seed=7)
        return np.stack([pipeline(image=image)["image"].astype(float) - image for _ in range(300)])

    ours, theirs = changes(instaug), changes(ref)
    spread = theirs.std()
    assert spread > 0.02, "the case must change the image"
    assert abs(ours.mean() - theirs.mean()) <= 0.08 * spread
    assert abs(ours.std() - spread) <= 0.08 * spread
    for axes in ((0, 2, 3), (0, 1, 3)):  # per row, per column
        np.testing.assert_allclose(ours.mean(axes), theirs.mean(axes), atol=0.25 * spread)


def gravel_draws(seed: int, shape: tuple[int, int], t) -> np.ndarray:
    r, (height, width) = OurDraws(seed), shape
    x_min, y_min, x_max, y_max = (int(c * d) for c, d in zip(t.gravel_roi, [width, height, width, height]))
    roi_width, roi_height = x_max - x_min, y_max - y_min
    gravel = []
    for _ in range(t.number_of_patches):
        pw = r.randint(roi_width // 10, roi_width // 5)
        ph = r.randint(roi_height // 10, roi_height // 5)
        px, py = r.randint(x_min, x_max - pw), r.randint(y_min, y_max - ph)
        for _ in range(pw * ph // 100):
            x, y = r.randint(px, px + pw), r.randint(py, py + ph)
            radius, level = r.randint(1, 3), r.randint(0, 255)
            gravel.append(
                [
                    max(y - radius, 0),
                    min(y + radius, height - 1),
                    max(x - radius, 0),
                    min(x + radius, width - 1),
                    level,
                ]
            )
    return np.array(gravel, dtype=np.int64)


@pytest.mark.parametrize("shape", [*WEATHER_SHAPES, (200, 260)])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"number_of_patches": 7},
        {"gravel_roi": (0, 0, 1, 1), "number_of_patches": 3},
        {"gravel_roi": (0.5, 0.9, 1, 1)},
    ],
)
def test_random_gravel_renders_our_draws_as_the_reference(shape, kwargs) -> None:
    image = colourful(*shape)
    t = instaug.RandomGravel(**kwargs, p=1)
    for seed in range(3):
        theirs = fpixel.add_gravel(image, gravel_draws(seed, shape, t))
        assert_same(ours_once(t, image, seed), theirs, f"{seed=}")


def test_random_gravel_on_float32_sets_the_lightness_as_a_share_of_255() -> None:
    """The reference writes the 0..255 level into float32's 0..1 lightness (values far above 1);
    we write level / 255, the level it means on uint8 images (README, differences)."""
    import cv2

    image = (colourful(200, 260) / 255).astype(np.float32)
    t = instaug.RandomGravel(number_of_patches=4, p=1)
    hls = cv2.cvtColor(image, cv2.COLOR_RGB2HLS)
    for min_y, max_y, min_x, max_x, level in gravel_draws(0, image.shape[:2], t):
        hls[min_y:max_y, min_x:max_x, 1] = level / 255
    expected = np.clip(cv2.cvtColor(hls, cv2.COLOR_HLS2RGB), 0, 1)
    np.testing.assert_allclose(ours_once(t, image, 0), expected, atol=1e-6)


@pytest.mark.parametrize("channels", [3, 1, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("depth_mode", ["linear", "diagonal", "radial"])
@pytest.mark.parametrize(
    ("density", "fog_color"), [(1.7, (200, 200, 200)), (0.4, (30, 140)), (6.0, (255, 0, 90, 10))]
)
def test_atmospheric_fog_same_as_reference(channels, dtype, depth_mode, density, fog_color) -> None:
    """Within one grey level (1e-6 for float32): the reference's exponential is OpenCV 5's (NumPy's
    under 4096 values), ours OpenCV 4.6's, an ulp apart at times, and uint8 results are truncated."""
    image = as_dtype(colourful(61, 90), dtype)
    image = {3: image, 1: image[..., 1], 4: np.dstack([image, image[..., :1]])}[channels]

    def fogged(lib):
        t = lib.AtmosphericFog(
            density_range=(density, density), fog_color=fog_color, depth_mode=depth_mode, p=1
        )
        return lib.Compose([t], seed=0)(image=image)["image"]

    ours, theirs = fogged(instaug), np.reshape(fogged(ref), image.shape)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    tolerance = 1 if dtype == np.uint8 else 1e-6
    np.testing.assert_allclose(ours.astype(float), theirs.astype(float), atol=tolerance)
    if dtype == np.uint8:
        assert (ours != theirs).mean() < 0.01


def lens_flare_draws(seed: int, shape: tuple[int, int], t):
    import math

    r, (height, width) = OurDraws(seed), shape
    intensity = r.uniform(*t.intensity_range)
    x_min, y_min, x_max, y_max = t.flare_roi
    fx_lo, fx_hi = min(int(x_min * width), width - 1), min(int(x_max * width), width - 1)
    fx = r.randint(fx_lo, max(fx_lo, fx_hi))
    fy_lo, fy_hi = min(int(y_min * height), height - 1), min(int(y_max * height), height - 1)
    fy = r.randint(fy_lo, max(fy_lo, fy_hi))
    num_rays, num_ghosts = r.randint(*t.num_rays_range), r.randint(*t.num_ghosts_range)
    base_angle = r.uniform(0, math.pi / num_rays)
    angles = np.array([base_angle + i * math.pi / num_rays for i in range(num_rays * 2)], dtype=np.float32)
    cx, cy = width // 2, height // 2
    ghosts = []
    for i in range(num_ghosts):
        s = (i + 1) / (num_ghosts + 1)
        radius = max(2, int(min(height, width) * 0.02 * (1.0 - s * 0.5)))
        ghosts.append(
            (int(fx + (cx - fx) * 2 * s), int(fy + (cy - fy) * 2 * s), radius, intensity * (1.0 - s * 0.6))
        )
    bloom = max(1, int(math.sqrt(height**2 + width**2) * r.uniform(*t.bloom_range))) | 1
    return (fx, fy), ghosts, angles, intensity, bloom


LENS_FLARE_CASES = [
    {},
    {"flare_roi": (0.2, 0.3, 0.8, 0.9), "num_ghosts_range": (0, 2), "num_rays_range": (2, 3)},
    {
        "intensity_range": (0.9, 1),
        "num_rays_range": (10, 12),
        "bloom_range": (0.1, 0.2),
        "num_ghosts_range": (8, 9),
    },
]


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("shape", [*WEATHER_SHAPES, (300, 420)])
@pytest.mark.parametrize("kwargs", LENS_FLARE_CASES)
def test_lens_flare_renders_our_draws_as_the_reference(dtype, shape, kwargs) -> None:
    fillum = import_reference("albumentations.augmentations.pixel._functional_illumination")
    image = as_dtype(colourful(*shape), dtype)
    t = instaug.LensFlare(**kwargs, p=1)
    for seed in range(3):
        theirs = fillum.apply_lens_flare(image, *lens_flare_draws(seed, shape, t))
        assert_same(ours_once(t, image, seed), theirs, f"{seed=}")


def spattered_by_the_reference(image: np.ndarray, seed: int, t) -> np.ndarray:
    """Our draws (the five ranges, then normals in Box-Muller pairs, in row order) through the
    reference's own steps: its layer blur and cut (from Spatter's sampler), get_*_params and
    spatter_*."""
    import math

    import cv2

    r, (height, width) = OurDraws(seed), image.shape[:2]
    ranges = (t.mean_range, t.std_range, t.cutout_threshold_range, t.gauss_sigma_range, t.intensity_range)
    mean, std, cutout, sigma, intensity = (r.uniform(*bounds) for bounds in ranges)
    values = []
    while len(values) < height * width:  # Box-Muller pairs: cosine, then sine
        u1, u2 = 1.0 - r.uniform01(), r.uniform01()
        radius, angle = std * math.sqrt(-2.0 * math.log(u1)), 2.0 * math.pi * u2
        values += [mean + radius * math.cos(angle), mean + radius * math.sin(angle)]
    layer = np.array(values[: height * width]).reshape(height, width)
    if t.mode == "rain":
        layer = layer.astype(np.float32)
    ksize = 2 * round(3 * sigma) + 1
    cv2.GaussianBlur(layer, (ksize, ksize), sigma, dst=layer, sigmaY=sigma, borderType=cv2.BORDER_REPLICATE)
    layer[layer < cutout] = 0
    colour = t.color if t.color is not None else {"rain": (238, 238, 175), "mud": (20, 42, 63)}[t.mode]
    colour = np.asarray(colour, dtype=np.float32) / np.float32(255)
    if t.mode == "rain":
        return fpixel.spatter_rain(image, fpixel.get_rain_params(layer, colour, intensity)["drops"])
    assert (layer > cutout).any(), "an empty mask takes random pixels (numpy's in the reference)"
    mud = fpixel.get_mud_params(layer, colour, cutout, sigma, intensity, np.random.default_rng(0))
    return fpixel.spatter_mud(image, mud["non_mud"], mud["mud"])


SPATTER_CASES = [
    {},
    {"mode": "mud"},
    {
        "mean_range": (0.5, 0.7),
        "std_range": (0.2, 0.4),
        "gauss_sigma_range": (1, 3),
        "intensity_range": (0.3, 1),
    },
    {"mode": "mud", "color": (200, 0, 90), "gauss_sigma_range": (0, 0), "cutout_threshold_range": (0.5, 0.6)},
    {"color": (10, 250, 128), "cutout_threshold_range": (0.3, 0.3), "gauss_sigma_range": (0.4, 0.4)},
]


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("shape", WEATHER_SHAPES)
@pytest.mark.parametrize("kwargs", SPATTER_CASES)
def test_spatter_renders_our_draws_as_the_reference(dtype, shape, kwargs) -> None:
    image = as_dtype(colourful(*shape), dtype)
    t = instaug.Spatter(**kwargs, p=1)
    for seed in range(2):
        ours, theirs = ours_once(t, image, seed), spattered_by_the_reference(image, seed, t)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_allclose(ours.astype(float), theirs.astype(float), atol=1e-6, err_msg=f"{seed=}")


# ---- Domain adaptation: one reference image given, the blend / beta ranges collapsed ----------------
# HistogramMatching: uint8 exact; float32 within 1e-6 (OpenCV's float blend). FDA: one grey level
# (uint8; exact on these images) and 1e-6 (float32): NumPy's FFT of a float32 image is float32, and
# the reference truncates its noise (up to ~1e-4), so a pixel that comes back whole may lose a level
# there; ours is float64 (see test_fda_keeps_whole_values_the_reference_truncates).
# PixelDistributionAdaptation: standard and minmax exact (uint8) and within 1e-6 (float32) on these
# images (their float32 statistics are ours, summed in another order); pca exact up to the
# eigenvectors' signs, which are the solver's (the reference aligns only the sign of their trace): we
# compare with the reference's formula under every sign choice and require one to give our bytes.


def domain_images(channels: int, dtype, reference_dtype, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    image = colourful(37, 53, seed)
    reference = colourful(29, 41, seed + 1)[::-1] // 2 + 60
    if channels == 1:
        image, reference = image[..., :1], reference[..., 1:2]  # (H, W, 1): the reference fails on (H, W)
    elif channels == 4:
        image, reference = np.dstack([image, image[..., :1]]), np.dstack([reference, reference[..., 2:]])
    return as_dtype(image, dtype), as_dtype(reference, reference_dtype)


DOMAIN_CASES = [
    ("HistogramMatching", {"blend_ratio": (0.6, 0.6)}, "hm_metadata"),
    ("HistogramMatching", {"blend_ratio": (1, 1)}, "hm_metadata"),
    ("FDA", {"beta_range": (0.1, 0.1)}, "fda_metadata"),
    ("FDA", {"beta_range": (0.37, 0.37)}, "fda_metadata"),
    (
        "PixelDistributionAdaptation",
        {"blend_ratio": (0.7, 0.7), "transform_type": "standard"},
        "pda_metadata",
    ),
    ("PixelDistributionAdaptation", {"blend_ratio": (1, 1), "transform_type": "minmax"}, "pda_metadata"),
    ("PixelDistributionAdaptation", {"blend_ratio": (0.4, 0.4), "transform_type": "minmax"}, "pda_metadata"),
]


def adapted(lib, name: str, kwargs: dict, key: str, image: np.ndarray, references: list) -> np.ndarray:
    if name == "HistogramMatching":
        t = lib.HistogramMatching(**kwargs, metadata_key=key, p=1)
    elif name == "FDA":
        t = lib.FDA(**kwargs, metadata_key=key, p=1)
    else:
        t = lib.PixelDistributionAdaptation(**kwargs, metadata_key=key, p=1)
    return lib.Compose([t])(image=image, **{key: references})["image"]


@pytest.mark.parametrize("reference_dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("channels", [3, 1, 4])
@pytest.mark.parametrize(("name", "kwargs", "key"), DOMAIN_CASES, ids=lambda v: str(v))
def test_domain_adaptation_same_as_reference(name, kwargs, key, channels, dtype, reference_dtype) -> None:
    image, reference = domain_images(channels, dtype, reference_dtype)
    theirs = adapted(ref, name, kwargs, key, image, [reference])
    ours = adapted(instaug, name, kwargs, key, image, [reference])
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    if dtype == np.uint8 and name == "FDA":
        assert np.abs(ours.astype(int) - theirs.astype(int)).max() <= 1
    elif dtype == np.uint8:
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(ours, theirs, atol=1e-6)


def pca_outputs_under_every_sign(image: np.ndarray, reference: np.ndarray, weight: float) -> list[np.ndarray]:
    """The reference's adapt_pixel_distribution (pca) with each choice of the eigenvectors' signs."""
    import itertools

    import cv2
    from albumentations.augmentations.mixing.domain_adaptation_functional import DomainAdapter
    from albumentations.augmentations.utils import PCA

    channels = image.shape[-1]
    adapter = DomainAdapter(PCA(), ref_img=reference)
    pixels = adapter.flatten(image)
    adapter.source_transformer.fit(pixels)
    source, target = adapter.source_transformer, adapter.target_transformer
    outputs = []
    for signs in itertools.product([1.0, -1.0], repeat=channels):
        components = target.components_ * np.array(signs)[:, None]
        values = cv2.PCABackProject(
            cv2.PCAProject(pixels.astype(np.float64), source.mean, source.components_),
            target.mean,
            components,
        )
        transformed = np.clip(values, 0, 255).astype(np.uint8).reshape(image.shape).astype(np.float32)
        blended = cv2.addWeighted(image.astype(np.float32), 1 - weight, transformed, weight, 0)
        outputs.append(np.clip(blended, 0, 255).astype(np.uint8))
    return outputs


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("channels", [3, 4])
def test_pixel_distribution_adaptation_pca_same_as_reference_up_to_eigenvector_signs(seed, channels) -> None:
    image, reference = domain_images(channels, np.uint8, np.uint8, seed)
    rng = np.random.default_rng(seed)
    if seed % 2:  # pixels spread alike along every axis: the eigenvectors' signs are the solver's whim
        image = rng.integers(0, 256, image.shape, dtype=np.uint8)
        reference = rng.integers(0, 256, reference.shape, dtype=np.uint8)
    reference = cv2_resized(reference, image.shape[:2])
    ours = adapted(
        instaug,
        "PixelDistributionAdaptation",
        {"blend_ratio": (0.8, 0.8)},
        "pda_metadata",
        image,
        [reference],
    )
    candidates = pca_outputs_under_every_sign(image, reference, 0.8)
    assert any(np.array_equal(ours, c) for c in candidates)
    if seed % 2 == 0:  # well-separated components: the reference's own signs
        theirs = adapted(
            ref,
            "PixelDistributionAdaptation",
            {"blend_ratio": (0.8, 0.8)},
            "pda_metadata",
            image,
            [reference],
        )
        assert any(np.array_equal(theirs, c) for c in candidates)


def cv2_resized(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    import cv2

    return cv2.resize(image, shape[::-1], interpolation=cv2.INTER_LINEAR)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.HistogramMatching(blend_ratio=(0.2, 0.9), p=1),
        lambda lib: lib.FDA(beta_range=(0.05, 0.3), p=1),
        lambda lib: lib.PixelDistributionAdaptation(blend_ratio=(0.1, 0.6), p=1),
    ],
    ids=["HistogramMatching", "FDA", "PixelDistributionAdaptation"],
)
def test_domain_adaptation_draws_same_distribution_as_reference(make) -> None:
    # Three constant references: which one is drawn shows in HistogramMatching's output; the drawn
    # ratio / beta shows in applied_transforms. Both are uniform, as the reference's.
    image = colourful(12, 16)
    references = [np.full((5, 7, 3), v, np.uint8) for v in (20, 120, 220)]
    key = make(instaug).metadata_key
    draws = {}
    for lib, name in ((instaug, "ours"), (ref, "theirs")):
        t = lib.Compose([make(lib)], save_applied_params=True, seed=0)
        values = [t(image=image, **{key: references})["applied_transforms"][0][1] for _ in range(300)]
        (drawn,) = {k for k in values[0] if k.endswith(("ratio", "range"))}
        draws[name] = np.array([v[drawn] for v in values], dtype=float)
    for quantile in (0.1, 0.5, 0.9):
        assert abs(np.quantile(draws["ours"], quantile) - np.quantile(draws["theirs"], quantile)) < 0.08


def test_fda_keeps_whole_values_the_reference_truncates() -> None:
    # beta 0 swaps nothing: the inverse FFT gives the image back. The reference's float32 FFT gives
    # it back up to ~1e-4 and truncates, so some pixels lose a level; ours (float64) keeps them all.
    image = np.random.default_rng(1).integers(0, 256, (22, 77, 3), dtype=np.uint8)
    theirs = adapted(ref, "FDA", {"beta_range": (0, 0)}, "fda_metadata", image, [image])
    ours = adapted(instaug, "FDA", {"beta_range": (0, 0)}, "fda_metadata", image, [image])
    np.testing.assert_array_equal(ours, image)
    lost = image.astype(int) - theirs
    assert set(np.unique(lost)) <= {0, 1}


# -- AnnotationArtifacts: the reference's own sampler on our stream, drawn by its functional -------
# OurRandom gives the reference's sampler (AnnotationArtifacts._generate_artifacts) the random.Random
# methods it calls, each drawing from our stream as annotation_artifacts.cpp does: the reference's
# sampler then picks the very artifacts we drew, and its functional must draw the same bytes.
fannotation = import_reference(
    "albumentations.augmentations.other.annotation_artifacts_functional", needed_by="AnnotationArtifacts"
)


class OurRandom:
    def __init__(self, seed: int) -> None:
        self.r = OurDraws(seed)

    def random(self) -> float:
        return self.r.uniform01()

    def randint(self, a: int, b: int) -> int:
        return self.r.randint(a, b)

    def uniform(self, a: float, b: float) -> float:
        return self.r.uniform(a, b)

    def choice(self, seq):
        return seq[self.r.randint(0, len(seq) - 1)]

    def choices(self, population, weights=None, k: int = 1) -> list:
        import bisect
        import itertools
        import math

        if weights is None:
            return [population[math.floor(self.r.uniform01() * len(population))] for _ in range(k)]
        cumulative = list(itertools.accumulate(weights))
        last = len(population) - 1
        return [
            population[bisect.bisect(cumulative, self.r.uniform01() * cumulative[-1], 0, last)]
            for _ in range(k)
        ]

    def sample(self, population, k: int) -> list:
        pool, n, out = list(population), len(population), []
        for i in range(k):
            j = self.r.randint(0, n - 1 - i)
            out.append(pool[j])
            pool[j] = pool[n - 1 - i]
        return out


def reference_artifacts(kwargs: dict, image: np.ndarray, seed: int, py_random=None) -> list[dict]:
    from types import SimpleNamespace

    t = ref.AnnotationArtifacts(**kwargs, p=1)
    channels = image.shape[2] if image.ndim == 3 else 1
    sampling = SimpleNamespace(py_random=py_random or OurRandom(seed))
    return t._generate_artifacts(image.shape[0], image.shape[1], channels, sampling)


# Text aside (see test_annotation_artifacts_text_is_drawn_as_the_reference_in_distribution).
NO_TEXT = {
    "element_types": ("rectangle", "arrow", "line", "callout"),
    "element_probabilities": (0.2, 0.2, 0.15, 0.1),
}
TEXT = {"element_types": ("text",), "element_probabilities": (1,), "count_range": (2, 4)}
ANNOTATION_CASES = {
    "default": {**NO_TEXT, "count_range": (3, 6)},
    "arrows": {
        "element_types": ("arrow",),
        "element_probabilities": (1,),
        "count_range": (3, 3),
        "corner_prob": 0.5,
    },
    "lines": {
        "element_types": ("line",),
        "element_probabilities": (1,),
        "count_range": (3, 3),
        "thickness_range": (1, 5),
    },
    "callouts": {
        "element_types": ("callout", "rectangle"),
        "element_probabilities": (3, 1),
        "count_range": (2, 3),
    },
    "endpoints": {
        "element_types": ("line", "arrow"),
        "element_probabilities": (2, 1),
        "count_range": (3, 4),
        "line_geometry": "random_endpoints",
        "line_styles": ("dashed", "dotted"),
        "line_style_probabilities": (1, 1),
    },
    "angles_past_the_edges": {
        "element_types": ("line",),
        "element_probabilities": (1,),
        "count_range": (3, 4),
        "line_geometry": "random_angle",
        "line_length_range": (5, 400),
        "thickness_range": (1, 4),
    },
    "angles_far_past_the_edges": {
        "element_types": ("line",),
        "element_probabilities": (1,),
        "count_range": (2, 3),
        "line_geometry": "random_angle",
        "line_length_range": (1000, 1000000),
        "line_styles": ("dashed", "dotted", "solid"),
        "thickness_range": (1, 4),
    },
    "angles_by_ratio": {
        "element_types": ("line",),
        "element_probabilities": (1,),
        "line_geometry": "random_angle",
    },
    "palette": {
        **NO_TEXT,
        "count_range": (3, 5),
        "random_color_prob": 0.3,
        "color_palette": ((10, 200), (0, 0, 255, 7), (90,)),
        "color_palette_probabilities": (1, 2, 1),
    },
    "palette_uniform": {**NO_TEXT, "count_range": (2, 4), "color_palette": ((10, 200, 30), (250,))},
    "random_colours": {**NO_TEXT, "count_range": (2, 4), "random_color_prob": 1.0},
    "none": {"count_range": (0, 0)},
}


def _annotation_images() -> list[np.ndarray]:
    image = colourful()
    rng = np.random.default_rng(4)
    return [
        image,
        (image / 255).astype(np.float32),
        image[..., 0].copy(),
        image[..., :1].copy(),
        rng.integers(0, 256, (50, 41, 4), dtype=np.uint8),
        image[::2, ::-1],  # a view
        colourful(33, 130),
        np.full((2, 2, 3), 90, np.uint8),
        np.full((1, 6, 3), 90, np.uint8),
        np.full((9, 3), 90, np.uint8),
    ]


@pytest.mark.parametrize("name", sorted(ANNOTATION_CASES))
def test_annotation_artifacts_draws_our_artifacts_as_the_reference(name) -> None:
    """The same bytes as the reference's functional drawing the artifacts our stream picks, in
    every channel count, dtype and size; what we report as drawn is what the reference reports."""
    kwargs = ANNOTATION_CASES[name]
    t = instaug.AnnotationArtifacts(**kwargs, p=1)
    drawn = 0
    for image in _annotation_images():
        for seed in range(6):
            out = instaug.Compose([t], save_applied_params=True, seed=seed)(image=image)
            artifacts = reference_artifacts(kwargs, image, seed)
            drawn += len(artifacts)
            theirs = fannotation.draw_annotation_artifacts(image, artifacts)
            what = f"{image.shape} {image.dtype} {seed=} {artifacts}"
            assert out["image"].dtype == theirs.dtype and out["image"].shape == theirs.shape, what
            np.testing.assert_array_equal(out["image"], theirs, err_msg=what)
            record = ref.AnnotationArtifacts(**kwargs, p=1)
            geometry = kwargs.get("line_geometry", "axis_aligned")
            expected = record._get_applied_config(
                artifacts,
                *image.shape[:2],
                record_line_length_ratio=geometry == "axis_aligned"
                or (geometry == "random_angle" and "line_length_range" not in kwargs),
            )
            config = out["applied_transforms"][0][1]
            for key, value in expected.items():
                np.testing.assert_allclose(config[key], value, rtol=1e-12, err_msg=key)
    assert drawn > 0 or name == "none"


@pytest.mark.parametrize("name", ["default", "palette", "endpoints"])
def test_annotation_artifacts_draws_same_distribution_as_reference(name) -> None:
    """Counts and types of artifacts: the reference's sampler on our stream and on Python's random
    agree in distribution; and the share of pixels our calls change is the reference's."""
    import random

    kwargs = {} if name == "default" else ANNOTATION_CASES[name]  # the default: text included
    image = colourful(48, 64)

    def tally(make_random) -> np.ndarray:
        counts = np.zeros(6)
        for seed in range(1500):
            for artifact in reference_artifacts(kwargs, image, seed, make_random(seed)):
                counts[["text", "rectangle", "arrow", "line", "callout"].index(artifact["type"])] += 1
            counts[5] += 1
        return counts

    ours, theirs = tally(OurRandom), tally(random.Random)
    # Per type, the mean number of artifacts per call within four standard errors (Poisson-like).
    assert (np.abs(ours - theirs) <= 4 * np.sqrt(ours + theirs) + 1).all(), (ours, theirs)

    def changed(lib) -> np.ndarray:
        pipeline = lib.Compose([lib.AnnotationArtifacts(**kwargs, p=1)], save_applied_params=True, seed=3)
        outs = [pipeline(image=image) for _ in range(400)]
        return np.array(
            [
                [(o["image"] != image).any(-1).mean(), o["applied_transforms"][0][1]["count_range"]]
                for o in outs
            ]
        )

    ours, theirs = changed(instaug), changed(ref)
    error = np.sqrt(ours.var(0) / len(ours) + theirs.var(0) / len(theirs))
    assert (np.abs(ours.mean(0) - theirs.mean(0)) <= 4 * error).all(), (ours.mean(0), theirs.mean(0))


def test_annotation_artifacts_text_is_drawn_as_the_reference_in_distribution() -> None:
    """Text goes through the installed OpenCV's Hershey fonts (cv::getTextSize, cv::putText), which
    OpenCV 5 (the reference's wheel) replaced by another font engine: other glyphs and metrics, so no
    same bytes. Each call changes pixels as the reference's do; the Hershey glyphs, wider and bolder,
    cover about 30% more of them."""
    image = colourful(64, 96)

    def changed(lib) -> np.ndarray:
        pipeline = lib.Compose([lib.AnnotationArtifacts(**TEXT, p=1)], seed=5)
        return np.array([(pipeline(image=image)["image"] != image).any(-1).mean() for _ in range(300)])

    ours, theirs = changed(instaug), changed(ref)
    assert (ours > 0).mean() > 0.95 and (theirs > 0).mean() > 0.95
    assert 0.9 < ours.mean() / theirs.mean() < 1.5, (ours.mean(), theirs.mean())
