"""HistogramMatching, FDA and PixelDistributionAdaptation: the reference images they read from the
call (checks, the draw, additional images) and tiny images. Against the reference:
test_pixel_differential.py."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A

MAKERS = [
    lambda **kw: A.HistogramMatching(p=1, **kw),
    lambda **kw: A.FDA(beta_range=(0.2, 0.4), p=1, **kw),
    lambda **kw: A.PixelDistributionAdaptation(p=1, **kw),
    lambda **kw: A.PixelDistributionAdaptation(transform_type="standard", p=1, **kw),
    lambda **kw: A.PixelDistributionAdaptation(transform_type="minmax", p=1, **kw),
]
IDS = ["HistogramMatching", "FDA", "PDA-pca", "PDA-standard", "PDA-minmax"]


def image_of(height: int, width: int, channels: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, channels), dtype=np.uint8)


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_the_reference_images_are_required(make) -> None:
    t = make()
    key = t.metadata_key
    compose = A.Compose([t])
    with pytest.raises(ValueError, match=f"{key}="):
        compose(image=image_of(8, 9))
    with pytest.raises(ValueError, match=f"{key} must be a non-empty list of images"):
        compose(image=image_of(8, 9), **{key: []})
    with pytest.raises(ValueError, match=f"{key} must be a non-empty list"):
        compose(image=image_of(8, 9), **{key: image_of(8, 9)})


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_the_reference_must_have_the_image_channels(make) -> None:
    t = make()
    with pytest.raises(ValueError, match=r"has 1 channels; the image has 3"):
        A.Compose([t])(image=image_of(8, 9), **{t.metadata_key: [image_of(5, 6, 1)[..., 0]]})
    with pytest.raises(ValueError, match=r"has 3 channels; the image has 1"):
        A.Compose([t])(image=image_of(8, 9, 1), **{t.metadata_key: [image_of(5, 6)]})


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_a_custom_key_is_read_and_returned_unchanged(make) -> None:
    t = make(metadata_key="style")
    references = [image_of(20, 11, seed=1), image_of(3, 40, seed=2).astype(np.float32) / 255]
    out = A.Compose([t], strict=True)(image=image_of(16, 18), style=references)
    assert out["style"] is references
    assert out["image"].shape == (16, 18, 3) and out["image"].dtype == np.uint8


def test_additional_images_get_the_same_reference() -> None:
    # Constant references: HistogramMatching (ratio 1) turns every image into the drawn constant.
    references = [np.full((4, 5, 3), v, np.uint8) for v in (10, 70, 130, 190, 250)]
    t = A.Compose(
        [A.HistogramMatching(blend_ratio=(1, 1), p=1)], additional_targets={"other": "image"}, seed=3
    )
    seen = set()
    for _ in range(40):
        out = t(image=image_of(9, 12), other=image_of(9, 12, seed=1), hm_metadata=references)
        values = np.unique(out["image"])
        assert len(values) == 1
        np.testing.assert_array_equal(np.unique(out["other"]), values)
        seen.add(int(values[0]))
    assert seen == {10, 70, 130, 190, 250}


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize(
    ("height", "width", "channels"), [(1, 1, 3), (1, 7, 3), (6, 1, 1), (2, 2, 4), (1, 1, 1)]
)
def test_tiny_images(make, dtype, height, width, channels) -> None:
    image = image_of(height, width, channels)
    if dtype == np.float32:
        image = image.astype(np.float32) / 255
    t = make()
    reference = image_of(3, 2, channels, seed=4)
    out = A.Compose([t], seed=0)(
        image=image, **{t.metadata_key: [reference[..., 0] if channels == 1 else reference]}
    )
    assert out["image"].shape == image.shape and out["image"].dtype == image.dtype
    assert np.isfinite(out["image"]).all()


def test_histogram_matching_with_ratio_one_takes_the_reference_histogram() -> None:
    image = image_of(40, 50)
    reference = np.random.default_rng(1).integers(100, 110, (40, 50, 3), dtype=np.uint8)
    out = A.Compose([A.HistogramMatching(blend_ratio=(1, 1), p=1)])(image=image, hm_metadata=[reference])[
        "image"
    ]
    assert out.min() >= 100 and out.max() <= 109
    # Order kept: a brighter source pixel never ends darker.
    order = np.argsort(image[..., 0].ravel(), kind="stable")
    assert (np.diff(out[..., 0].ravel()[order].astype(int)) >= 0).all()


def test_fda_without_a_window_gives_the_image_back() -> None:
    image = image_of(30, 40)
    out = A.Compose([A.FDA(beta_range=(0, 0), p=1)])(image=image, fda_metadata=[image_of(5, 5, seed=1)])[
        "image"
    ]
    np.testing.assert_array_equal(out, image)


def test_views_are_read_as_the_pixels_they_show() -> None:
    big = image_of(40, 60)
    view, reference = big[5:30:2, 10:50], image_of(90, 20, seed=3)[::3, ::-1]
    for make in MAKERS:
        key = make().metadata_key
        np.testing.assert_array_equal(
            A.Compose([make()], seed=1)(image=view, **{key: [reference]})["image"],
            A.Compose([make()], seed=1)(
                image=np.ascontiguousarray(view), **{key: [np.ascontiguousarray(reference)]}
            )["image"],
        )


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: A.FDA(beta_range=(0, 0.6)), "beta_range"),
        (lambda: A.HistogramMatching(blend_ratio=(0.5, 1.2)), "blend_ratio"),
        (lambda: A.PixelDistributionAdaptation(transform_type="ica"), "transform_type"),
    ],
)
def test_bad_arguments_name_the_argument(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        A.Compose([make()])
