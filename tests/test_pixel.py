"""Pixel transforms: what they leave alone, dtypes and channels, distributions of random ranges,
errors, and ToTensorV2."""

from __future__ import annotations

import re

import numpy as np
import pytest

import instaug as A

from helpers import PIXEL, import_reference, make_scene

RNG = np.random.default_rng(0)
IMAGE = RNG.integers(0, 256, (40, 50, 3), dtype=np.uint8)


@pytest.mark.parametrize("transform", PIXEL, ids=lambda t: type(t).__name__)
def test_rows_are_untouched(transform) -> None:
    scene = make_scene(np.random.default_rng(1), n=5)
    t = A.Compose(
        [transform],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["class_name", "color"], min_area=1),
        keypoint_params=A.KeypointParams("xy", label_fields=["kp_kind"]),
        instance_binding=["masks", "bboxes", "keypoints"],
    )
    out = t(image=scene.image, instances=scene.instances)
    assert len(out["instances"]) == len(scene.instances)
    for a, b in zip(out["instances"], scene.instances):
        np.testing.assert_array_equal(a["mask"], b["mask"])
        np.testing.assert_allclose(a["bbox"], b["bbox"])
        np.testing.assert_allclose(a["keypoints"], b["keypoints"])


def test_random_shadow_darkens_polygons_as_the_reference() -> None:
    R = import_reference(needed_by="the RandomShadow comparison")
    image = RNG.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    flat = np.full((60, 80, 3), 200, np.uint8)
    for seed in range(4):
        # The draws do not depend on the pixels: a flat image shows where the shadow fell.
        def first_call(data: np.ndarray, seed: int = seed) -> np.ndarray:
            shadow = A.RandomShadow(num_shadows_range=(1, 1), shadow_intensity_range=(0.4, 0.4), p=1)
            return A.Compose([shadow], seed=seed)(image=data)["image"]

        region = (first_call(flat) != 200).all(-1)
        assert region.any() and not region[:29].any()  # shadow_roi: the lower half
        expected = image.copy()
        expected[region] = (image[region] * (1 - 0.4)).astype(np.uint8)  # the reference's add_shadow
        np.testing.assert_array_equal(first_call(image), expected)

    def darkened(lib) -> float:
        t = lib.Compose([lib.RandomShadow(num_shadows_range=(1, 3), shadow_dimension=4, p=1)], seed=0)
        return float(np.mean([(t(image=flat)["image"] != 200).all(-1).mean() for _ in range(300)]))

    ours, theirs = darkened(A), darkened(R)
    assert abs(ours - theirs) < 0.1 * theirs


@pytest.mark.parametrize("transform", PIXEL, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_dtype_and_shape(transform, dtype) -> None:
    image = IMAGE if dtype == np.uint8 else (IMAGE / 255).astype(np.float32)
    out = A.Compose([transform], seed=2)(image=image)["image"]
    assert out.shape == image.shape
    assert out.dtype == (np.float32 if isinstance(transform, A.Normalize) else dtype)
    if dtype == np.float32 and not isinstance(transform, A.Normalize):
        assert 0 <= out.min() and out.max() <= 1


@pytest.mark.parametrize("channels", [1, 2, 4])
@pytest.mark.parametrize(
    "transform",
    [
        A.RandomBrightnessContrast(p=1),
        A.RandomGamma(p=1),
        A.Blur(p=1),
        A.GaussNoise(p=1),
        A.ChannelShuffle(p=1),
        A.RGBShift(p=1),
        A.MedianBlur(p=1),
        A.MotionBlur(p=1),
        A.GaussianBlur(p=1),
        A.MultiplicativeNoise(per_channel=True, elementwise=True, p=1),
        A.SaltAndPepper(p=1),
        A.ShotNoise(p=1),
        A.AutoContrast(p=1),
        A.FancyPCA(p=1),
        A.UnsharpMask(p=1),
        A.Defocus(p=1),
        A.ZoomBlur(p=1),
        A.GlassBlur(p=1),
        A.AdvancedBlur(p=1),
        A.RingingOvershoot(p=1),
    ],
    ids=lambda t: type(t).__name__,
)
def test_any_channel_count_where_the_formula_allows(transform, channels) -> None:
    image = RNG.integers(0, 256, (30, 40, channels), dtype=np.uint8)
    out = A.Compose([transform], seed=3)(image=image)["image"]
    assert out.shape == image.shape


@pytest.mark.parametrize(
    "transform",
    [A.HueSaturationValue(p=1), A.CLAHE(p=1), A.ColorJitter(p=1), A.Equalize(p=1), A.ToSepia(p=1)],
    ids=lambda t: type(t).__name__,
)
def test_colour_transforms_refuse_other_channel_counts(transform) -> None:
    with pytest.raises(
        ValueError, match=f"{type(transform).__name__} expects 1-channel or 3-channel images, got 4"
    ):
        A.Compose([transform])(image=RNG.integers(0, 256, (10, 10, 4), dtype=np.uint8))


def test_to_gray_needs_rgb_for_weighted_average() -> None:
    with pytest.raises(ValueError, match="needs a 3-channel image, got 4"):
        A.Compose([A.ToGray(p=1)])(image=RNG.integers(0, 256, (10, 10, 4), dtype=np.uint8))


def test_to_gray_output_channels() -> None:
    assert A.Compose([A.ToGray(num_output_channels=1, p=1)])(image=IMAGE)["image"].shape == (40, 50)
    out = A.Compose([A.ToGray(num_output_channels=3, p=1)])(image=IMAGE)["image"]
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()


# -- distributions of random ranges ------------------------------------------------------------
def test_brightness_spreads_over_its_range() -> None:
    grey = np.full((8, 8, 3), 100, np.uint8)
    t = A.Compose(
        [A.RandomBrightnessContrast(brightness_range=(-0.5, 0.5), contrast_range=(0, 0), p=1)], seed=0
    )
    values = np.array([t(image=grey)["image"].mean() for _ in range(400)])
    assert 50 <= values.min() < 60 and 140 < values.max() <= 150  # 100 * (1 + b), b in [-0.5, 0.5]
    assert abs(values.mean() - 100) < 4
    assert np.histogram(values, bins=5, range=(50, 150))[0].min() > 50  # roughly uniform


def test_hue_shift_is_uniform_in_its_range() -> None:
    red = np.zeros((4, 4, 3), np.uint8)
    red[..., 0] = 200
    hsv = A.HueSaturationValue(hue_shift_range=(0, 30), sat_shift_range=(0, 0), val_shift_range=(0, 0), p=1)
    t = A.Compose([hsv], seed=0)
    # Red shifted by h in [0, 30] OpenCV units (0 to 60 degrees) gains green 200 * h / 30: the green
    # channel is uniform when h is.
    greens = np.array([t(image=red)["image"][0, 0, 1] for _ in range(400)], float)
    assert greens.min() < 10 and greens.max() > 190
    assert np.histogram(greens, bins=4, range=(0, 200))[0].min() > 70


def test_gauss_noise_std_matches() -> None:
    flat = np.full((128, 128, 3), 128, np.uint8)
    out = A.Compose([A.GaussNoise(std_range=(0.1, 0.1), p=1)], seed=0)(image=flat)["image"].astype(float)
    assert abs(out.std() - 25.5) < 1.5
    assert (out[..., 0] == out[..., 1]).all(), "one noise value per pixel unless per_channel"
    per = A.Compose([A.GaussNoise(std_range=(0.1, 0.1), per_channel=True, p=1)], seed=0)(image=flat)["image"]
    assert (per[..., 0] != per[..., 1]).any()


def test_channel_shuffle_reaches_every_permutation() -> None:
    image = np.zeros((2, 2, 3), np.uint8)
    image[..., 1], image[..., 2] = 1, 2
    t = A.Compose([A.ChannelShuffle(p=1)], seed=0)
    seen = {tuple(t(image=image)["image"][0, 0]) for _ in range(200)}
    assert len(seen) == 6


def test_blur_kernel_sizes_are_odd_and_cover_the_range() -> None:
    impulse = np.zeros((21, 21), np.uint8)
    impulse[10, 10] = 255
    t = A.Compose([A.Blur(blur_range=(3, 7), p=1)], seed=0)
    sizes = {int(np.sqrt(np.count_nonzero(t(image=impulse)["image"]))) for _ in range(100)}
    assert sizes == {3, 5, 7}


def test_gamma_range_is_in_percent() -> None:
    image = np.full((4, 4), 128, np.uint8)
    out = A.Compose([A.RandomGamma(gamma_range=(200, 200), p=1)])(image=image)["image"]
    assert out[0, 0] == int((128 / 255) ** 2 * 255)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: A.HueSaturationValue(hue_shift_range=20), "hue_shift_range must be a \\(min, max\\) tuple"),
        (lambda: A.RandomBrightnessContrast(brightness_range=(0.3, -0.3)), "min <= max"),
        (lambda: A.RandomBrightnessContrast(contrast_range=(-2, 0)), "contrast_range values must be >= -1"),
        (lambda: A.RandomGamma(gamma_range=(0, 10)), "gamma_range values must be >="),
        (lambda: A.Blur(blur_range=(1, 3)), "blur_range values must be >= 3"),
        (lambda: A.Blur(blur_range=(3.5, 5)), "blur_range must hold integers"),
        (lambda: A.GaussianBlur(sigma_range=(-1, 1)), "sigma_range values must be >= 0"),
        (lambda: A.GaussNoise(std_range=(0.1, 2)), "std_range values must be <= 1"),
        (lambda: A.ColorJitter(hue_range=(-1, 0)), "hue_range values must be >= -0.5"),
        (lambda: A.ToGray(method="pca"), "method must be one of"),
        (lambda: A.ISONoise(color_shift_range=(0, 1.5)), "color_shift_range values must be <= 1"),
        (lambda: A.MultiplicativeNoise(multiplier=(-0.1, 1)), "multiplier values must be >= 0"),
        (lambda: A.SaltAndPepper(amount_range=(0.1, 1.2)), "amount_range values must be <= 1"),
        (lambda: A.ShotNoise(scale_range=(-1, 1)), "scale_range values must be >= 0"),
        (lambda: A.AutoContrast(cutoff=101), "cutoff must be <= 100"),
        (lambda: A.AutoContrast(ignore=256), "ignore must be <= 255"),
        (lambda: A.AutoContrast(method="clahe"), "method must be one of"),
        (lambda: A.Equalize(mode="skimage"), "mode must be one of"),
        (lambda: A.Equalize(mask={"a": 1}), "mask must be None"),
        (lambda: A.FancyPCA(alpha=-0.1), "alpha must be >= 0"),
        (lambda: A.UnsharpMask(threshold=256), "UnsharpMask: threshold must be <= 255"),
        (lambda: A.UnsharpMask(alpha_range=(0.5, 1.5)), "alpha_range values must be <= 1"),
        (lambda: A.Defocus(radius_range=(0, 3)), "Defocus: radius_range values must be >= 1"),
        (lambda: A.Defocus(radius_range=(2.5, 3)), "radius_range must hold integers"),
        (lambda: A.ZoomBlur(max_factor_range=(0.9, 1.2)), "ZoomBlur: max_factor_range values must be >= 1"),
        (lambda: A.ZoomBlur(step_factor_range=(0, 0.1)), "ZoomBlur: step_factor_range values must be > 0"),
        (lambda: A.GlassBlur(max_delta=0), "GlassBlur: max_delta must be >= 1"),
        (lambda: A.GlassBlur(mode="slow"), "GlassBlur: mode must be one of"),
        (lambda: A.AdvancedBlur(beta_range=(1.5, 3)), "AdvancedBlur: beta_range must include 1.0"),
        (
            lambda: A.AdvancedBlur(sigma_x_range=(0, 1), sigma_y_range=(0, 2)),
            "sigma_x_range and sigma_y_range minimum values cannot both be 0",
        ),
        (
            lambda: A.RingingOvershoot(cutoff_range=(0.5, 4)),
            "RingingOvershoot: cutoff_range values must be <= 3.14",
        ),
        (lambda: A.ChannelShuffle(channel_order=(0, 0, 1)), "channel_order must be a permutation"),
        (lambda: A.CLAHE(tile_grid_size=(8,)), "tile_grid_size must be a pair"),
        (lambda: A.Normalize(std=(0.2, 0.0, 0.2)), "std must be positive"),
        (lambda: A.Normalize(normalization="zscore"), "normalization must be one of"),
        (lambda: A.Compose([A.ToTensorV2(), A.HorizontalFlip()]), "ToTensorV2 must be the last transform"),
    ],
)
def test_bad_arguments(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_normalize_needs_one_value_per_channel() -> None:
    with pytest.raises(ValueError, match="one value per image channel"):
        A.Compose([A.Normalize(mean=(0.5, 0.5), std=(0.2, 0.2))])(image=IMAGE)
    out = A.Compose([A.Normalize(mean=0.5, std=0.25)])(image=IMAGE)["image"]
    np.testing.assert_allclose(out, (IMAGE / 255.0 - 0.5) / 0.25, atol=1e-5)


def test_to_tensor_v2() -> None:
    torch = import_reference("torch", needed_by="test_pixel.py")
    scene = make_scene(np.random.default_rng(4), n=3)
    t = A.Compose(
        [A.HorizontalFlip(p=1), A.Normalize(), A.ToTensorV2()],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["class_name", "color"]),
        instance_binding=["masks", "bboxes"],
    )
    out = t(image=scene.image, instances=scene.instances)
    assert isinstance(out["image"], torch.Tensor) and tuple(out["image"].shape) == (3, 96, 128)
    assert out["image"].dtype == torch.float32
    assert all(
        isinstance(i["mask"], torch.Tensor) and tuple(i["mask"].shape) == (96, 128) for i in out["instances"]
    )
    mask = np.zeros((96, 128, 2), np.uint8)
    plain = A.Compose([A.ToTensorV2(transpose_mask=True)])(image=scene.image, mask=mask)
    assert tuple(plain["mask"].shape) == (2, 96, 128)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_invert_twice_is_the_image(dtype) -> None:
    image = IMAGE if dtype == np.uint8 else (IMAGE / 255).astype(np.float32)
    twice = A.Compose([A.InvertImg(p=1), A.InvertImg(p=1)])(image=image)["image"]
    np.testing.assert_allclose(twice, image, atol=1e-6)


