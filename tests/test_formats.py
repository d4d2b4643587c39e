"""Format round trips and the coordinate conventions of boxes (pixel edges) and keypoints (centres)."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A
from instaug.formats import (
    BBOX_FORMATS,
    KEYPOINT_FORMATS,
    bboxes_from_absolute,
    bboxes_to_absolute,
    keypoints_from_internal,
    keypoints_to_internal,
)

H, W = 60, 80
IMAGE = np.zeros((H, W, 3), dtype=np.uint8)
ABSOLUTE = np.array([[10, 5, 30, 25], [0, 0, 80, 60], [41.5, 7.25, 42.5, 59.0]])


@pytest.mark.parametrize("fmt", BBOX_FORMATS)
def test_bbox_format_round_trip(fmt) -> None:
    user = bboxes_from_absolute(ABSOLUTE, fmt, H, W)
    np.testing.assert_allclose(bboxes_to_absolute(user, fmt, H, W), ABSOLUTE, atol=1e-4)


def test_bbox_formats_known_values() -> None:
    box = np.array([[10.0, 5.0, 30.0, 25.0]])
    np.testing.assert_allclose(bboxes_from_absolute(box, "coco", H, W), [[10, 5, 20, 20]])
    np.testing.assert_allclose(bboxes_from_absolute(box, "cxcywh", H, W), [[20, 15, 20, 20]])
    np.testing.assert_allclose(
        bboxes_from_absolute(box, "yolo", H, W), [[20 / 80, 15 / 60, 20 / 80, 20 / 60]]
    )
    np.testing.assert_allclose(
        bboxes_from_absolute(box, "albumentations", H, W), [[10 / 80, 5 / 60, 30 / 80, 25 / 60]]
    )


@pytest.mark.parametrize("fmt", BBOX_FORMATS)
def test_identity_pipeline_returns_boxes_in_their_format(fmt) -> None:
    user = bboxes_from_absolute(ABSOLUTE, fmt, H, W)
    out = A.Compose([], bbox_params=A.BboxParams(fmt, label_fields=["cls"]))(
        image=IMAGE, bboxes=user, cls=[1, 2, 3]
    )
    np.testing.assert_allclose(out["bboxes"], user, atol=1e-5)
    assert out["bboxes"].dtype == np.float32
    assert out["cls"] == [1, 2, 3]


@pytest.mark.parametrize("fmt", KEYPOINT_FORMATS)
def test_keypoint_format_round_trip(fmt) -> None:
    rng = np.random.default_rng(0)
    points = rng.uniform(0, 50, size=(6, len(fmt)))
    if "a" in fmt:
        points[:, fmt.index("a")] = rng.uniform(0, 359, size=6)
    back = keypoints_from_internal(keypoints_to_internal(points, fmt, True), fmt, True)
    np.testing.assert_allclose(back, points, atol=1e-3)


def test_hflip_conventions() -> None:
    t = A.Compose(
        [A.HorizontalFlip(p=1.0)],
        bbox_params=A.BboxParams("pascal_voc"),
        keypoint_params=A.KeypointParams("xya"),
    )
    out = t(image=IMAGE, bboxes=[[10, 5, 30, 25]], keypoints=[[0, 0, 30], [79, 10, 90]])
    np.testing.assert_allclose(out["bboxes"], [[W - 30, 5, W - 10, 25]])  # x1' = W - x2
    np.testing.assert_allclose(out["keypoints"], [[79, 0, 150], [0, 10, 90]], atol=1e-4)  # x' = W - 1 - x


def test_vflip_conventions() -> None:
    t = A.Compose(
        [A.VerticalFlip(p=1.0)], bbox_params=A.BboxParams("coco"), keypoint_params=A.KeypointParams("yx")
    )
    out = t(image=IMAGE, bboxes=[[10, 5, 20, 20]], keypoints=[[0, 3]])
    np.testing.assert_allclose(out["bboxes"], [[10, H - 25, 20, 20]])
    np.testing.assert_allclose(out["keypoints"], [[H - 1, 3]])


def test_resize_conventions() -> None:
    t = A.Compose(
        [A.Resize(height=120, width=40)],
        bbox_params=A.BboxParams("pascal_voc"),
        keypoint_params=A.KeypointParams("xys"),
    )
    out = t(image=IMAGE, bboxes=[[10, 5, 30, 25]], keypoints=[[0, 0, 2.0], [79, 59, 1.0]])
    np.testing.assert_allclose(out["bboxes"], [[5, 10, 15, 50]])
    # Pixel centres: (x + 0.5) * s - 0.5; scale grows by max(sx, sy).
    np.testing.assert_allclose(out["keypoints"], [[-0.25, 0.5, 4.0], [39.25, 118.5, 2.0]])


def test_invisible_free_keypoints_are_removed_with_their_labels() -> None:
    t = A.Compose(
        [A.Crop(x_min=20, y_min=0, x_max=80, y_max=60)],
        keypoint_params=A.KeypointParams("xy", label_fields=["kind"]),
    )
    out = t(image=IMAGE, keypoints=np.array([[5.0, 5.0], [25.0, 5.0]]), kind=np.array(["a", "b"]))
    np.testing.assert_allclose(out["keypoints"], [[5, 5]])
    assert out["kind"].tolist() == ["b"]
    kept = A.Compose(
        [A.Crop(x_min=20, y_min=0, x_max=80, y_max=60)],
        keypoint_params=A.KeypointParams("xy", remove_invisible=False),
    )(image=IMAGE, keypoints=[[5.0, 5.0]])
    np.testing.assert_allclose(kept["keypoints"], [[-15, 5]])


def test_label_mapping_swaps_labels_on_flip() -> None:
    params = A.KeypointParams(
        "xy",
        label_fields=["side"],
        label_mapping={"HorizontalFlip": {"side": {"left": "right", "right": "left"}}},
    )
    out = A.Compose([A.HorizontalFlip(p=1.0)], keypoint_params=params)(
        image=IMAGE, keypoints=[[1, 1], [2, 2]], side=["left", "right"]
    )
    assert out["side"] == ["right", "left"]
    # Rows swap (labels travel with them), so that row i keeps meaning joint i: the reference's rule.
    np.testing.assert_allclose(out["keypoints"], [[IMAGE.shape[1] - 3, 2], [IMAGE.shape[1] - 2, 1]])
    untouched = A.Compose([A.VerticalFlip(p=1.0)], keypoint_params=params)(
        image=IMAGE, keypoints=[[1, 1]], side=["left"]
    )
    assert untouched["side"] == ["left"]
