"""The survival rules at their edges: a row lives or dies whole, exactly at the thresholds."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A

IMAGE = np.zeros((100, 100, 3), dtype=np.uint8)


def row(box, mask_box=None):
    mask = np.zeros((100, 100), dtype=np.uint8)
    x1, y1, x2, y2 = mask_box or box
    mask[y1:y2, x1:x2] = 1
    return {"mask": mask, "bbox": np.array(box, dtype=np.float32), "bbox_labels": {"cls": "a"}, "id": 1}


def survivors(transforms, instances, **bbox_kwargs):
    t = A.Compose(
        transforms,
        bbox_params=A.BboxParams("pascal_voc", label_fields=["cls"], **bbox_kwargs),
        instance_binding=["masks", "bboxes"],
        seed=0,
    )
    return t(image=IMAGE, instances=instances)["instances"]


# Crop x from 5: box [0, 0, 10, 10] keeps [0, 0, 5, 10] of itself (area 50, visibility 0.5).
CROP = [A.Crop(x_min=5, y_min=0, x_max=100, y_max=100)]
BOX = [0, 0, 10, 10]


@pytest.mark.parametrize(
    ("kwargs", "alive"),
    [
        ({"min_area": 50.0}, True),
        ({"min_area": 50.01}, False),
        # visibility is exactly 0.5 here; the reference's epsilon makes 0.5 itself a float coin toss
        ({"min_visibility": 0.4999}, True),
        ({"min_visibility": 0.5001}, False),
        ({"min_width": 5.0}, True),
        ({"min_width": 5.01}, False),
        ({"min_height": 10.0}, True),
        ({"min_height": 10.01}, False),
        ({"max_accept_ratio": 2.0}, True),
        ({"max_accept_ratio": 1.99}, False),
    ],
)
def test_thresholds_at_their_edges(kwargs, alive) -> None:
    out = survivors(CROP, [row(BOX)], **kwargs)
    assert (len(out) == 1) is alive
    if alive:
        np.testing.assert_allclose(out[0]["bbox"], [0, 0, 5, 10])
        assert out[0]["mask"].sum() == 50


def test_box_cropped_away_dies_whole() -> None:
    out = survivors([A.Crop(x_min=20, y_min=0, x_max=100, y_max=100)], [row(BOX), row([30, 30, 40, 40])])
    assert len(out) == 1
    np.testing.assert_allclose(out[0]["bbox"], [10, 30, 20, 40])


def test_row_with_a_blank_input_mask_lives_by_its_box() -> None:
    # No transform emptied its mask, so the mask is no verdict (albumentationsx keeps it too).
    inst = row(BOX)
    inst["mask"][:] = 0
    out = survivors([A.HorizontalFlip(p=1.0)], [inst, row([30, 30, 40, 40])])
    assert [o["bbox"][0] for o in out] == [100 - BOX[2], 60]
    assert not out[0]["mask"].any()


def test_mask_cut_away_while_box_survives_kills_the_row() -> None:
    # The box reaches into the kept window, the mask does not: the row dies with its mask.
    inst = row([0, 0, 30, 30], mask_box=(0, 0, 10, 10))
    assert survivors([A.Crop(x_min=15, y_min=0, x_max=100, y_max=100)], [inst]) == []


def test_check_each_transform_false_judges_only_at_the_end() -> None:
    # Crop moves the box wholly out of frame; padding brings it back. Checked after each transform
    # the row dies at the crop; checked only at the end it survives.
    steps = [
        A.Crop(x_min=50, y_min=0, x_max=100, y_max=100),
        A.PadIfNeeded(min_height=100, min_width=170, position="center"),
    ]
    assert survivors(steps, [row(BOX)]) == []
    # Bound to a mask, the row still dies: the crop cut its mask away.
    assert survivors(steps, [row(BOX)], check_each_transform=False) == []
    box_only = A.Compose(
        steps, bbox_params=A.BboxParams("pascal_voc", check_each_transform=False), instance_binding=None
    )(image=IMAGE, bboxes=[BOX])
    np.testing.assert_allclose(box_only["bboxes"], [[10, 0, 20, 10]])


def test_bbox_from_mask_gives_tight_boxes_after_rotation() -> None:
    inst = row([30, 30, 70, 70])
    loose = survivors([A.Rotate(angle_range=(45, 45), p=1.0)], [inst])[0]
    tight = survivors([A.Rotate(angle_range=(45, 45), p=1.0)], [inst], bbox_from_mask=True)[0]
    ys, xs = np.nonzero(tight["mask"])
    np.testing.assert_array_equal(tight["bbox"], [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    loose_area = (loose["bbox"][2] - loose["bbox"][0]) * (loose["bbox"][3] - loose["bbox"][1])
    tight_area = (tight["bbox"][2] - tight["bbox"][0]) * (tight["bbox"][3] - tight["bbox"][1])
    assert tight_area < loose_area


def test_masks_and_keypoints_binding_rows_die_with_their_mask() -> None:
    t = A.Compose(
        [A.Crop(x_min=20, y_min=0, x_max=100, y_max=100)],
        keypoint_params=A.KeypointParams("xy"),
        instance_binding=["masks", "keypoints"],
    )
    a, b = row(BOX), row([30, 30, 40, 40])
    for inst in (a, b):
        inst["keypoints"] = np.array([[5.0, 5.0]])
    out = t(image=IMAGE, instances=[a, b])["instances"]
    assert len(out) == 1 and out[0]["mask"].sum() == 100
    np.testing.assert_allclose(out[0]["keypoints"], [[-15, 5]])  # bound keypoints stay, even outside


def test_zero_instances() -> None:
    out = survivors([A.Rotate(angle_range=(10, 10), p=1.0)], [])
    assert out == []


def test_any_mask_dtype_is_kept() -> None:
    for dtype in (np.bool_, np.uint8, np.int16, np.uint16, np.int32, np.int64):
        inst = row([10, 10, 40, 40])
        inst["mask"] = (inst["mask"] * 3).astype(dtype)
        out = survivors([A.Affine(rotate=(20, 20), p=1.0), A.Resize(50, 60)], [inst])
        assert out[0]["mask"].dtype == np.dtype(dtype)
        assert out[0]["mask"].shape == (50, 60)
        assert set(np.unique(out[0]["mask"]).tolist()) <= {0, 1 if dtype is np.bool_ else 3}


def test_mask_binding_keeps_channel_axis() -> None:
    inst = row([10, 10, 40, 40])
    inst["mask"] = inst["mask"][:, :, None]
    t = A.Compose(
        [A.VerticalFlip(p=1.0)],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["cls"]),
        instance_binding=["mask", "bboxes"],
    )
    out = t(image=IMAGE, instances=[inst])["instances"]
    assert out[0]["mask"].shape == (100, 100, 1)
    np.testing.assert_allclose(out[0]["bbox"], [10, 60, 40, 90])