@pytest.mark.parametrize(
    "transform",
    [
        A.Sharpen(alpha_range=(0, 0), p=1),
        A.Sharpen(alpha_range=(0, 0), method="gaussian", p=1),
        A.Emboss(alpha_range=(0, 0), p=1),
        A.Posterize(num_bits=(7, 7), p=1),
        A.UnsharpMask(alpha_range=(0, 0), p=1),
        A.UnsharpMask(threshold=255, p=1),
    ],
    ids=lambda t: f"{type(t).__name__}",
)
def test_filters_at_zero_strength_leave_the_image(transform) -> None:
    out = A.Compose([transform])(image=IMAGE)["image"]
    limit = 1 if isinstance(transform, A.Posterize) else 0  # 7 bits: the lowest bit goes
    assert np.abs(out.astype(int) - IMAGE.astype(int)).max() <= limit


def test_posterize_draws_its_bit_counts_per_channel() -> None:
    pipeline = A.Compose(
        [A.Posterize(num_bits=[(1, 1), (2, 4), (7, 7)], p=1)], save_applied_params=True, seed=0
    )
    drawn = [tuple(pipeline(image=IMAGE)["applied_transforms"][0][1]["num_bits"]) for _ in range(60)]
    assert (
        {d[0] for d in drawn} == {1} and {d[1] for d in drawn} == {2, 3, 4} and {d[2] for d in drawn} == {7}
    )
    out = A.Compose([A.Posterize(num_bits=[(1, 1), (4, 4), (7, 7)], p=1)])(image=IMAGE)["image"]
    assert set(np.unique(out[..., 0])) <= {0, 128}
    with pytest.raises(ValueError, match="Posterize: num_bits gives 2 per-channel ranges for an image of 3"):
        A.Compose([A.Posterize(num_bits=[(1, 1), (4, 4)], p=1)])(image=IMAGE)
    with pytest.raises(ValueError, match=r"Posterize: num_bits\[1\] must satisfy min <= max"):
        A.Posterize(num_bits=[(1, 1), (5, 4)])


def test_solarize_threshold_spreads_over_its_range() -> None:
    pipeline = A.Compose([A.Solarize(threshold_range=(0.2, 0.8), p=1)], save_applied_params=True, seed=0)
    drawn = [pipeline(image=IMAGE)["applied_transforms"][0][1]["threshold_range"] for _ in range(200)]
    assert 0.2 <= min(drawn) < 0.3 and 0.7 < max(drawn) <= 0.8


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("compression_type", ["jpeg", "webp"])
def test_image_compression_keeps_the_shape_and_draws_its_quality(channels, compression_type) -> None:
    image = RNG.integers(0, 256, (30, 40, channels), dtype=np.uint8)
    t = A.ImageCompression(compression_type=compression_type, quality_range=(10, 30), p=1)
    pipeline = A.Compose([t], save_applied_params=True, seed=0)
    outs = [pipeline(image=image) for _ in range(40)]
    assert all(o["image"].shape == image.shape and o["image"].dtype == np.uint8 for o in outs)
    drawn = {o["applied_transforms"][0][1]["quality_range"] for o in outs}
    assert min(drawn) >= 10 and max(drawn) <= 30 and len(drawn) > 5


def test_downscale_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="interpolation_pair must be"):
        A.Downscale(interpolation_pair={"downscale": 0})
    with pytest.raises(ValueError, match="interpolation_pair must be"):
        A.Downscale(interpolation_pair={"downscale": 0, "upscale": 9})
    with pytest.raises(ValueError, match="scale_range values must be >= 1e-06"):
        A.Downscale(scale_range=(0, 0.5))
    tiny = A.Compose([A.Downscale(scale_range=(0.01, 0.01), p=1)])(image=IMAGE)["image"]
    assert tiny.shape == IMAGE.shape  # one pixel a side at least, then back up


