"""Every refusal: its exception type and a message naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A

IMAGE = np.zeros((40, 50, 3), dtype=np.uint8)


def one_instance(**overrides):
    mask = np.zeros((40, 50), dtype=np.uint8)
    mask[5:15, 5:20] = 1
    inst = {"mask": mask, "bbox": np.array([5, 5, 20, 15.0]), "bbox_labels": {"cls": 1}}
    inst.update(overrides)
    return inst


def bound(binding=("masks", "bboxes"), **kwargs):
    return A.Compose(
        [A.HorizontalFlip(p=1.0)],
        bbox_params=A.BboxParams(coord_format="pascal_voc", label_fields=["cls"]),
        keypoint_params=kwargs.pop("keypoint_params", None),
        instance_binding=list(binding),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("binding", "match"),
    [
        (["masks"], "at least two"),
        (["mask", "masks"], "mutually exclusive"),
        (["masks", "boxes"], "unknown targets"),
        ("masks", "list of target names"),
    ],
)
def test_binding_refused_at_construction(binding, match) -> None:
    with pytest.raises(ValueError, match=match):
        A.Compose([], bbox_params=A.BboxParams("pascal_voc"), instance_binding=binding)


def test_binding_needs_its_params() -> None:
    with pytest.raises(ValueError, match="bbox_params"):
        A.Compose([], instance_binding=["masks", "bboxes"])
    with pytest.raises(ValueError, match="keypoint_params"):
        A.Compose([], bbox_params=A.BboxParams("coco"), instance_binding=["bboxes", "keypoints"])


def test_binding_order_and_duplicates_do_not_matter() -> None:
    a = bound(("bboxes", "masks", "masks"))
    assert a.instance_binding == frozenset({"masks", "bboxes"})


def test_instances_must_be_a_list() -> None:
    with pytest.raises(TypeError, match="instances must be a list"):
        bound()(image=IMAGE, instances=one_instance())


def test_instance_items_must_be_dicts() -> None:
    with pytest.raises(TypeError, match=r"instances\[1\] must be a dict"):
        bound()(image=IMAGE, instances=[one_instance(), [1, 2]])


@pytest.mark.parametrize("bad", [[1, 2, 3], [1, 2, np.nan, 4], "abcd", [[1, 2], [3]], None])
def test_bad_instance_bbox_names_the_instance(bad) -> None:
    with pytest.raises(ValueError, match=r"instances\[2\]\['bbox'\] must be 4 finite numbers"):
        bound()(image=IMAGE, instances=[one_instance(), one_instance(), one_instance(bbox=bad)])


def test_instance_bboxes_of_any_four_number_shape() -> None:
    """A list, a (4,) array and a (1, 4) array are each four numbers, stacked or not."""
    boxes = [[5, 5, 20, 15], np.array([5, 5, 20, 15.0]), np.array([[5, 5, 20, 15.0]])]
    out = bound()(image=IMAGE, instances=[one_instance(bbox=b) for b in boxes])
    assert [list(i["bbox"]) for i in out["instances"]] == [[30, 5, 45, 15]] * 3


def test_missing_key_names_index_and_key() -> None:
    inst = one_instance()
    del inst["bbox"]
    with pytest.raises(ValueError, match=r"instances\[1\] is missing key 'bbox'"):
        bound()(image=IMAGE, instances=[one_instance(), inst])


def test_labels_must_be_dicts() -> None:
    with pytest.raises(TypeError, match=r"instances\[0\]\['bbox_labels'\] must be a dict"):
        bound()(image=IMAGE, instances=[one_instance(bbox_labels=[1])])


def test_missing_label_field() -> None:
    with pytest.raises(ValueError, match="missing label field 'cls'"):
        bound()(image=IMAGE, instances=[one_instance(bbox_labels={"other": 1})])


def test_keypoint_labels_must_be_dicts_with_one_label_per_keypoint() -> None:
    t = bound(("bboxes", "keypoints"), keypoint_params=A.KeypointParams("xy", label_fields=["kind"]))
    inst = {"bbox": [1, 1, 9, 9], "keypoints": np.array([[2, 2], [3, 3]]), "bbox_labels": {"cls": 0}}
    with pytest.raises(TypeError, match="keypoint_labels"):
        t(image=IMAGE, instances=[dict(inst, keypoint_labels=["a", "b"])])
    with pytest.raises(ValueError, match="one label per keypoint"):
        t(image=IMAGE, instances=[dict(inst, keypoint_labels={"kind": ["a"]})])
    with pytest.raises(ValueError, match=r"must be \(K, 2\)"):
        t(
            image=IMAGE,
            instances=[dict(inst, keypoints=np.zeros((2, 3)), keypoint_labels={"kind": ["a", "b"]})],
        )


@pytest.mark.parametrize("key", ["masks", "bboxes"])
def test_bound_targets_next_to_instances_refused(key) -> None:
    with pytest.raises(ValueError, match="inside instances"):
        bound()(image=IMAGE, instances=[one_instance()], **{key: []})


def test_instances_without_binding_refused() -> None:
    with pytest.raises(ValueError, match="instance_binding"):
        A.Compose([])(image=IMAGE, instances=[])


def test_mask_shape_must_match_image() -> None:
    with pytest.raises(ValueError, match=r"instances\[0\]\['mask'\] must be \(40, 50\)"):
        bound()(image=IMAGE, instances=[one_instance(mask=np.zeros((10, 10), np.uint8))])


def test_bbox_outside_image_refused_unless_clipped() -> None:
    with pytest.raises(ValueError, match="outside the 50x40 image"):
        bound()(image=IMAGE, instances=[one_instance(bbox=[-5, 5, 20, 15])])
    clipped = A.Compose(
        [],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["cls"], clip_bboxes_on_input=True),
        instance_binding=["masks", "bboxes"],
    )(image=IMAGE, instances=[one_instance(bbox=[-5, 5, 20, 15])])
    np.testing.assert_allclose(clipped["instances"][0]["bbox"], [0, 5, 20, 15])


def test_inverted_bbox_refused_unless_filtered() -> None:
    with pytest.raises(ValueError, match="x_max <= x_min"):
        bound()(image=IMAGE, instances=[one_instance(bbox=[20, 5, 5, 15])])
    out = A.Compose(
        [],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["cls"], filter_invalid_bboxes=True),
        instance_binding=["masks", "bboxes"],
    )(image=IMAGE, instances=[one_instance(bbox=[20, 5, 5, 15]), one_instance()])
    assert len(out["instances"]) == 1


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: A.Rotate(angle_range=30), "angle_range must be a \\(min, max\\) tuple"),
        (lambda: A.Affine(rotate=15), "rotate must be a \\(min, max\\) tuple"),
        (lambda: A.Affine(scale=1.2), "scale must be a \\(min, max\\) tuple"),
        (lambda: A.Perspective(scale=0.1), "scale must be a \\(min, max\\) tuple"),
        (lambda: A.RandomResizedCrop(size=(10, 10), scale=0.5), "scale must be a \\(min, max\\) tuple"),
        (lambda: A.Rotate(angle_range=(30, -30)), "min <= max"),
        (lambda: A.Affine(translate_percent=(0.1, 0.1), translate_px=(1, 2)), "at most one"),
        (lambda: A.Affine(scale={"x": (1, 2), "y": (1, 1)}), "keep_ratio"),
        (lambda: A.HorizontalFlip(p=1.5), "p must be a number in \\[0, 1\\]"),
        (lambda: A.Affine(interpolation=9), "interpolation must be an OpenCV interpolation flag"),
        (lambda: A.Rotate(border_mode=17), "border_mode must be an OpenCV border flag"),
        (lambda: A.RandomCrop(height=0, width=5), "height must be >= 1"),
        (lambda: A.Crop(x_min=10, x_max=5), "x_max must be greater than x_min"),
        (lambda: A.RandomCrop(10, 10, pad_position="middle"), "pad_position must be one of"),
        (lambda: A.LongestMaxSize(), "exactly one of max_size and max_size_hw"),
        (lambda: A.PadIfNeeded(min_height=10, pad_height_divisor=4), "exactly one of min_height"),
        (lambda: A.Affine(fill="black"), "fill must be a number"),
        (lambda: A.BboxParams("xyxy"), "coord_format must be one of"),
        (lambda: A.BboxParams("coco", min_visibility=2), "min_visibility must be in \\[0, 1\\]"),
        (lambda: A.KeypointParams("xyxy"), "coord_format must be one of"),
        (lambda: A.KeypointParams("xy", label_mapping=[1]), "label_mapping must be"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_range_given_as_list_becomes_tuple() -> None:
    assert A.Rotate(angle_range=[-5, 5]).angle_range == (-5.0, 5.0)


def test_unknown_keyword_is_type_error() -> None:
    with pytest.raises(TypeError, match="rotate_limit"):
        A.Rotate(rotate_limit=(1, 2))
    with pytest.raises(TypeError, match="coord"):
        A.BboxParams(coord="coco")


def test_bbox_params_needs_coord_format() -> None:
    with pytest.raises(TypeError, match="coord_format"):
        A.BboxParams()


def test_crop_larger_than_image_names_the_size() -> None:
    with pytest.raises(ValueError, match=r"RandomCrop: crop size \(height, width\)=\(50, 60\) exceeds"):
        A.Compose([A.RandomCrop(50, 60)])(image=IMAGE)


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (np.zeros((4, 4, 3), np.int32), ValueError, "image must be uint8 or float32"),
        (np.zeros((4, 4, 5), np.uint8), ValueError, "1 to 4 channels"),
        ([[1, 2], [3, 4]], TypeError, "image must be a numpy array"),
    ],
)
def test_bad_images(image, error, match) -> None:
    with pytest.raises(error, match=match):
        A.Compose([A.HorizontalFlip()])(image=image)


def test_positional_call_refused() -> None:
    with pytest.raises(TypeError, match="keyword arguments only"):
        A.Compose([])(IMAGE)


def test_transforms_must_be_transforms() -> None:
    with pytest.raises(TypeError, match=r"transforms\[1\]"):
        A.Compose([A.HorizontalFlip(), "flip"])


def test_plain_bboxes_need_their_label_fields() -> None:
    t = A.Compose([], bbox_params=A.BboxParams("pascal_voc", label_fields=["cls"]))
    with pytest.raises(ValueError, match="label field 'cls'"):
        t(image=IMAGE, bboxes=[[1, 1, 5, 5]])
    with pytest.raises(ValueError, match="1 bboxes"):
        t(image=IMAGE, bboxes=[[1, 1, 5, 5]], cls=[1, 2])


def test_wide_integer_masks_refuse_smooth_mask_interpolation() -> None:
    t = A.Compose([A.Affine(rotate=(5, 5), mask_interpolation=1, p=1.0)])
    with pytest.raises(ValueError, match="64-bit"):
        t(image=IMAGE, mask=np.zeros((40, 50), np.int64))
