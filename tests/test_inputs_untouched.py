"""No transform writes into the caller's arrays (images, masks, boxes, keypoints, metadata)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import instaug as A

from helpers import PIXEL, donor, make_scene, mosaic_item

EVERY_TRANSFORM = [
    A.HorizontalFlip(p=1),
    A.VerticalFlip(p=1),
    A.Transpose(p=1),
    A.RandomRotate90(group_element="r90"),
    A.D4(group_element="hvt"),
    A.SquareSymmetry(group_element="r270"),
    A.RandomCrop(60, 70, p=1),
    A.CenterCrop(60, 70, p=1),
    A.Crop(5, 5, 90, 80, p=1),
    A.RandomResizedCrop(size=(50, 60), p=1),
    A.RandomSizedCrop(min_max_height=(20, 40), size=(30, 30), w2h_ratio=1.5),
    A.Resize(50, 60, p=1),
    A.LongestMaxSize(max_size=100, p=1),
    A.LetterBox(size=(70, 90), p=1),
    A.SmallestMaxSize(max_size=100, p=1),
    A.PadIfNeeded(120, 140, p=1),
    A.Pad(padding=(3, 5, 7, 9), p=1),
    A.CropAndPad(px=(-10, 10), keep_size=True, p=1),
    A.RandomCropFromBorders(p=1),
    A.BBoxSafeRandomCrop(erosion_rate=0.2, p=1),
    A.RandomSizedBBoxSafeCrop(50, 60, p=1),
    A.BBoxSubsetSafeRandomCrop(p=1),
    A.AtLeastOneBBoxRandomCrop(40, 50, p=1),
    A.CropNonEmptyMaskIfExists(40, 50, p=1),
    A.Affine(rotate=(10, 10), p=1),
    A.Rotate(angle_range=(20, 20), p=1),
    A.SafeRotate(angle_range=(35, 35), p=1),
    A.RandomGridShuffle(grid=(3, 2), p=1),
    A.Morphological(scale=(3, 3), operation="erosion", p=1),
    A.ShiftScaleRotate(p=1),
    A.Perspective(p=1),
    A.OpticalDistortion(distort_range=(0.3, 0.3), p=1),
    A.GridDistortion(p=1),
    A.GridElasticDeform(num_grid_xy=(4, 4), magnitude=5),
    A.PiecewiseAffine(p=1),
    A.ElasticTransform(p=1),
    A.ThinPlateSpline(p=1),
    A.WaterRefraction(p=1),
    A.PixelSpread(p=1),
    A.CoarseDropout(num_holes_range=(3, 3), fill_mask=0, p=1),
    A.GridDropout(fill="random", fill_mask=1, p=1),
    A.Erasing(fill="inpaint_telea", p=1),
    A.TimeReverse(p=1),
    A.TimeMasking(time_mask_param=20, p=1),
    A.FrequencyMasking(freq_mask_param=20, p=1),
    A.XYMasking(num_masks_x_range=(1, 2), mask_x_length_range=(0.1, 0.3), fill="random_uniform", p=1),
    A.GridMask(rotation_range=(0.2, 0.5), fill="grayscale", p=1),
    A.PixelDropout(dropout_prob=0.3, mask_drop_value=0, p=1),
    A.ConstrainedCoarseDropout(
        hole_height_range=(0.5, 0.5), bbox_labels=["object-1", "object-2"], fill_mask=0, p=1
    ),
    A.GuidedCoarseDropout(protected_bbox_labels=["object-1"], fill="random", fill_mask=0, p=1),
    A.MaskDropout(max_objects_range=(1, 2), p=1),
    A.Mosaic(target_size=(90, 100), cell_shape=(80, 90), p=1),
    A.CopyAndPaste(p=1),
    A.RandomCropNearBBox(p=1),
    A.OverlayElements(p=1),
    A.HistogramMatching(p=1),
    A.FDA(beta_range=(0.2, 0.3), p=1),
    A.PixelDistributionAdaptation(p=1),
    A.PixelDistributionAdaptation(transform_type="minmax", p=1),
    A.ToFloat(max_value=300),
    # Every factor the identity: only the channel order changes (it wrote into the input).
    A.PhotoMetricDistort((1, 1), (1, 1), (1, 1), (0, 0), distort_p=1, p=1),
    A.FromFloat(max_value=100),
    *PIXEL,
]


def call_values(transform, image: np.ndarray, other_image: np.ndarray) -> dict:
    """What the transform reads from the call besides the targets (see instaug._call_values)."""
    made = {
        "box": np.array([5.0, 8.0, 40.0, 30.0]),
        "images": [other_image, image[::2, ::3]],
        "region": (np.arange(image.shape[0] * image.shape[1]) % 3 == 0).reshape(image.shape[:2]),
    }
    return {key: made[kind] for key, kind in transform.call_keys().items()}


@pytest.mark.parametrize("transform", EVERY_TRANSFORM, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_inputs_are_never_written(transform, dtype) -> None:
    rng = np.random.default_rng(0)
    scene, other = make_scene(rng, n=4), make_scene(rng, n=3, first_id=100)
    image = scene.image if dtype == np.uint8 else (scene.image / 255).astype(np.float32)
    other_image = other.image if dtype == np.uint8 else (other.image / 255).astype(np.float32)
    metadata = {
        "mosaic_metadata": [dict(mosaic_item(other, ("masks", "bboxes", "keypoints")), image=other_image)],
        "copy_paste_metadata": [dict(donor(other, i), image=other_image) for i in other.instances],
        "overlay_metadata": [
            {
                "image": other_image,
                "bbox": [0.1, 0.2, 0.6, 0.5],
                "mask": other.instances[0]["mask"],
                "mask_id": 1,
            },
            {"image": other_image[:10, :20]},
        ],
    }
    metadata.update(call_values(transform, image, other_image))
    instances = scene.instances
    before = copy.deepcopy((image, instances, metadata))
    t = A.Compose(
        [transform],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["class_name", "color"]),
        keypoint_params=A.KeypointParams("xy", label_fields=["kp_kind"]),
        instance_binding=["masks", "bboxes", "keypoints"],
        seed=0,
    )
    for _ in range(2):
        t(image=image, instances=instances, **metadata)
    after = (image, instances, metadata)
    np.testing.assert_array_equal(after[0], before[0])
    for a, b in zip(after[1], before[1]):
        for key in ("mask", "bbox", "keypoints"):
            np.testing.assert_array_equal(a[key], b[key])
    for key in metadata:
        if isinstance(before[2][key], list) and isinstance(before[2][key][0], np.ndarray):  # images
            assert len(after[2][key]) == len(before[2][key])
            for a, b in zip(after[2][key], before[2][key]):
                np.testing.assert_array_equal(a, b)
            continue
        if not isinstance(before[2][key], list) or not isinstance(before[2][key][0], dict):
            np.testing.assert_array_equal(np.asarray(after[2][key]), np.asarray(before[2][key]))
            continue
        for a, b in zip(after[2][key], before[2][key]):
            for field in ("image", "masks", "mask", "bboxes"):
                if field in a:
                    np.testing.assert_array_equal(a[field], b[field])