@pytest.mark.parametrize("max_value", [None, 1000.0])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_to_float_and_from_float_as_the_reference(max_value, dtype) -> None:
    ref = import_reference(needed_by="the ToFloat / FromFloat comparison")
    image = IMAGE if dtype == np.uint8 else (IMAGE / 200).astype(np.float32)  # some values above 1
    for name in ("ToFloat", "FromFloat"):
        if name == "FromFloat" and dtype == np.uint8:
            continue  # the reference wraps uint8 values around; ours leaves them (README)
        ours = A.Compose([getattr(A, name)(max_value=max_value)])(image=image)["image"]
        theirs = ref.Compose([getattr(ref, name)(max_value=max_value)])(image=image)["image"]
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_type_conversions_round_trip_and_keep_their_place() -> None:
    back = A.Compose([A.ToFloat(), A.Blur(blur_range=(3, 3), p=1), A.FromFloat()])(image=IMAGE)["image"]
    direct = A.Compose([A.Blur(blur_range=(3, 3), p=1)])(image=IMAGE)["image"]
    assert back.dtype == np.uint8 and np.abs(back.astype(int) - direct.astype(int)).max() <= 1
    np.testing.assert_array_equal(A.Compose([A.FromFloat()])(image=IMAGE)["image"], IMAGE)
    with pytest.raises(
        ValueError, match=r"changes the image's dtype or channels before transforms\[1\] \(Mosaic\)"
    ):
        A.Compose([A.ToFloat(), A.Mosaic()])


