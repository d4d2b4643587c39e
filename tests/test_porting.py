"""What porting real pipelines found: the call styles, options and label rules of albumentationsx
that instaug lacked or got wrong, each checked against the reference where it runs here."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A

from helpers import import_reference, make_scene

IMAGE = np.zeros((64, 64, 3), np.uint8)


# -- plain bboxes= with mixing transforms ------------------------------------------------------


def test_plain_bboxes_with_mosaic_keep_the_neighbours_rows_and_labels() -> None:
    # IndexError (plain_boxes[ids]) as soon as a neighbour's box survived.
    compose = A.Compose(
        [A.Mosaic(target_size=(64, 64), cell_shape=(64, 64), center_range=(0.5, 0.5), p=1)],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["cls"]),
        seed=0,
    )
    neighbours = [{"image": IMAGE, "bboxes": [[0, 0, 64, 64, 9.0]], "bbox_labels": {"cls": [7]}}] * 3
    out = compose(image=IMAGE, bboxes=[[0, 0, 64, 64, 5.0]], cls=[1], mosaic_metadata=neighbours)
    assert len(out["bboxes"]) == 4 and out["cls"] == [1, 7, 7, 7]
    assert out["bboxes"][:, 4].tolist() == [5.0, 9.0, 9.0, 9.0]  # extra columns travel with the row


def test_plain_bboxes_with_copy_and_paste_keep_the_donor_rows() -> None:
    compose = A.Compose(
        [A.CopyAndPaste(p=1)], bbox_params=A.BboxParams("pascal_voc", label_fields=["cls"]), seed=0
    )
    donor_mask = np.zeros((64, 64), np.uint8)
    donor_mask[10:20, 10:30] = 1
    donor = {"image": IMAGE + 50, "mask": donor_mask, "bbox": [10, 10, 30, 20], "bbox_labels": {"cls": 3}}
    out = compose(image=IMAGE, bboxes=[[40, 40, 60, 60]], cls=[1], copy_paste_metadata=[donor])
    assert out["cls"] == [1, 3]
    assert out["bboxes"].shape == (2, 4)


def test_plain_bboxes_extra_columns_must_match_across_sources() -> None:
    compose = A.Compose(
        [A.Mosaic(target_size=(64, 64), cell_shape=(64, 64), p=1)], bbox_params=A.BboxParams("pascal_voc")
    )
    neighbours = [{"image": IMAGE, "bboxes": [[0, 0, 64, 64]]}]
    with pytest.raises(ValueError, match=r"mosaic_metadata\[0\]\['bboxes'\]: its boxes carry 0 column"):
        compose(image=IMAGE, bboxes=[[0, 0, 64, 64, 5.0]], mosaic_metadata=neighbours)


# -- KeypointParams(label_mapping=...) ---------------------------------------------------------

MAPPING = {"HorizontalFlip": {"keypoint_labels": {"left_eye": "right_eye", "right_eye": "left_eye"}}}
POINTS = [[2.0, 3.0], [7.0, 3.0], [5.0, 6.0]]
NAMES = ["left_eye", "right_eye", "nose"]


def _plain(library, transform, names=NAMES, points=POINTS):
    params = library.KeypointParams(
        coord_format="xy", label_fields=["keypoint_labels"], label_mapping=MAPPING
    )
    compose = library.Compose([transform], keypoint_params=params)
    out = compose(image=np.zeros((10, 10, 3), np.uint8), keypoints=points, keypoint_labels=names)
    return np.asarray(out["keypoints"]).tolist(), list(out["keypoint_labels"])


@pytest.mark.filterwarnings("ignore")
def test_label_mapping_swaps_whole_rows_on_a_flip_as_the_reference() -> None:
    # instaug renamed labels and kept rows: pose code reading row i as joint i got left and right
    # swapped on every flipped sample.
    reference = import_reference("albumentations", needed_by="the label_mapping comparison")
    ours = _plain(A, A.HorizontalFlip(p=1))
    assert ours == ([[2.0, 3.0], [7.0, 3.0], [4.0, 6.0]], ["right_eye", "left_eye", "nose"])
    assert ours == _plain(reference, reference.HorizontalFlip(p=1))
    # A transform the mapping does not name leaves rows and labels; a lone label is renamed.
    assert _plain(A, A.VerticalFlip(p=1)) == _plain(reference, reference.VerticalFlip(p=1))
    lone = (["left_eye", "nose"], [[2.0, 3.0], [5.0, 6.0]])
    assert _plain(A, A.HorizontalFlip(p=1), *lone) == _plain(reference, reference.HorizontalFlip(p=1), *lone)


def test_label_mapping_swaps_rows_inside_each_instance() -> None:
    params = A.KeypointParams("xy", label_fields=["keypoint_labels"], label_mapping=MAPPING)
    compose = A.Compose(
        [A.HorizontalFlip(p=1)],
        bbox_params=A.BboxParams("pascal_voc"),
        keypoint_params=params,
        instance_binding=["bboxes", "keypoints"],
    )
    person = {"bbox": [1, 1, 9, 9], "keypoints": POINTS, "keypoint_labels": {"keypoint_labels": NAMES}}
    other = {
        "bbox": [0, 0, 4, 4],
        "keypoints": [[1.0, 1.0]],
        "keypoint_labels": {"keypoint_labels": ["nose"]},
    }
    out = compose(image=np.zeros((10, 10, 3), np.uint8), instances=[person, other])
    first, second = out["instances"]
    assert first["keypoints"].tolist() == [[2.0, 3.0], [7.0, 3.0], [4.0, 6.0]]
    assert first["keypoint_labels"]["keypoint_labels"] == ["right_eye", "left_eye", "nose"]
    assert second["keypoints"].tolist() == [[8.0, 1.0]]


def test_label_mapping_applies_to_a_flip_chosen_inside_a_composition() -> None:
    assert _plain(A, A.OneOf([A.HorizontalFlip(p=1)], p=1))[1] == ["right_eye", "left_eye", "nose"]


# -- call options: invocation_seed, force_apply, strict ----------------------------------------


def _pipeline(seed: int | None) -> A.Compose:
    return A.Compose([A.RandomCrop(32, 32), A.HorizontalFlip(), A.RandomBrightnessContrast()], seed=seed)


def test_invocation_seed_makes_a_call_a_function_of_its_inputs() -> None:
    # It was silently ignored (and passed through as a data key).
    image = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    outs = [_pipeline(seed)(image=image, invocation_seed=42)["image"] for seed in (1, 2, None)]
    assert all(np.array_equal(outs[0], o) for o in outs)
    assert "invocation_seed" not in _pipeline(1)(image=image, invocation_seed=42)
    others = [_pipeline(1)(image=image, invocation_seed=s)["image"] for s in range(43, 53)]
    assert not all(np.array_equal(outs[0], o) for o in others)


def test_a_seeded_call_does_not_advance_the_stream() -> None:
    image = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    plain, interrupted = _pipeline(5), _pipeline(5)
    first = plain(image=image)["image"]
    interrupted(image=image, invocation_seed=7)
    assert np.array_equal(first, interrupted(image=image)["image"])


def test_invocation_seed_in_a_batch_equals_the_single_call() -> None:
    image = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    single = _pipeline(3)(image=image, invocation_seed=11)["image"]
    batch = _pipeline(3).batch([{"image": image, "invocation_seed": 11}, {"image": image}], num_threads=2)
    assert np.array_equal(single, batch[0]["image"])
    assert np.array_equal(_pipeline(3)(image=image)["image"], batch[1]["image"])


def test_force_apply_skips_only_the_compose_probability() -> None:
    image = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    flip = A.Compose([A.HorizontalFlip(p=1)], p=0, seed=0)
    assert np.array_equal(flip(image=image)["image"], image)
    assert np.array_equal(flip(image=image, force_apply=True)["image"], image[:, ::-1])
    never = A.Compose([A.HorizontalFlip(p=0)], p=0, seed=0)
    assert np.array_equal(never(image=image, force_apply=True)["image"], image)


def test_call_options_are_checked() -> None:
    with pytest.raises(TypeError, match="invocation_seed must be an integer"):
        _pipeline(0)(image=IMAGE, invocation_seed="x")
    with pytest.raises(TypeError, match=r"calls\[0\]: force_apply must be True or False"):
        _pipeline(0).batch([{"image": IMAGE, "force_apply": 1}])


def test_strict_refuses_keys_the_pipeline_does_not_read() -> None:
    strict = A.Compose(
        [A.HorizontalFlip()], bbox_params=A.BboxParams("coco", label_fields=["cls"]), strict=True
    )
    strict(image=IMAGE, bboxes=[[1, 1, 5, 5]], cls=[0])
    with pytest.raises(ValueError, match="Key foo is not in available keys."):
        strict(image=IMAGE, foo=1)
    assert A.Compose([A.HorizontalFlip()])(image=IMAGE, foo=1)["foo"] == 1  # not strict: passed through


# -- additional_targets ------------------------------------------------------------------------


def _twins_pipeline(**kwargs: object) -> A.Compose:
    return A.Compose(
        [
            A.OneOf([A.Affine(rotate=(-20, 20), p=1), A.RandomCrop(40, 40, p=1)], p=1),
            A.HorizontalFlip(),
            A.RandomBrightnessContrast(p=1),
            A.GaussNoise(p=0.5),
            A.HueSaturationValue(p=0.5),
        ],
        seed=3,
        **kwargs,
    )


def test_additional_targets_take_the_same_draws() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    mask = (rng.random((64, 64)) > 0.5).astype(np.uint8)
    compose = _twins_pipeline(additional_targets={"image2": "image", "mask2": "mask"})
    for _ in range(10):
        out = compose(image=image, image2=image.copy(), mask=mask, mask2=mask.copy())
        np.testing.assert_array_equal(out["image"], out["image2"])
        np.testing.assert_array_equal(out["mask"], out["mask2"])


def test_additional_targets_as_the_reference_does() -> None:
    reference = import_reference("albumentations", needed_by="the additional_targets comparison")
    rng = np.random.default_rng(1)
    image, other = rng.integers(0, 255, (2, 32, 32, 3), dtype=np.uint8)
    for library in (A, reference):
        compose = library.Compose(
            [library.HorizontalFlip(p=1), library.RandomCrop(height=16, width=16, p=1)],
            additional_targets={"image2": "image"},
            seed=0,
        )
        out = compose(image=image, image2=other)
        # The same crop window and flip: each output is its input's window, flipped, at one place.
        flipped, flipped2 = image[:, ::-1], other[:, ::-1]
        hits = [
            (y, x)
            for y in range(17)
            for x in range(17)
            if np.array_equal(flipped[y : y + 16, x : x + 16], out["image"])
            and np.array_equal(flipped2[y : y + 16, x : x + 16], out["image2"])
        ]
        assert hits, f"{library.__name__}: image2 did not take image's window"


def test_additional_targets_are_checked() -> None:
    with pytest.raises(ValueError, match=r"additional_targets\['b2'\] must be one of"):
        A.Compose([], additional_targets={"b2": "bboxes"})
    with pytest.raises(ValueError, match="additional_targets do not work with Mosaic"):
        A.Compose([A.Mosaic()], additional_targets={"image2": "image"})
    compose = A.Compose([A.HorizontalFlip()], additional_targets={"image2": "image"})
    with pytest.raises(ValueError, match=r"image2 must have the image's height and width"):
        compose(image=IMAGE, image2=np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match="Additional target 'image2' requires canonical target 'image'"):
        compose(mask=np.zeros((8, 8), np.uint8), image2=np.zeros((8, 8, 3), np.uint8))
    grey = compose(image=IMAGE, image2=np.zeros((64, 64), np.uint8))["image2"]  # other channels: fine
    assert grey.shape == (64, 64)


def test_masks_targets_come_back_in_their_container() -> None:
    compose = A.Compose([A.VerticalFlip(p=1)], additional_targets={"masks2": "masks"})
    stack = np.zeros((2, 64, 64), np.uint8)
    stack[:, 0] = 1
    out = compose(image=IMAGE, masks2=stack, masks=[stack[0]])
    assert isinstance(out["masks2"], np.ndarray) and out["masks2"].shape == (2, 64, 64)
    assert out["masks2"][:, -1].all() and isinstance(out["masks"], list)


# -- the five pipelines of the port test: their composition parts ------------------------------
# Written as their users write them. Leaves instaug does not have yet (ShiftScaleRotate, Flip,
# RandomRotate90, ImageCompression, CoarseDropout, the distortions; the vocabulary issue) stand in
# as the nearest transform it has, marked "for"; the compositions are the users' own.


# -- the five real pipelines of issue 15, unchanged but for the import line ----------------------
# Each is written once against a module `lib` and run on instaug; the reference builds and runs the
# very same code, so the pipeline is the user's, not one bent to fit us.


def _bound(lib, **extra: object) -> dict:
    return dict(
        bbox_params=lib.BboxParams("pascal_voc", label_fields=["cls"]),
        instance_binding=["masks", "bboxes"],
        seed=0,
        **extra,
    )


def _scene_call() -> tuple[np.ndarray, list[dict], list]:
    scene = make_scene(np.random.default_rng(2), height=96, width=128, n=6)
    instances = [
        {
            "mask": i["mask"],
            "bbox": i["bbox"],
            "bbox_labels": {"cls": i["bbox_labels"]["class_name"]},
            "id": i["id"],
        }
        for i in scene.instances
    ]
    return scene.image, instances, scene.instances


def _run_both(build, calls: int = 6) -> None:
    image, instances, originals = _scene_call()
    R = import_reference(needed_by="the real pipelines' reference run")
    theirs = build(R)
    for _ in range(2):
        try:
            theirs(image=image, instances=[{k: v for k, v in i.items() if k != "id"} for i in instances])
        except RuntimeError as error:  # its Affine can drop a box and keep the row's mask (README)
            assert "Instance-binding invariant violated" in str(error)
    ours = build(A)
    for _ in range(calls):
        out = ours(image=image, instances=instances)
        for inst in out["instances"]:
            assert inst["mask"].shape == out["image"].shape[:2]
            assert inst["bbox_labels"]["cls"] == originals[inst["id"]]["bbox_labels"]["class_name"]


def test_strong_aug_from_the_albumentations_docs() -> None:
    def strong_aug(lib, p: float = 0.5):
        return lib.Compose(
            [
                lib.RandomRotate90(),
                lib.HorizontalFlip(),
                lib.Transpose(),
                lib.OneOf([lib.GaussNoise()], p=0.2),
                lib.OneOf(
                    [
                        lib.MotionBlur(p=0.2),
                        lib.MedianBlur(blur_range=(3, 3), p=0.1),
                        lib.Blur(blur_range=(3, 3), p=0.1),
                    ],
                    p=0.2,
                ),
                lib.ShiftScaleRotate(
                    shift_range=(-0.0625, 0.0625), scale_range=(-0.2, 0.2), rotate_range=(-45, 45), p=0.2
                ),
                lib.OneOf(
                    [lib.OpticalDistortion(p=0.3), lib.GridDistortion(p=0.1), lib.PiecewiseAffine(p=0.3)],
                    p=0.2,
                ),
                lib.OneOf(
                    [
                        lib.CLAHE(clip_range=(1, 2)),
                        lib.Sharpen(),
                        lib.Emboss(),
                        lib.RandomBrightnessContrast(),
                    ],
                    p=0.3,
                ),
                lib.HueSaturationValue(p=0.3),
            ],
            p=p,
            **_bound(lib),
        )

    _run_both(lambda lib: strong_aug(lib, 0.9), calls=12)


def test_an_mmdet_config_built_through_getattr() -> None:
    albu_train_transforms = [
        dict(
            type="ShiftScaleRotate",
            shift_range=(-0.0625, 0.0625),
            scale_range=(0.0, 0.0),
            rotate_range=(0, 0),
            p=0.5,
        ),
        dict(type="RandomBrightnessContrast", brightness_range=(0.1, 0.3), contrast_range=(0.1, 0.3), p=0.2),
        dict(
            type="OneOf",
            transforms=[
                dict(
                    type="RGBShift",
                    r_shift_range=(-10, 10),
                    g_shift_range=(-10, 10),
                    b_shift_range=(-10, 10),
                    p=1.0,
                ),
                dict(type="HueSaturationValue", hue_shift_range=(-20, 20), sat_shift_range=(-30, 30), p=1.0),
            ],
            p=0.1,
        ),
        dict(type="ImageCompression", quality_range=(85, 95), p=0.2),
        dict(type="ChannelShuffle", p=0.1),
        dict(type="PhotoMetricDistort", p=0.3),
        dict(
            type="OneOf",
            transforms=[dict(type="Blur", blur_range=(3, 3), p=1.0), dict(type="MedianBlur", p=1.0)],
            p=0.1,
        ),
    ]

    def albu_builder(lib, cfg: dict) -> object:  # mmdet's: nested transforms first, then getattr(A, type)
        args = dict(cfg)
        kind = args.pop("type")
        if "transforms" in args:
            args["transforms"] = [albu_builder(lib, t) for t in args["transforms"]]
        return getattr(lib, kind)(**args)

    _run_both(lambda lib: lib.Compose([albu_builder(lib, t) for t in albu_train_transforms], **_bound(lib)))


def test_detectron2_large_scale_jitter() -> None:
    def lsj(lib):
        return lib.Compose(
            [
                lib.RandomScale(scale_range=(-0.9, 1.0), p=1.0),
                lib.PadIfNeeded(min_height=128, min_width=128, position="top_left"),
                lib.RandomCrop(height=128, width=128),
                lib.HorizontalFlip(),
            ],
            **_bound(lib),
        )

    _run_both(lsj)


def test_yolo_seg_with_the_ultralytics_albumentations_block() -> None:
    def yolo(lib):
        block = [  # ultralytics/data/augment.py, class Albumentations
            lib.Blur(p=0.01),
            lib.MedianBlur(p=0.01),
            lib.ToGray(p=0.01),
            lib.CLAHE(p=0.01),
            lib.RandomBrightnessContrast(p=0.0),
            lib.RandomGamma(p=0.0),
            lib.ImageCompression(quality_range=(75, 100), p=0.0),
        ]
        return lib.Compose(
            [
                lib.Sequential(
                    [lib.Affine(scale=(0.5, 1.5), translate_percent=(-0.1, 0.1), p=1), lib.HorizontalFlip()],
                    p=1,
                ),
                *block,
            ],
            **_bound(lib),
        )

    _run_both(yolo)


def test_an_rtmpose_style_pose_pipeline() -> None:
    def pose(lib):
        return lib.Compose(
            [
                lib.OneOf([lib.Blur(p=0.1), lib.MedianBlur(p=0.1)], p=1.0),
                lib.SomeOf(
                    [lib.RandomBrightnessContrast(p=1), lib.HueSaturationValue(p=1), lib.GaussNoise(p=1)], n=2
                ),
                # RTMPose's albumentations block: one hole of 20-40 % of each side.
                lib.CoarseDropout(
                    num_holes_range=(1, 1), hole_height_range=(0.2, 0.4), hole_width_range=(0.2, 0.4), p=1.0
                ),
                lib.OneOrOther(lib.HorizontalFlip(p=1), lib.NoOp(), p=0.5),
            ],
            keypoint_params=lib.KeypointParams("xy", label_fields=["keypoint_labels"], label_mapping=MAPPING),
        )

    image = np.random.default_rng(0).integers(0, 255, (10, 10, 3), dtype=np.uint8)
    R = import_reference(needed_by="the real pipelines' reference run")
    pose(R)(image=image, keypoints=POINTS, keypoint_labels=NAMES)
    ours = pose(A)
    for _ in range(8):
        out = ours(image=image, keypoints=POINTS, keypoint_labels=NAMES)
        assert out["image"].shape == image.shape and len(out["keypoints"]) <= 3
        assert len(out["keypoints"]) == len(out["keypoint_labels"])


def test_a_per_axis_dict_naming_one_axis_gives_the_other_the_same_range() -> None:
    # Affine(shear={"x": (-5, 5)}) left y at (0, 0); the reference's y takes x's range.
    R = import_reference(needed_by="the per-axis dict comparison")
    for arguments in (
        {"shear": {"x": (-5, 5)}},
        {"translate_px": {"y": (-3, 4)}},
        {"scale": {"x": (0.5, 1.0)}},
    ):
        ours, theirs = A.Affine(**arguments), R.Affine(**arguments)
        key = next(iter(arguments))
        assert {axis: tuple(r) for axis, r in getattr(ours, key).items()} == dict(getattr(theirs, key))
    with pytest.raises(ValueError, match="scale_range dict must name both 'x' and 'y'"):
        A.RandomScale(scale_range={"x": (-0.3, 0.2)})
    with pytest.raises(ValueError, match="shear dict must name 'x' and/or 'y'"):
        A.Affine(shear={})
