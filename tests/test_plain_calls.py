"""The unbound call styles: image, mask, masks, bboxes and keypoints with their label fields."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A

RNG = np.random.default_rng(3)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("shape", [(30, 40), (30, 40, 1), (30, 40, 2), (30, 40, 3), (30, 40, 4)])
def test_images_keep_dtype_and_layout(dtype, shape) -> None:
    image = (RNG.random(shape) * (255 if dtype == np.uint8 else 1)).astype(dtype)
    out = A.Compose([A.Affine(rotate=(10, 10), p=1.0), A.Resize(20, 25), A.HorizontalFlip(p=1.0)])(
        image=image
    )
    assert out["image"].dtype == dtype
    assert out["image"].shape == (20, 25, *shape[2:])


def test_output_never_aliases_input() -> None:
    image = RNG.integers(0, 255, (30, 40, 3), dtype=np.uint8)
    out = A.Compose([A.HorizontalFlip(p=0.0)])(image=image)
    np.testing.assert_array_equal(out["image"], image)
    assert not np.shares_memory(out["image"], image)


def test_non_contiguous_image_view() -> None:
    big = RNG.integers(0, 255, (60, 80, 3), dtype=np.uint8)
    view = big[10:40, 5:45]
    out = A.Compose([A.HorizontalFlip(p=1.0)])(image=view)
    np.testing.assert_array_equal(out["image"], view[:, ::-1])


def test_semantic_mask_follows_the_image() -> None:
    image = np.zeros((30, 40, 3), np.uint8)
    mask = np.zeros((30, 40), np.int32)
    mask[5:10, 2:8] = 7
    out = A.Compose([A.HorizontalFlip(p=1.0), A.PadIfNeeded(40, 50, fill_mask=255)])(image=image, mask=mask)
    assert out["mask"].dtype == np.int32 and out["mask"].shape == (40, 50)
    expected = np.full((40, 50), 255, np.int32)
    expected[5:35, 5:45] = mask[:, ::-1]
    np.testing.assert_array_equal(out["mask"], expected)


def test_masks_list_and_array_keep_their_container() -> None:
    image = np.zeros((30, 40, 3), np.uint8)
    masks = np.zeros((3, 30, 40), np.uint8)
    masks[1, 3:6, 4:9] = 1
    t = A.Compose([A.VerticalFlip(p=1.0)])
    as_array = t(image=image, masks=masks)["masks"]
    assert isinstance(as_array, np.ndarray) and as_array.shape == (3, 30, 40)
    np.testing.assert_array_equal(as_array, masks[:, ::-1])
    as_list = t(image=image, masks=list(masks))["masks"]
    assert isinstance(as_list, list) and len(as_list) == 3


def test_plain_bboxes_with_labels_and_extra_columns() -> None:
    image = np.zeros((50, 50, 3), np.uint8)
    t = A.Compose(
        [A.Crop(x_min=20, y_min=0, x_max=50, y_max=50)],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["cls", "score"]),
    )
    boxes = np.array([[0, 0, 10, 10, 5], [25, 5, 45, 20, 6]], dtype=np.float64)
    out = t(image=image, bboxes=boxes, cls=["a", "b"], score=np.array([0.1, 0.9]), note="kept")
    np.testing.assert_allclose(out["bboxes"], [[5, 5, 25, 20, 6]])
    assert out["cls"] == ["b"]
    np.testing.assert_allclose(out["score"], [0.9])
    assert out["note"] == "kept"


def test_mask_only_sample_has_a_shape() -> None:
    mask = np.zeros((10, 12), np.uint8)
    mask[0, 0] = 1
    out = A.Compose([A.HorizontalFlip(p=1.0)])(mask=mask)
    assert out["mask"][0, 11] == 1 and "image" not in out


def test_compose_probability_zero_changes_nothing() -> None:
    image = RNG.integers(0, 255, (30, 40, 3), dtype=np.uint8)
    out = A.Compose([A.HorizontalFlip(p=1.0)], p=0.0)(image=image)
    np.testing.assert_array_equal(out["image"], image)


def test_params_may_be_dicts() -> None:
    t = A.Compose([], bbox_params={"coord_format": "coco", "label_fields": ["c"]})
    assert isinstance(t.bbox_params, A.BboxParams)
    out = t(image=np.zeros((10, 10, 3), np.uint8), bboxes=[[1, 1, 2, 2]], c=[0])
    np.testing.assert_allclose(out["bboxes"], [[1, 1, 2, 2]])


def test_float_images_are_clipped_after_overshooting_kernels() -> None:
    checker = (np.indices((32, 32)).sum(axis=0) % 2).astype(np.float32)[:, :, None].repeat(3, axis=2)
    out = A.Compose([A.Resize(height=77, width=53, interpolation=2)])(image=checker)["image"]
    assert out.min() >= 0.0 and out.max() <= 1.0
    cubic = A.Resize(height=77, width=53, interpolation=2, mask_interpolation=2)
    unclipped = A.Compose([cubic])(mask=checker[..., 0] * 5)["mask"]
    assert unclipped.max() > 5.0  # masks keep the kernel's overshoot