def _difference_up_to_channel_order(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    import itertools

    return min(
        (
            np.abs(ours[..., list(order)].astype(int) - theirs.astype(int))
            for order in itertools.permutations(range(3))
        ),
        key=lambda d: d.max(),
    )


@pytest.mark.parametrize(
    "ranges",
    [
        {"brightness_range": (1.1, 1.1), "saturation_range": (0.7, 0.7), "hue_range": (0.03, 0.03)},
        {
            "brightness_range": (1, 1),
            "contrast_range": (0.6, 0.6),
            "saturation_range": (1, 1),
            "hue_range": (0, 0),
        },
    ],
)
def test_photometric_distort_as_the_reference(ranges) -> None:
    ref = import_reference(needed_by="the PhotoMetricDistort comparison")
    fixed = {"contrast_range": (1, 1), **ranges}
    ours = A.Compose([A.PhotoMetricDistort(**fixed, distort_p=1, p=1)], seed=0)(image=IMAGE)["image"]
    theirs = ref.Compose([ref.PhotoMetricDistort(**fixed, distort_p=1, p=1)], seed=0)(image=IMAGE)["image"]
    # The channel order is drawn (distort_p=1): the same image in some order. Chained steps carry
    # one grey level of rounding into the hue's HSV round trip, which may double it on a few values.
    diff = _difference_up_to_channel_order(ours, theirs)
    assert diff.max() <= 2 and (diff > 1).mean() < 0.002


def test_photometric_distort_draws_each_step_with_distort_p() -> None:
    pipeline = A.Compose([A.PhotoMetricDistort(distort_p=0.5, p=1)], save_applied_params=True, seed=3)
    configs = [pipeline(image=IMAGE)["applied_transforms"][0][1] for _ in range(200)]
    for name in ("brightness_range", "contrast_range", "saturation_range", "hue_range"):
        drawn = sum(not isinstance(c[name], tuple) for c in configs)
        assert 60 < drawn < 140, f"{name} drawn {drawn} times in 200"
    unchanged = A.Compose([A.PhotoMetricDistort(distort_p=0, p=1)])(image=IMAGE)["image"]
    np.testing.assert_array_equal(unchanged, IMAGE)
    with pytest.raises(ValueError, match="PhotoMetricDistort expects 1-channel or 3-channel images"):
        A.Compose([A.PhotoMetricDistort(p=1)])(image=IMAGE[..., :2])


def test_channel_dropout_fills_the_drawn_number_of_channels() -> None:
    pipeline = A.Compose([A.ChannelDropout(channel_drop_range=(1, 2), fill=7, p=1)], seed=0)
    counts = set()
    for _ in range(60):
        out = pipeline(image=IMAGE)["image"]
        dropped = [c for c in range(3) if (out[..., c] == 7).all()]
        kept = [c for c in range(3) if np.array_equal(out[..., c], IMAGE[..., c])]
        assert sorted(dropped + kept) == [0, 1, 2]
        counts.add(len(dropped))
    assert counts == {1, 2}
    with pytest.raises(ValueError, match="may drop all 3 channels"):
        A.Compose([A.ChannelDropout(channel_drop_range=(1, 3), p=1)])(image=IMAGE)
    with pytest.raises(ValueError, match="the image has one channel"):
        A.Compose([A.ChannelDropout(p=1)])(image=IMAGE[..., 0])


def test_channel_swap_reorders_by_its_fixed_order() -> None:
    out = A.Compose([A.ChannelSwap(p=1)])(image=IMAGE)["image"]
    np.testing.assert_array_equal(out, IMAGE[..., ::-1])
    with pytest.raises(ValueError, match="channel_order must be a permutation"):
        A.ChannelSwap(channel_order=(0, 0, 1))


# -- noise ------------------------------------------------------------------------------------------
def test_iso_noise_needs_rgb_and_grows_with_intensity() -> None:
    with pytest.raises(ValueError, match="ISONoise expects 3-channel"):
        A.Compose([A.ISONoise(p=1)])(image=RNG.integers(0, 256, (10, 10, 4), dtype=np.uint8))
    image = RNG.integers(0, 256, (64, 64, 3), dtype=np.uint8)

    def change(intensity: float) -> float:
        t = A.ISONoise(color_shift_range=(0.05, 0.05), intensity_range=(intensity, intensity), p=1)
        return float(np.abs(A.Compose([t], seed=0)(image=image)["image"].astype(int) - image).mean())

    assert change(0) == 0
    assert 0 < change(0.5) < change(2)


def test_multiplicative_noise_gains() -> None:
    flat = np.full((16, 16, 3), 100, np.uint8)
    one = A.Compose([A.MultiplicativeNoise((1.5, 1.5), p=1)])(image=flat)["image"]
    assert (one == 150).all()
    per_channel = A.Compose([A.MultiplicativeNoise((0.5, 1.5), per_channel=True, p=1)], seed=0)(image=flat)[
        "image"
    ]
    assert len(np.unique(per_channel)) == 3 and all(
        len(np.unique(per_channel[..., c])) == 1 for c in range(3)
    )
    per_pixel = A.Compose([A.MultiplicativeNoise((0.5, 1.5), elementwise=True, p=1)], seed=0)(image=flat)[
        "image"
    ]
    assert (per_pixel[..., 0] == per_pixel[..., 2]).all() and len(np.unique(per_pixel)) > 50
    assert 50 <= per_pixel.min() and per_pixel.max() <= 150


def test_salt_and_pepper_counts() -> None:
    grey = np.full((40, 50, 3), 128, np.uint8)
    t = A.SaltAndPepper(amount_range=(0.2, 0.2), salt_vs_pepper_range=(0.25, 0.25), p=1)
    out = A.Compose([t], seed=0)(image=grey)["image"]
    salt, pepper = (out == 255).all(-1).sum(), (out == 0).all(-1).sum()
    assert (salt, pepper) == (100, 300)  # int(2000 * 0.2) = 400 pixels, int(400 * 0.25) of them salt
    assert ((out == 128).all(-1).sum()) == 2000 - 400
    floats = A.Compose([t], seed=0)(image=(grey / 255).astype(np.float32))["image"]
    assert (floats == 1).all(-1).sum() == 100 and (floats == 0).all(-1).sum() == 300


def test_shot_noise_keeps_the_level_and_grows_with_scale() -> None:
    grey = np.full((64, 64), 128, np.uint8)

    def spread(scale: float) -> tuple[float, float]:
        out = A.Compose([A.ShotNoise(scale_range=(scale, scale), p=1)], seed=0)(image=grey)["image"]
        return float(out.mean()), float(out.std())

    (low_mean, low_std), (_, high_std) = spread(0.05), spread(0.5)
    assert abs(low_mean - 128) < 8 and 0 < low_std < high_std  # Poisson in linear light: a little darker
    with pytest.raises(ValueError, match="ShotNoise: a scale of 0"):
        A.Compose([A.ShotNoise(scale_range=(0, 0), p=1)])(image=grey)


# -- colour effects -------------------------------------------------------------------------------
def test_auto_contrast_stretches_to_the_full_range() -> None:
    ramp = np.tile(np.arange(50, 151, dtype=np.uint8), (4, 1))
    for method in ("cdf", "pil"):
        out = A.Compose([A.AutoContrast(method=method, p=1)])(image=ramp)["image"]
        assert out.min() == 0 and out.max() == 255 and (np.diff(out[0].astype(int)) >= 0).all()
    flat = np.full((4, 4, 3), 77, np.uint8)
    assert (A.Compose([A.AutoContrast(p=1)])(image=flat)["image"] == 77).all()


def test_equalize_flattens_the_histogram() -> None:
    dark = np.tile(np.arange(0, 64, dtype=np.uint8), (64, 1))
    for mode in ("cv", "pil"):
        out = A.Compose([A.Equalize(mode=mode, p=1)])(image=dark)["image"]
        assert out.max() >= 250 and len(np.unique(out)) >= 60
    colour = np.stack([dark, dark // 2, dark // 4], -1)
    luma = A.Compose([A.Equalize(by_channels=False, p=1)])(image=colour)["image"]
    assert luma.shape == colour.shape and luma.mean() > colour.mean() + 50


def test_to_sepia_matrix_and_grey_images() -> None:
    pixel = np.array([[[100, 50, 20]]], np.uint8)
    out = A.Compose([A.ToSepia(p=1)])(image=pixel)["image"]
    assert out[0, 0].tolist() == [81, 73, 57]  # the sepia rows . (100, 50, 20), rounded
    grey = RNG.integers(0, 256, (8, 8), dtype=np.uint8)
    np.testing.assert_array_equal(A.Compose([A.ToSepia(p=1)])(image=grey)["image"], grey)


def test_fancy_pca_keeps_the_mean_and_follows_alpha() -> None:
    image = RNG.integers(40, 216, (64, 64, 3), dtype=np.uint8)
    np.testing.assert_array_equal(A.Compose([A.FancyPCA(alpha=0, p=1)])(image=image)["image"], image)
    t = A.Compose([A.FancyPCA(alpha=2, p=1)], seed=0)
    changes = [t(image=image)["image"].astype(float) - image for _ in range(10)]
    assert max(np.abs(c).max() for c in changes) > 3
    assert all(abs(c.mean()) < 1 for c in changes)  # moves around the mean pixel


def test_to_sepia_gives_a_view_the_same_values_as_a_contiguous_copy() -> None:
    # A (300, 1, 3) float32 view took cv::transform's scalar path: values 1 ulp off (property tests).
    view = np.random.default_rng(0).random((300, 2, 3)).astype(np.float32)[:, :1]
    outputs = [A.Compose([A.ToSepia(p=1)], seed=0)(image=image)["image"] for image in (view, view.copy())]
    np.testing.assert_array_equal(outputs[0], outputs[1])


# -- blur effects -----------------------------------------------------------------------------------
FLAT = np.full((30, 40, 3), 120, np.uint8)


@pytest.mark.parametrize(
    "transform",
    [
        A.UnsharpMask(alpha_range=(1, 1), threshold=0, p=1),
        A.Defocus(radius_range=(5, 5), p=1),
        A.ZoomBlur(max_factor_range=(1.5, 1.5), p=1),
        A.GlassBlur(sigma=2, p=1),
        A.AdvancedBlur(noise_range=(0.5, 1.5), p=1),
        A.RingingOvershoot(cutoff_range=(0.3, 0.3), p=1),
    ],
    ids=lambda t: type(t).__name__,
)
def test_blur_effects_keep_a_flat_image_flat(transform) -> None:
    # Every kernel sums to one (and the zoomed copies of a flat image are the image). Defocus's disc
    # must stay inside its grid: a disc at the rim is softened through a reflecting border, as the
    # reference's, and its kernel then sums to a little more than one.
    assert (A.Compose([transform], seed=0)(image=FLAT)["image"] == 120).all()


def test_unsharp_mask_sharpens_only_past_its_threshold() -> None:
    edge = np.zeros((20, 20), np.uint8)
    edge[:, 10:] = 200
    edge[:, :10] = 50
    edge[5, 3] = 54  # a small bump: |image - blur| stays under 10
    out = A.Compose([A.UnsharpMask(blur_range=(5, 5), alpha_range=(0.5, 0.5), p=1)])(image=edge)["image"]
    assert out[5, 3] == 54 and out[:, 9].max() < 50 and out[:, 10].min() > 200  # over- and undershoot
    low = A.Compose([A.UnsharpMask(blur_range=(5, 5), alpha_range=(0.5, 0.5), threshold=0, p=1)])
    assert low(image=edge)["image"][5, 3] > 54


def test_defocus_spreads_a_point_over_a_disc() -> None:
    point = np.zeros((41, 41), np.float32)
    point[20, 20] = 1
    for radius in (2, 4, 6):  # inside the 17 x 17 grid, widening included
        t = A.Defocus(radius_range=(radius, radius), alias_blur_range=(0, 0), p=1)
        out = A.Compose([t])(image=point)["image"]
        spread = np.argwhere(out > 1e-4) - 20
        # the disc, widened by the 3 x 3 anti-aliasing Gaussian
        assert radius < np.hypot(*spread.T).max() <= radius + np.sqrt(2) + 1e-6
        assert abs(out.sum() - 1) < 1e-4


def test_zoom_blur_keeps_the_centre_and_streaks_outwards() -> None:
    ramp = np.tile((np.arange(61) * 4).astype(np.uint8), (61, 1))
    t = A.ZoomBlur(max_factor_range=(1.3, 1.3), step_factor_range=(0.02, 0.02), p=1)
    pipeline = A.Compose([t], save_applied_params=True)
    out = pipeline(image=ramp)
    change = np.abs(out["image"].astype(int) - ramp)  # a zoom moves a ramp by its distance to the centre
    assert change[:, 28:33].mean() <= 1 and change[:, :5].mean() > 8 and change[:, -5:].mean() > 8
    assert out["applied_transforms"][0][1]["step_factor_range"] == 0.02
    with pytest.raises(ValueError, match="ZoomBlur: the drawn step_factor_range"):
        A.Compose([A.ZoomBlur(max_factor_range=(1.2, 1.2), step_factor_range=(1e-6, 1e-6), p=1)])(image=ramp)


def test_glass_blur_moves_pixels_within_max_delta() -> None:
    values = RNG.permutation(30 * 40).reshape(30, 40).astype(np.float32) / 1200
    for mode in ("fast", "exact"):
        t = A.GlassBlur(sigma=0, max_delta=2, iterations=1, mode=mode, p=1)
        moved = A.Compose([t], seed=0)(image=values)["image"]
        assert (moved != values).mean() > 0.5
        assert set(moved.ravel()) <= set(values.ravel())  # sigma 0: pixels move, none is invented
    # "fast", one iteration: each value moves once, by at most max_delta each way
    t = A.GlassBlur(sigma=0, max_delta=2, iterations=1, p=1)
    moved = A.Compose([t], seed=0)(image=values)["image"]
    for y, x in zip(*np.nonzero(moved != values)):
        assert np.abs(np.argwhere(values == moved[y, x])[0] - (y, x)).max() <= 2
    # one channel, "exact": the reference swaps pixel pairs, so every value stays
    exact = A.Compose([A.GlassBlur(sigma=0, max_delta=2, mode="exact", p=1)], seed=1)(image=values)["image"]
    np.testing.assert_array_equal(np.sort(exact.ravel()), np.sort(values.ravel()))


def test_advanced_blur_reports_its_kernel_draws() -> None:
    t = A.AdvancedBlur(noise_range=(0.8, 1.2), beta_range=(0.5, 4), p=1)
    pipeline = A.Compose([t], save_applied_params=True, seed=0)
    configs = [pipeline(image=IMAGE)["applied_transforms"][0][1] for _ in range(100)]
    betas = [c["beta_range"] for c in configs]
    assert all(low == 1 or high == 1 for low, high in betas)
    assert 25 < sum(low < 1 for low, _ in betas) < 75  # half the draws below 1, half above
    assert all(0.8 <= c["noise_range"][0] <= c["noise_range"][1] <= 1.2 for c in configs)
    assert {c["blur_range"] for c in configs} == {3, 5, 7}
    with pytest.raises(ValueError, match="AdvancedBlur: sigma_x_range drew 0"):
        A.Compose([A.AdvancedBlur(sigma_x_range=(0, 0), p=1)])(image=IMAGE)


def test_ringing_overshoot_rings_around_an_edge() -> None:
    step = np.full((21, 41), 64, np.uint8)
    step[:, 20:] = 192
    t = A.RingingOvershoot(blur_range=(15, 15), cutoff_range=(0.6, 0.6), p=1)
    out = A.Compose([t])(image=step)["image"].astype(int)
    assert out[10].min() < 60 and out[10].max() > 196  # under- and overshoot beside the edge
    assert (out[:, :3] == 64).all() or abs(out[:, :3].mean() - 64) < 3


# -- filters, superpixels, dithering, halftone -------------------------------------------------------
@pytest.mark.parametrize("channels", [1, 2, 4])
@pytest.mark.parametrize(
    "transform",
    [
        A.ModeFilter(p=1),
        A.Enhance(p=1),
        A.Superpixels(p_replace_range=(0.5, 1), p=1),
        A.Dithering(p=1),
        A.Dithering(method="ordered", color_mode="per_channel", p=1),
        A.Dithering(method="random", n_colors=4, p=1),
        A.Halftone(p=1),
    ],
    ids=lambda t: type(t).__name__,
)
def test_stylising_filters_take_any_channel_count(transform, channels) -> None:
    image = RNG.integers(0, 256, (30, 40, channels), dtype=np.uint8)
    for values in (image, (image / 255).astype(np.float32)):
        out = A.Compose([transform], seed=3)(image=values)["image"]
        assert out.shape == values.shape and out.dtype == values.dtype


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: A.ModeFilter(kernel_range=(1, 3)), "ModeFilter: kernel_range values must be >= 3"),
        (lambda: A.ModeFilter(kernel_range=(3.5, 5)), "kernel_range must hold integers"),
        (lambda: A.Enhance(mode="more"), "Enhance: mode must be one of"),
        (lambda: A.Enhance(alpha_range=(-0.1, 1)), "Enhance: alpha_range values must be >= 0"),
        (lambda: A.Superpixels(p_replace_range=(0, 1.5)), "p_replace_range values must be <= 1"),
        (lambda: A.Superpixels(n_segments_range=(0, 10)), "n_segments_range values must be >= 1"),
        (lambda: A.Superpixels(max_size=0), "Superpixels: max_size must be >= 1"),
        (lambda: A.Dithering(n_colors=1), "Dithering: n_colors must be >= 2"),
        (lambda: A.Dithering(n_colors=257), "Dithering: n_colors must be <= 256"),
        (lambda: A.Dithering(method="blue_noise"), "Dithering: method must be one of"),
        (lambda: A.Dithering(error_diffusion_algorithm="x"), "error_diffusion_algorithm must be one of"),
        (lambda: A.Dithering(bayer_matrix_size=3), "bayer_matrix_size must be one of 2, 4, 8, 16"),
        (lambda: A.Dithering(noise_range=(-1.5, 0)), "noise_range values must be >= -1"),
        (lambda: A.Halftone(dot_size_range=(1, 4)), "Halftone: dot_size_range values must be >= 2"),
        (lambda: A.Halftone(blend_range=(0, 2)), "Halftone: blend_range values must be <= 1"),
    ],
)
def test_stylising_filters_refuse_bad_arguments(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_mode_filter_removes_outliers() -> None:
    image = np.full((9, 9), 100, np.uint8)
    image[4, 4] = 255
    out = A.Compose([A.ModeFilter(kernel_range=(3, 3), p=1)])(image=image)["image"]
    assert (out == 100).all()
    # Ties (smallest value wins) are compared with the reference in test_pixel_differential.py.


def test_enhance_keeps_flat_images_and_alpha_zero_is_the_identity() -> None:
    assert (A.Compose([A.Enhance(alpha_range=(2, 2), p=1)])(image=FLAT)["image"] == 120).all()
    image = RNG.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    for mode in ("edge", "detail"):
        out = A.Compose([A.Enhance(mode=mode, alpha_range=(0, 0), p=1)])(image=image)["image"]
        np.testing.assert_array_equal(out, image)


def test_superpixels_paint_segments_with_their_mean() -> None:
    image = RNG.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    same = A.Compose([A.Superpixels(p_replace_range=(0, 0), p=1)])(image=image)["image"]
    np.testing.assert_array_equal(same, image)
    t = A.Superpixels(p_replace_range=(1, 1), n_segments_range=(24, 24), max_size=None, p=1)
    out = A.Compose([t])(image=image)["image"]
    colours = np.unique(out.reshape(-1, 3), axis=0)
    # Every segment but the first (label 0, never painted, as the reference) becomes one colour.
    assert 15 <= len(colours) - (out == image).all(-1).sum() <= 40
    assert abs(out.astype(float).mean() - image.mean()) < 2


def test_dithering_leaves_n_levels() -> None:
    image = np.tile(np.linspace(0, 255, 64).astype(np.uint8), (32, 1))
    rgb = np.dstack([image, image[::-1], image[:, ::-1]])
    for method in ("error_diffusion", "ordered", "random"):
        out = A.Compose([A.Dithering(method=method, p=1)], seed=0)(image=rgb)["image"]
        assert set(np.unique(out)) <= {0, 255}
        assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()  # grayscale
        four = A.Dithering(method=method, n_colors=4, color_mode="per_channel", p=1)
        out = A.Compose([four], seed=0)(image=rgb)["image"]
        assert len(np.unique(out)) <= 4
    # Error diffusion keeps the mean grey of a ramp.
    out = A.Compose([A.Dithering(p=1)])(image=image)["image"]
    assert abs(out.mean() - image.mean()) < 4


def test_halftone_draws_dots_whose_size_follows_brightness() -> None:
    dark, bright = np.full((40, 40), 40, np.uint8), np.full((40, 40), 230, np.uint8)
    t = A.Compose([A.Halftone(dot_size_range=(10, 10), blend_range=(0, 0), p=1)])
    inked = [(t(image=image)["image"] > 0).mean() for image in (dark, bright)]
    assert inked[0] < inked[1] < 1
    blended = A.Compose([A.Halftone(blend_range=(1, 1), p=1)])(image=bright)["image"]
    np.testing.assert_array_equal(blended, bright)


# -- FilmGrain, StochasticConvolution, GibbsRinging, RicianNoise, KSpaceSpikeNoise, BiasField ----
NOISE_FIELDS = [
    A.FilmGrain(intensity_range=(0.3, 0.3), p=1),
    A.StochasticConvolution(strength_range=(0.5, 1), per_channel=True, p=1),
    A.GibbsRinging(retained_fraction_range=(0.2, 0.4), p=1),
    A.RicianNoise(std_range=(0.1, 0.2), p=1),
    A.KSpaceSpikeNoise(intensity_range=(0.3, 0.5), per_channel=True, p=1),
    A.BiasField(std_range=(0.3, 0.5), scale_range=(0.1, 0.2), per_channel=True, p=1),
    A.AdditiveNoise(noise_type="beta", spatial_mode="patch", patch_count_range=(1, 3), per_channel=True, p=1),
    A.AdditiveNoise(noise_type="laplace", spatial_mode="shared", p=1),
]


@pytest.mark.parametrize("transform", NOISE_FIELDS, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (6, 1), (2, 2), (17, 23, 3), (9, 10, 4), (12, 8, 2)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_noise_fields_keep_shape_dtype_and_range(transform, shape, dtype) -> None:
    image = np.random.default_rng(1).integers(0, 256, shape).astype(dtype)
    if dtype == np.float32:
        image /= 255
    out = A.Compose([transform], seed=2)(image=image)["image"]
    assert out.shape == image.shape and out.dtype == image.dtype
    if dtype == np.float32:
        assert 0 <= out.min() and out.max() <= 1


@pytest.mark.parametrize("transform", NOISE_FIELDS, ids=lambda t: type(t).__name__)
def test_noise_fields_on_a_view_equal_a_contiguous_copy(transform) -> None:
    big = np.random.default_rng(3).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    view = big[5:30, 7:50]
    a = A.Compose([transform], seed=4)(image=view)["image"]
    b = A.Compose([transform], seed=4)(image=np.ascontiguousarray(view))["image"]
    np.testing.assert_array_equal(a, b)


def test_noise_fields_change_the_image_and_repeat_with_the_seed() -> None:
    for transform in NOISE_FIELDS:
        first = A.Compose([transform], seed=5)(image=IMAGE)["image"]
        again = A.Compose([transform], seed=5)(image=IMAGE)["image"]
        np.testing.assert_array_equal(first, again)
        assert np.abs(first.astype(int) - IMAGE).max() > 0, type(transform).__name__


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: A.FilmGrain(intensity_range=(0, 1.5)), "FilmGrain: intensity_range values must be <= 1"),
        (lambda: A.FilmGrain(grain_size_range=(0, 2)), "FilmGrain: grain_size_range values must be >= 1"),
        (lambda: A.StochasticConvolution(kernel_range=(3, 4)), "kernel_range values must be odd"),
        (lambda: A.StochasticConvolution(kernel_range=(1, 3)), "kernel_range values must be >= 3"),
        (
            lambda: A.StochasticConvolution(border_mode=3),
            "StochasticConvolution: border_mode must be an OpenCV border flag "
            "{0: .BORDER_CONSTANT., 1: .BORDER_REPLICATE., 2: .BORDER_REFLECT., 4",
        ),
        (lambda: A.StochasticConvolution(strength_range=(-1, 1)), "strength_range values must be >= 0"),
        (
            lambda: A.GibbsRinging(retained_fraction_range=(0.5, 1.2)),
            "retained_fraction_range values must be <= 1",
        ),
        (lambda: A.RicianNoise(std_range=(0.5, 0.2)), "RicianNoise: std_range"),
        (lambda: A.KSpaceSpikeNoise(num_spikes_range=(-1, 2)), "num_spikes_range values must be >= 0"),
        (lambda: A.KSpaceSpikeNoise(num_spikes_range=(1.5, 2)), "num_spikes_range must hold integers"),
        (lambda: A.BiasField(scale_range=(0, 0.1)), "BiasField: scale_range values must be > 0"),
        (lambda: A.BiasField(std_range=(0, 2)), "BiasField: std_range values must be <= 1"),
        (lambda: A.AdditiveNoise(noise_params={"ranges": [(-2, 0)]}), r"range values must be in \[-1, 1\]"),
        (
            lambda: A.AdditiveNoise(noise_type="gaussian", noise_params={"mean_range": (0, 0)}),
            r"AdditiveNoise: noise_params\['std_range'\] is required",
        ),
        (
            lambda: A.AdditiveNoise(noise_params={"ranges": [(0, 0)], "std_range": (0, 1)}),
            "noise_params has an unknown key 'std_range'",
        ),
        (
            lambda: A.AdditiveNoise(per_channel=True),
            "patch options can only be used when spatial_mode='patch'",
        ),
        (
            lambda: A.AdditiveNoise(spatial_mode="patch", patch_height_range=(0, 0.5)),
            "AdditiveNoise: patch_height_range values must be > 0",
        ),
        (lambda: A.AdditiveNoise(noise_type="poisson"), "AdditiveNoise: noise_type must be one of"),
    ],
)
def test_noise_field_arguments_are_checked(make, message) -> None:
    with pytest.raises(ValueError, match=message):
        A.Compose([make()])


def test_gibbs_ringing_refuses_non_finite_values() -> None:
    image = np.full((8, 8, 3), 0.5, np.float32)
    image[2, 3, 1] = np.nan
    with pytest.raises(ValueError, match="GibbsRinging requires finite inputs"):
        A.Compose([A.GibbsRinging(retained_fraction_range=(0.5, 0.5), p=1)])(image=image)


def test_gibbs_ringing_keeping_only_dc_gives_each_channel_its_mean() -> None:
    image = np.random.default_rng(6).random((20, 30, 3)).astype(np.float32)
    out = A.Compose([A.GibbsRinging(retained_fraction_range=(0, 0), p=1)])(image=image)["image"]
    np.testing.assert_allclose(out, np.broadcast_to(image.mean((0, 1)), image.shape), atol=1e-5)


def test_k_space_spike_at_dc_shifts_the_mean() -> None:
    """A 1 x 1 image has only the DC bin: each spike adds intensity x the value (once: DC is its
    own mirror)."""
    image = np.full((1, 1, 1), 0.25, np.float32)
    out = A.Compose([A.KSpaceSpikeNoise(num_spikes_range=(2, 2), intensity_range=(0.5, 0.5), p=1)])(
        image=image
    )
    np.testing.assert_allclose(out["image"], 0.25 * 2, atol=1e-6)


def test_additive_noise_needs_one_range_or_one_per_channel() -> None:
    two = A.AdditiveNoise(spatial_mode="per_pixel", noise_params={"ranges": [(0, 0.1), (0, 0.2)]}, p=1)
    with pytest.raises(ValueError, match="not enough ranges provided. Expected 1 or at least 3, got 2"):
        A.Compose([two])(image=IMAGE)
    # shared noise is one map: it takes the first range
    shared = A.AdditiveNoise(spatial_mode="shared", noise_params={"ranges": [(0.1, 0.1), (0.5, 0.5)]}, p=1)
    np.testing.assert_array_equal(
        A.Compose([shared])(image=IMAGE)["image"], np.clip(IMAGE.astype(int) + 25, 0, 255)
    )


def test_additive_noise_uint8_truncates_the_change_toward_zero() -> None:
    """The reference's uint8 add: 0.1 x 255 = 25.5 adds 25, -0.05 x 255 = -12.75 adds -12."""
    image = np.full((4, 5, 2), 100, np.uint8)
    t = A.AdditiveNoise(noise_params={"ranges": [(0.1, 0.1), (-0.05, -0.05)]}, p=1)
    out = A.Compose([t])(image=image)["image"]
    assert (out[..., 0] == 125).all() and (out[..., 1] == 88).all()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: A.HEStain(method="custom"), "HEStain: stain_matrix is required when method='custom'"),
        (
            lambda: A.HEStain(stain_matrix=[[1, 0, 0], [0, 1, 0]]),
            "stain_matrix is only valid when method='custom'",
        ),
        (lambda: A.HEStain(preset="dark"), "preset should not be specified when method='random_preset'"),
        (
            lambda: A.HEStain(method="custom", stain_matrix=[[1, 0, 0], [2, 0, 0]]),
            "must be linearly independent",
        ),
        (lambda: A.HEStain(method="custom", stain_matrix=[[1, 0, 0], [0, 0, 0]]), "rows must be non-zero"),
        (
            lambda: A.HEStain(method="custom", stain_matrix=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
            "a full stain basis is incompatible with residual_mode='project'",
        ),
        (lambda: A.HEStain(method="otsu"), "HEStain: method must be one of"),
        (lambda: A.HEStain(intensity_shift_range=(-2, 0)), "intensity_shift_range values must be >= -1"),
    ],
)
def test_he_stain_arguments_are_checked(make, message) -> None:
    with pytest.raises(ValueError, match=message):
        A.Compose([make()])


def test_he_stain_needs_rgb_and_keeps_the_background() -> None:
    with pytest.raises(ValueError, match="HEStain expects 3-channel"):
        A.Compose([A.HEStain(p=1)])(image=IMAGE[..., 0])
    white = np.full((6, 7, 3), 250, np.uint8)  # all background: the residual modes leave it alone
    t = A.HEStain(method="preset", preset="dark", residual_mode="preserve", p=1)
    np.testing.assert_array_equal(A.Compose([t])(image=white)["image"], white)


def test_he_stain_custom_matrix_is_kept_as_rows_flattened() -> None:
    t = A.HEStain(method="custom", stain_matrix=np.array([[0.6, 0.7, 0.3], [0.1, 0.9, 0.2]]))
    assert t.stain_matrix == pytest.approx((0.6, 0.7, 0.3, 0.1, 0.9, 0.2))
    out = A.Compose([t])(image=IMAGE)["image"]
    assert out.shape == IMAGE.shape and out.dtype == np.uint8


# -- PlanckianJitter, RandomToneCurve, Illumination, Vignetting, ChromaticAberration, plasma,
# ExposureMatching -------------------------------------------------------------------------------
COLOUR_AND_LIGHTING = [
    A.PlanckianJitter(p=1),
    A.RandomToneCurve(scale=0.3, per_channel=True, p=1),
    A.Illumination(mode="linear", p=1),
    A.Illumination(mode="corner", p=1),
    A.Illumination(mode="gaussian", num_spots_range=(2, 4), p=1),
    A.Vignetting(p=1),
    A.ChromaticAberration(mode="random", p=1),
    A.PlasmaBrightnessContrast(plasma_size=8, p=1),
    A.PlasmaShadow(roughness=0.5, p=1),
    A.ExposureMatching(p=1),
]


@pytest.mark.parametrize("transform", COLOUR_AND_LIGHTING, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("shape", [(1, 1, 3), (1, 7, 3), (5, 1, 3), (2, 3, 3)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_colour_and_lighting_take_tiny_images_and_views(transform, shape, dtype) -> None:
    image = RNG.integers(0, 256, shape, dtype=np.uint8)
    image = image if dtype == np.uint8 else (image / 255).astype(np.float32)
    out = A.Compose([transform], seed=0)(image=image)["image"]
    assert out.shape == image.shape and out.dtype == image.dtype
    big = IMAGE if dtype == np.uint8 else (IMAGE / 255).astype(np.float32)
    view = big[3:30:2, ::-3]
    np.testing.assert_array_equal(
        A.Compose([transform], seed=4)(image=view)["image"],
        A.Compose([transform], seed=4)(image=np.ascontiguousarray(view))["image"],
    )


@pytest.mark.parametrize(
    "transform",
    [A.PlanckianJitter(p=1), A.ChromaticAberration(p=1)],
    ids=lambda t: type(t).__name__,
)
def test_rgb_only_colour_transforms_refuse_other_images(transform) -> None:
    with pytest.raises(ValueError, match=f"{type(transform).__name__}.*3-channel"):
        A.Compose([transform])(image=IMAGE[..., :1])


def test_planckian_jitter_warms_below_white_and_cools_above() -> None:
    grey = np.full((8, 8, 3), 128, np.uint8)
    warm = A.Compose([A.PlanckianJitter(temperature_range=(3000, 6000), p=1)], seed=0)
    cool = A.Compose([A.PlanckianJitter(temperature_range=(6000, 15000), p=1)], seed=0)
    warms = np.array([warm(image=grey)["image"][0, 0] for _ in range(40)], int)
    cools = np.array([cool(image=grey)["image"][0, 0] for _ in range(40)], int)
    assert (warms[:, 1] == 128).all() and (cools[:, 1] == 128).all()  # green is the reference
    assert (warms[:, 0] > 128).all() and (warms[:, 2] < 128).all()
    assert cools[:, 0].mean() < 128 < cools[:, 2].mean()
    white = A.PlanckianJitter(temperature_range=(6000, 6000), mode="cied", p=1)
    # 6000 K on the CIE D locus: 0.4826 / 0.4646 and 0.4325 / 0.4646 of grey, truncated
    np.testing.assert_array_equal(A.Compose([white])(image=grey)["image"][0, 0], [132, 128, 119])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: A.PlanckianJitter(temperature_range=(2000, 7000)), "temperature_range for blackbody"),
        (lambda: A.PlanckianJitter(mode="cied", temperature_range=(3500, 7000)), "range for cied"),
        (lambda: A.PlanckianJitter(temperature_range=(7000, 9000)), "white temperature 6000"),
        (lambda: A.PlanckianJitter(mode="kelvin"), "mode"),
        (lambda: A.RandomToneCurve(scale=1.5), "scale"),
        (lambda: A.Illumination(intensity_range=(0.1, 0.5)), "intensity_range"),
        (lambda: A.Illumination(num_spots_range=(2, 3)), "num_spots_range can only be changed for gaussian"),
        (lambda: A.Illumination(mode="gaussian", gaussian_spots={"x": 1}), "gaussian_spots must be None"),
        (lambda: A.Vignetting(intensity_range=(0.2, 1.5)), "intensity_range"),
        (lambda: A.ChromaticAberration(mode="blue"), "mode"),
        (lambda: A.PlasmaShadow(plasma_size=0), "plasma_size"),
        (lambda: A.PlasmaBrightnessContrast(brightness_range=(-2, 0)), "brightness_range"),
    ],
)
def test_colour_and_lighting_bad_arguments(make, message) -> None:
    with pytest.raises(ValueError, match=message):
        A.Compose([make()])


def test_random_tone_curve_keeps_black_and_white_and_order() -> None:
    ramp = np.arange(256, dtype=np.uint8).reshape(16, 16, 1).repeat(3, -1)
    t = A.Compose([A.RandomToneCurve(scale=0.1, per_channel=True, p=1)], seed=0)
    for _ in range(10):
        out = t(image=ramp)["image"].reshape(256, 3).astype(int)
        assert (out[0] == 0).all() and (out[-1] == 255).all()
        assert (np.diff(out, axis=0) >= 0).all()  # inner ordinates in [0, 1]: a monotone curve


def test_vignetting_darkens_away_from_the_centre() -> None:
    flat = np.full((40, 60, 3), 200, np.uint8)
    centred = A.Vignetting(intensity_range=(0.5, 0.5), center_range=(0.5, 0.5), p=1)
    out = A.Compose([centred])(image=flat)["image"]
    assert out[20, 30, 0] == 200 and out[0, 0, 0] == 100  # the farthest pixel loses the whole intensity
    assert (out <= 200).all()
    same = A.Compose([A.Vignetting(intensity_range=(0, 0), p=1)])(image=IMAGE)["image"]
    np.testing.assert_array_equal(same, IMAGE)


def test_illumination_linear_adds_a_ramp_along_the_angle() -> None:
    flat = np.full((10, 30, 1), 0.5, np.float32)
    t = A.Illumination(intensity_range=(0.1, 0.1), effect_type="brighten", angle_range=(0, 0), p=1)
    out = A.Compose([t])(image=flat)["image"][..., 0]
    np.testing.assert_allclose(out[0], 0.5 + 0.1 * np.linspace(0, 1, 30), atol=1e-7)
    assert (out == out[0]).all()


def test_chromatic_aberration_moves_only_red_and_blue() -> None:
    out = A.Compose([A.ChromaticAberration((0.3, 0.3), (0.2, 0.2), p=1)])(image=IMAGE)["image"]
    np.testing.assert_array_equal(out[..., 1], IMAGE[..., 1])
    assert (out[..., 0] != IMAGE[..., 0]).any() and (out[..., 2] != IMAGE[..., 2]).any()
    still = A.Compose([A.ChromaticAberration((0, 0), (0, 0), p=1)])(image=IMAGE)["image"]
    np.testing.assert_array_equal(still, IMAGE)


def test_plasma_shadow_only_darkens_and_plasma_off_is_the_identity() -> None:
    t = A.Compose([A.PlasmaShadow((0.3, 0.9), p=1)], seed=0)
    for _ in range(5):
        assert (t(image=IMAGE)["image"] <= IMAGE).all()
    off = A.Compose([A.PlasmaBrightnessContrast((0, 0), (0, 0), p=1)])(image=IMAGE)["image"]
    np.testing.assert_array_equal(off, IMAGE)


def test_to_rgb_repeats_a_grey_channel_and_refuses_other_counts() -> None:
    grey = IMAGE[..., :1]
    out = A.Compose([A.ToRGB()])(image=grey)["image"]
    assert out.shape == (40, 50, 3) and (out == grey).all()
    assert A.Compose([A.ToRGB(num_output_channels=5)])(image=grey[..., 0])["image"].shape == (40, 50, 5)
    np.testing.assert_array_equal(A.Compose([A.ToRGB()])(image=IMAGE)["image"], IMAGE)  # RGB: as it is
    with pytest.raises(ValueError, match="ToRGB.*number of channels equal to 1, got 2"):
        A.Compose([A.ToRGB()])(image=IMAGE[..., :2])
    with pytest.raises(ValueError, match="num_output_channels"):
        A.ToRGB(num_output_channels=0)


def test_colorize_maps_grey_to_a_ramp_and_leaves_other_images() -> None:
    grey = IMAGE[..., :1]
    ramp = A.Colorize(black_range=((0, 0, 255), (0, 0, 255)), white_range=((255, 255, 0), (255, 255, 0)), p=1)
    out = A.Compose([ramp])(image=grey)["image"]
    assert out.shape == (40, 50, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(out[..., 0], grey[..., 0])  # red 0 -> 255
    np.testing.assert_array_equal(out[..., 2], 255 - grey[..., 0])  # blue 255 -> 0
    assert A.Compose([A.Colorize(p=1)])(image=grey[..., 0])["image"].shape == (40, 50, 3)
    floats = A.Compose([A.Colorize(p=1)])(image=(grey / 255).astype(np.float32))["image"]
    assert floats.dtype == np.float32 and floats.shape == (40, 50, 3)
    np.testing.assert_allclose(floats, np.repeat(grey / 255, 3, -1), atol=1e-6)
    np.testing.assert_array_equal(A.Compose([ramp])(image=IMAGE)["image"], IMAGE)  # RGB: as it is
    t = A.Colorize(black_range=((1, 2, 3), (4, 5, 6)), mid_range=((0, 0, 0), (9, 9, 9)))
    assert t.black_range == ((1, 2, 3), (4, 5, 6)) and t.mid_range == ((0, 0, 0), (9, 9, 9))
    assert A.from_dict(A.to_dict(t)).mid_range == t.mid_range
    short, reversed_, too_high, fraction = (
        ((0, 0, 0), (0, 0)),
        ((5, 0, 0), (0, 0, 0)),
        ((0, 0, 0), (0, 0, 256)),
        ((0, 0, 0.5), (1, 1, 1)),
    )
    for bad in (short, reversed_, too_high, fraction):
        with pytest.raises(ValueError, match="Colorize: black_range"):
            A.Colorize(black_range=bad)
    with pytest.raises(ValueError, match="Colorize: mid_value_range"):
        A.Colorize(mid_value_range=(0, 3))


def test_annotation_artifacts_draw_markup_and_refuse_bad_policies() -> None:
    t = A.Compose([A.AnnotationArtifacts(count_range=(4, 4), p=1)], seed=0)
    changed = [(t(image=IMAGE)["image"] != IMAGE).any() for _ in range(5)]
    assert all(changed)
    none = A.Compose([A.AnnotationArtifacts(count_range=(0, 0), p=1)], seed=0)
    np.testing.assert_array_equal(none(image=IMAGE)["image"], IMAGE)
    for shape in [(1, 1, 3), (1, 9), (9, 1, 1), (2, 2, 4)]:
        tiny = np.full(shape, 90, np.uint8)
        assert (
            A.Compose([A.AnnotationArtifacts(count_range=(5, 5), p=1)], seed=1)(image=tiny)["image"].shape
            == shape
        )
    palette = A.AnnotationArtifacts(color_palette=[[10, 20], [30]], color_palette_probabilities=[1, 3])
    assert palette.color_palette == ((10, 20), (30,)) and palette.element_types[0] == "text"
    assert A.from_dict(A.to_dict(palette)).color_palette == palette.color_palette
    positional = [("text",), (1,), (1, 2), (1, 5), (0.3, 1.2), (1, 3), (0.1, 0.3), (0.1, 0.8), (0.2, 0.4)]
    with pytest.raises(TypeError):  # line_geometry and after: keyword-only, as the reference
        A.AnnotationArtifacts(*positional, 0.6, 0.85, 0.5, "axis_aligned")
    bad = [
        (
            {"element_types": ("text", "circle"), "element_probabilities": (1, 1)},
            "element_types must hold values",
        ),
        ({"element_types": ()}, "element_types must not be empty"),
        (
            {"element_probabilities": (1, 1)},
            "element_types and element_probabilities must have the same length",
        ),
        ({"element_probabilities": (0, 0, 0, 0, 0)}, "one weight in element_probabilities must be positive"),
        ({"line_style_probabilities": (1, -1, 0)}, "line_style_probabilities values must be >= 0"),
        ({"line_length_range": (5, 10)}, "line_length_range requires line_geometry='random_angle'"),
        ({"color_palette_probabilities": (1,)}, "color_palette must be provided"),
        ({"color_palette": ((1, 2), (3,)), "color_palette_probabilities": (1,)}, "same length"),
        ({"color_palette": ((1, 256),)}, "color_palette values must be <= 255"),
        ({"color_palette": ((),)}, "color_palette must be a non-empty list of colours"),
        ({"font_scale_range": (0, 1)}, "font_scale_range values must be > 0"),
        ({"size_ratio_range": (0.5, 1.5)}, "size_ratio_range values must be <= 1"),
        ({"count_range": (-1, 2)}, "count_range values must be >= 0"),
        ({"line_geometry": "curved"}, "line_geometry must be one of"),
    ]
    for kwargs, message in bad:
        with pytest.raises(ValueError, match=f"AnnotationArtifacts: .*{re.escape(message)}"):
            A.AnnotationArtifacts(**kwargs)


WEATHER = [
    A.RandomFog(p=1),
    A.RandomRain(p=1),
    A.RandomSnow(p=1),
    A.RandomSnow(method="texture", p=1),
    A.RandomSunFlare(p=1),
    A.RandomSunFlare(method="physics_based", p=1),
    A.RandomGravel(gravel_roi=(0, 0, 1, 1), p=1),
    A.LensFlare(p=1),
    A.Spatter(p=1),
    A.Spatter(mode="mud", p=1),
]


@pytest.mark.parametrize("transform", WEATHER, ids=lambda t: f"{type(t).__name__}-{getattr(t, 'method', '')}")
def test_weather_needs_rgb_and_takes_tiny_images_and_views(transform) -> None:
    name = type(transform).__name__
    for channels in (1, 4):
        with pytest.raises(ValueError, match=rf"{name}.*3-channel"):
            A.Compose([transform], seed=0)(image=np.zeros((20, 20, channels), np.uint8))
    for shape in [(1, 1, 3), (1, 7, 3), (7, 1, 3), (2, 2, 3)]:
        out = A.Compose([transform], seed=0)(image=np.full(shape, 90, np.uint8))["image"]
        assert out.shape == shape and out.dtype == np.uint8
    view = IMAGE[::2, 1::3]  # a strided view: the same as its contiguous copy
    outputs = [
        A.Compose([transform], seed=4)(image=image)["image"] for image in (view, np.ascontiguousarray(view))
    ]
    np.testing.assert_array_equal(*outputs)


def test_random_fog_whitens_the_centre_more_than_the_corners() -> None:
    flat = np.full((90, 120, 3), 60, np.uint8)
    out = A.Compose([A.RandomFog(alpha_coef=0.3, fog_coef_range=(0.8, 0.8), p=1)], seed=0)(image=flat)[
        "image"
    ]
    assert out.min() >= 60 and out[40:50, 55:65].mean() > out[:8, :8].mean() + 5


def test_random_rain_draws_streaks_and_dims_the_image() -> None:
    black = np.zeros((64, 64, 3), np.uint8)
    t = A.RandomRain(slant_range=(0, 0), drop_length=6, blur_value=1, brightness_coefficient=1, p=1)
    streaks = A.Compose([t], seed=0)(image=black)["image"]
    assert set(np.unique(streaks)) == {0, 200} and (streaks[..., 0] > 0).sum() <= 64 // 3 * 7
    grey = np.full((64, 64, 3), 100, np.uint8)
    dimmed = A.Compose([A.RandomRain(rain_type="drizzle", blur_value=1, p=1)], seed=0)(image=grey)["image"]
    assert (dimmed == 70).mean() > 0.9  # 100 * 0.7 away from the drops
    with pytest.raises(ValueError, match="RandomRain: drop_length 40 leaves no row"):
        A.Compose([A.RandomRain(drop_length=40, p=1)], seed=0)(image=np.zeros((40, 40, 3), np.uint8))
    with pytest.raises(ValueError, match="brightness_coefficient"):
        A.RandomRain(brightness_coefficient=0)


def test_random_snow_brightens_and_reports_its_snow_point() -> None:
    out = A.Compose([A.RandomSnow(p=1)], save_applied_params=True, seed=0)(image=IMAGE)
    (name, config), *_ = out["applied_transforms"]
    assert name == "RandomSnow" and 0.1 <= config["snow_point_range"] <= 0.3
    assert out["image"].astype(float).mean() > IMAGE.mean()
    texture = A.Compose([A.RandomSnow(method="texture", p=1)], seed=0)(image=IMAGE)["image"]
    assert texture.astype(float).mean() > IMAGE.mean()
    with pytest.raises(ValueError, match="brightness_coeff"):
        A.RandomSnow(brightness_coeff=0)


def test_random_sun_flare_brightens_around_the_sun_in_flare_roi() -> None:
    dark = np.full((80, 100, 3), 20, np.uint8)
    for method in ("overlay", "physics_based"):
        t = A.RandomSunFlare(flare_roi=(0.1, 0.1, 0.11, 0.11), src_radius=30, method=method, p=1)
        out = A.Compose([t], seed=1)(image=dark)["image"].astype(int)
        assert out.min() >= 20 and out[8, 10].sum() > out[70, 90].sum(), method
    with pytest.raises(ValueError, match="flare_roi"):
        A.RandomSunFlare(flare_roi=(0.5, 0, 0.5, 1))
    with pytest.raises(ValueError, match="src_radius"):
        A.RandomSunFlare(src_radius=1)


def test_random_gravel_stays_in_its_roi() -> None:
    image = np.full((200, 200, 3), (120, 60, 30), np.uint8)
    t = A.RandomGravel(gravel_roi=(0.5, 0.5, 1, 1), number_of_patches=4, p=1)
    changed = (A.Compose([t], seed=0)(image=image)["image"] != image).any(-1)
    assert changed.any() and not changed[:97].any() and not changed[:, :97].any()
    assert not changed[-1].any() and not changed[:, -1].any()  # the reference's squares stop short
    with pytest.raises(ValueError, match="gravel_roi"):
        A.RandomGravel(gravel_roi=(0.5, 0, 0.4, 1))


@pytest.mark.parametrize("depth_mode", ["linear", "diagonal", "radial"])
def test_atmospheric_fog_hazes_the_far_pixels_most(depth_mode) -> None:
    black = np.zeros((50, 70), np.uint8)  # any number of channels: a grey image here
    t = A.AtmosphericFog(density_range=(2, 2), fog_color=(250,), depth_mode=depth_mode, p=1)
    out = A.Compose([t], seed=0)(image=black)["image"].astype(int)
    near = {"linear": out[-1, 35], "diagonal": out[-1, -1], "radial": out[25, 35]}[depth_mode]
    assert out.max() == out[0, 0] > near + 100 and near <= 5
    for shape in [(1, 1), (1, 9, 3), (9, 1, 4)]:
        image = np.full(shape, 10, np.uint8)
        assert A.Compose([t], seed=0)(image=image)["image"].shape == shape
    view = IMAGE[::2, 1::3]
    outputs = [A.Compose([t], seed=4)(image=image)["image"] for image in (view, np.ascontiguousarray(view))]
    np.testing.assert_array_equal(*outputs)


def test_lens_flare_brightens_only_and_reports_its_intensity() -> None:
    dark = np.full((90, 120, 3), 10, np.uint8)
    t = A.LensFlare(flare_roi=(0.1, 0.1, 0.2, 0.2), intensity_range=(0.8, 0.8), p=1)
    out = A.Compose([t], save_applied_params=True, seed=0)(image=dark)
    assert out["image"].min() >= 10 and out["image"].max() > 100
    assert out["applied_transforms"][0][1]["intensity_range"] == 0.8
    with pytest.raises(ValueError, match="flare_roi"):
        A.LensFlare(flare_roi=(0.5, 0, 0.5, 1))


def test_spatter_rain_brightens_and_mud_tints_towards_its_colour() -> None:
    grey = np.full((80, 100, 3), 128, np.uint8)
    rain = A.Compose([A.Spatter(p=1)], save_applied_params=True, seed=0)(image=grey)
    assert rain["image"].min() >= 128 and rain["image"].max() > 128
    assert {
        "mean_range",
        "std_range",
        "cutout_threshold_range",
        "gauss_sigma_range",
        "intensity_range",
    } <= set(rain["applied_transforms"][0][1])
    mud = A.Compose([A.Spatter(mode="mud", color=(0, 0, 255), intensity_range=(1, 1), p=1)], seed=0)(
        image=grey
    )
    changed = (mud["image"] != 128).any(-1)
    assert changed.any() and (mud["image"][changed][:, 2] >= mud["image"][changed][:, 0]).all()
    # a layer cut everywhere: the mud takes 10% of the pixels (drawn), as the reference's
    empty = A.Spatter(mode="mud", mean_range=(0, 0), std_range=(0, 0), gauss_sigma_range=(0, 0), p=1)
    assert (A.Compose([empty], seed=0)(image=grey)["image"] != 128).any(-1).mean() > 0.05
    with pytest.raises(ValueError, match="color"):
        A.Spatter(color=(1, 2))


@pytest.mark.parametrize("transform", WEATHER + [A.AtmosphericFog(p=1)], ids=lambda t: type(t).__name__)
def test_weather_takes_non_finite_float_pixels(transform) -> None:
    # A NaN or infinite hue indexed outside OpenCV's HLS/HSV -> RGB table (a crash, found by the
    # property tests with RandomSnow on float32): such hues become 0 first.
    image = np.full((30, 40, 3), np.nan, np.float32)
    image[0, 0], image[1, 1], image[2:4] = np.inf, -np.inf, 0.5
    out = A.Compose([transform], seed=0)(image=image)["image"]
    assert out.shape == image.shape and out.dtype == np.float32
