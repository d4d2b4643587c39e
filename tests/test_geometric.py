"""The geometric transforms, each swept against albumentationsx 2.5.1 on deterministic cases (fixed
crops, flips, zero-width ranges): same image within 1 grey level, same boxes within 1e-3 px, same
surviving rows, the same masks (nearest resampling: exact but for ties, see assert_same_mask)."""

from __future__ import annotations

import math
from fractions import Fraction

import cv2
import numpy as np
import pytest

import instaug

from helpers import calls, compose, import_reference, make_scene

ref = import_reference("albumentations", needed_by="test_geometric.py")


# Our resizes sample masks by the centre-aligned nearest rule (OpenCV's INTER_NEAREST_EXACT), the
# reference by INTER_NEAREST unless told otherwise (README, "Differences from albumentationsx"): it is
# told, so that the masks can be compared.
NEAREST_EXACT = 6  # cv2.INTER_NEAREST_EXACT


def cases(lib):
    resize = {"mask_interpolation": NEAREST_EXACT} if lib is ref else {}
    return {
        "hflip": [lib.HorizontalFlip(p=1.0)],
        "vflip": [lib.VerticalFlip(p=1.0)],
        "flips": [lib.HorizontalFlip(p=1.0), lib.VerticalFlip(p=1.0)],
        "time_reverse": [lib.TimeReverse(p=1.0)],
        "transpose": [lib.Transpose(p=1.0)],
        **{f"rotate90_{e}": [lib.RandomRotate90(group_element=e)] for e in ("r90", "r180", "r270")},
        **{f"d4_{e}": [lib.D4(group_element=e)] for e in ("e", "r90", "r180", "r270", "v", "hvt", "h", "t")},
        "square_symmetry_hvt": [lib.SquareSymmetry(group_element="hvt")],
        "rotate90_then_warp": [
            lib.RandomRotate90(group_element="r90"),
            lib.Crop(x_min=4, y_min=6, x_max=90, y_max=120),
            lib.Affine(rotate=(12, 12), p=1.0),
        ],
        "crop": [lib.Crop(x_min=10, y_min=5, x_max=100, y_max=70)],
        "center_crop": [lib.CenterCrop(height=50, width=70)],
        "center_crop_padded": [lib.CenterCrop(height=120, width=90, pad_if_needed=True)],
        "random_crop_full": [lib.RandomCrop(height=96, width=128)],
        "random_sized_crop_full": [
            lib.RandomSizedCrop(min_max_height=(96, 96), size=(64, 80), w2h_ratio=1.34, **resize)
        ],
        "resize_up": [lib.Resize(height=150, width=200, **resize)],
        "resize_down": [lib.Resize(height=61, width=77, **resize)],
        "longest_max_size": [lib.LongestMaxSize(max_size=200, **resize)],
        "smallest_max_size": [lib.SmallestMaxSize(max_size=50, **resize)],
        "random_scale_down": [lib.RandomScale(scale_range=(-0.37, -0.37), p=1.0, **resize)],
        "random_scale_per_axis": [
            lib.RandomScale(scale_range={"x": (0.5, 0.5), "y": (-0.2, -0.2)}, p=1.0, **resize)
        ],
        "letter_box_square": [lib.LetterBox(size=(64, 64), **resize)],
        "letter_box_top_left": [lib.LetterBox(size=(300, 256), position="top_left", fill=9, **resize)],
        "letter_box_linear_exact": [lib.LetterBox(size=(48, 128), interpolation=5, **resize)],
        "pad_if_needed": [lib.PadIfNeeded(min_height=130, min_width=150)],
        "pad_divisor": [
            lib.PadIfNeeded(min_height=None, min_width=None, pad_height_divisor=32, pad_width_divisor=50)
        ],
        "pad_top_left": [
            lib.PadIfNeeded(min_height=110, min_width=140, position="top_left", fill=(10, 20, 30))
        ],
        "pad_all_sides": [lib.Pad(padding=9, fill=(10, 20, 30))],
        "pad_xy": [lib.Pad(padding=(4, 11))],
        "pad_per_side": [lib.Pad(padding=(3, 0, 12, 7), fill=5, fill_mask=0)],
        "crop_and_pad_px": [lib.CropAndPad(px=(-5, 7, 3, -9), keep_size=False)],
        "crop_and_pad_percent": [lib.CropAndPad(percent=(0.1, -0.15, -0.2, 0.05), keep_size=False)],
        # Crops and pads of equal sums: keep_size has nothing to resize.
        "crop_and_pad_same_size": [lib.CropAndPad(px=(-6, 8, 6, -8), fill=40)],
        "crop_and_pad_over_crop": [lib.CropAndPad(px=(-60, 0, -50, 0), keep_size=False)],
        "crop_from_borders_none": [
            lib.RandomCropFromBorders(crop_left=0, crop_right=0, crop_top=0, crop_bottom=0)
        ],
        # The box the call gives (CALL_VALUES), clipped to the image; no shift is drawn.
        "crop_near_bbox": [lib.RandomCropNearBBox(max_part_shift=(0, 0))],
        "crop_near_bbox_own_key": [lib.RandomCropNearBBox(max_part_shift=(0, 0), cropping_bbox_key="roi")],
        "affine_scale": [lib.Affine(scale=(1.3, 1.3), p=1.0)],
        "affine_rotate": [lib.Affine(rotate=(25, 25), p=1.0)],
        "affine_shear": [lib.Affine(shear=(12, 12), p=1.0)],
        "affine_translate_px": [lib.Affine(translate_px=(7, 7), p=1.0)],
        "affine_translate_percent": [lib.Affine(translate_percent=(-0.1, -0.1), p=1.0)],
        "affine_all": [
            lib.Affine(scale=(0.8, 0.8), rotate=(-17, -17), shear=(4, 4), translate_px=(-5, -5), p=1.0)
        ],
        "affine_fit_output": [lib.Affine(rotate=(30, 30), fit_output=True, p=1.0)],
        "affine_reflect": [lib.Affine(scale=(1.2, 1.2), rotate=(10, 10), border_mode=4, p=1.0)],
        "rotate": [lib.Rotate(angle_range=(40, 40), p=1.0)],
        "shift_scale_rotate": [
            lib.ShiftScaleRotate(
                shift_range=(0.05, 0.05), scale_range=(0.1, 0.1), rotate_range=(15, 15), p=1.0
            )
        ],
        "shift_scale_rotate_per_axis": [
            lib.ShiftScaleRotate(
                shift_range_x=(-0.1, -0.1),
                shift_range_y=(0.05, 0.05),
                scale_range=(-0.2, -0.2),
                rotate_range=(-30, -30),
                fill=(20, 40, 60),
                p=1.0,
            )
        ],
        "rotate_crop_border": [lib.Rotate(angle_range=(20, 20), crop_border=True, p=1.0)],
        "perspective_zero": [lib.Perspective(scale=(0, 0), p=1.0)],
        "random_resized_crop_full": [
            lib.RandomResizedCrop(size=(64, 80), scale=(1.0, 1.0), ratio=(4 / 3, 4 / 3), **resize)
        ],
        "chain": [
            lib.HorizontalFlip(p=1.0),
            lib.Crop(x_min=4, y_min=6, x_max=120, y_max=90),
            lib.Affine(rotate=(12, 12), scale=(1.1, 1.1), p=1.0),
            lib.Resize(height=100, width=100, **resize),
        ],
    }


# Values the call carries for the transforms that read one (the rest pass them through).
CALL_VALUES = {"cropping_bbox": [-10, 20, 90, 200], "roi": (30, 5, 41, 60)}


def run(lib, name, scene, binding, **bbox_kwargs):
    transform = lib.Compose(
        cases(lib)[name],
        bbox_params=lib.BboxParams(coord_format="pascal_voc", label_fields=["class_name"], **bbox_kwargs),
        instance_binding=binding,
        seed=137,
    )
    instances = [
        {
            "mask": inst["mask"],
            "bbox": inst["bbox"],
            "bbox_labels": {"class_name": inst["bbox_labels"]["class_name"]},
        }
        for inst in scene.instances
    ]
    return transform(image=scene.image, instances=instances, **CALL_VALUES)


# Cases that scale the whole image about its centre, by (source pixels per output pixel along y, x);
# None: by the ratio of the input and output sizes (a resize of the whole image).
SCALINGS = {
    "resize_up": None,
    "random_scale_down": None,
    "random_scale_per_axis": None,
    "resize_down": None,
    "longest_max_size": None,
    "smallest_max_size": None,
    "random_resized_crop_full": None,
    "random_sized_crop_full": None,
    "affine_scale": (1 / Fraction("1.3"), 1 / Fraction("1.3")),
}


def nearest_lines(source: int, output: int, ratio: Fraction) -> tuple[np.ndarray, np.ndarray]:
    """For each output line, the source line nearest its sampling position (pixel centres at whole
    numbers, the centres of the two images aligned) twice; where the position lies halfway between
    two source lines, the two."""
    centre_out, centre_source = Fraction(output - 1, 2), Fraction(source - 1, 2)
    positions = [(i - centre_out) * ratio + centre_source for i in range(output)]
    low = [math.ceil(u - Fraction(1, 2)) for u in positions]
    high = [math.floor(u + Fraction(1, 2)) for u in positions]
    return np.clip(low, 0, source - 1), np.clip(high, 0, source - 1)


def assert_same_mask(name: str, ours: np.ndarray, theirs: np.ndarray, source: np.ndarray) -> None:
    """Both libraries resample masks by nearest neighbour, so their masks are equal pixel for pixel;
    but where a sampling position lies exactly halfway between two source pixels either is nearest,
    and OpenCV's fixed-point positions and our exact ones may break the tie differently. In the cases
    that scale the image, ours must then be one of the two source pixels (and everywhere the nearest
    one), and may differ from the reference only on such tied rows and columns."""
    assert ours.shape == theirs.shape
    differ = ours != theirs
    if name in SCALINGS:
        ratios = SCALINGS[name] or tuple(Fraction(s, o) for s, o in zip(source.shape, ours.shape))
        (y_low, y_high), (x_low, x_high) = (
            nearest_lines(s, o, r) for s, o, r in zip(source.shape, ours.shape, ratios)
        )
        picks = [source[np.ix_(y, x)] for y in (y_low, y_high) for x in (x_low, x_high)]
        assert np.any([ours == p for p in picks], axis=0).all(), f"{name}: not a nearest source pixel"
        differ &= ~((y_low != y_high)[:, None] | (x_low != x_high)[None, :])
    where = np.argwhere(differ)
    assert not differ.any(), f"{name}: {len(where)} mask pixels differ from the reference's, e.g. {where[:4]}"


@pytest.mark.parametrize("name", sorted(cases(instaug)))
@pytest.mark.parametrize("min_visibility", [0.0, 0.5])
def test_same_as_reference(name: str, min_visibility: float, monkeypatch) -> None:
    # Step by step as the reference: fused chains differ on purpose at canvas rims (test_fusion.py).
    monkeypatch.setenv("INSTAUG_NO_FUSION", "1")
    scene = make_scene(np.random.default_rng(11), n=10)
    ours = run(instaug, name, scene, ["masks", "bboxes"], min_visibility=min_visibility)
    theirs = run(ref, name, scene, ["masks", "bboxes"], min_visibility=min_visibility)
    assert ours["image"].shape == theirs["image"].shape
    diff = np.abs(ours["image"].astype(int) - theirs["image"].astype(int))
    assert diff.max() <= 1, f"image differs by up to {diff.max()} grey levels"
    ours_rows = [i["bbox_labels"]["class_name"] for i in ours["instances"]]
    theirs_rows = [i["bbox_labels"]["class_name"] for i in theirs["instances"]]
    assert ours_rows == theirs_rows
    sources = {inst["bbox_labels"]["class_name"]: inst["mask"] for inst in scene.instances}
    for a, b in zip(ours["instances"], theirs["instances"]):
        np.testing.assert_allclose(a["bbox"], b["bbox"], atol=1e-3)
        assert_same_mask(name, a["mask"], np.squeeze(b["mask"]), sources[a["bbox_labels"]["class_name"]])


def run_pose(lib, name, scene):
    transform = lib.Compose(
        cases(lib)[name],
        bbox_params=lib.BboxParams(coord_format="pascal_voc", label_fields=["class_name"]),
        keypoint_params=lib.KeypointParams(coord_format="xyas", label_fields=["kind"]),
        instance_binding=["bboxes", "keypoints"],
        seed=137,
    )
    instances = []
    for inst in scene.instances:
        center, corner = inst["keypoints"]
        points = np.array([[*center, 30.0, 2.0], [*corner, 300.0, 1.0]], dtype=np.float32)
        instances.append(
            {
                "bbox": inst["bbox"],
                "keypoints": points,
                "bbox_labels": {"class_name": inst["bbox_labels"]["class_name"]},
                "keypoint_labels": {"kind": ["center", "corner"]},
            }
        )
    return transform(image=scene.image, instances=instances, **CALL_VALUES)


def angle_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs((a - b + 180) % 360 - 180)


# With a reflecting border the reference replaces bound keypoints by their reflected copies (its
# keypoints come back off-canvas); ours keep the plain transform, checked in the test after this one.
POSE_CASES = sorted(set(cases(instaug)) - {"affine_reflect"})


@pytest.mark.filterwarnings("ignore:label_fields are set but label_mapping")
@pytest.mark.parametrize("name", POSE_CASES)
def test_keypoints_same_as_reference(name: str) -> None:
    scene = make_scene(np.random.default_rng(5), n=8)
    ours, theirs = run_pose(instaug, name, scene), run_pose(ref, name, scene)
    assert len(ours["instances"]) == len(theirs["instances"]) > 0
    assert [i["bbox_labels"] for i in ours["instances"]] == [i["bbox_labels"] for i in theirs["instances"]]
    for a, b in zip(ours["instances"], theirs["instances"]):
        assert a["keypoints"].shape == b["keypoints"].shape
        np.testing.assert_allclose(a["bbox"], b["bbox"], atol=1e-3)
        np.testing.assert_allclose(a["keypoints"][:, :2], b["keypoints"][:, :2], atol=1e-3)
        assert angle_difference(a["keypoints"][:, 2], b["keypoints"][:, 2]).max() < 1e-3
        np.testing.assert_allclose(a["keypoints"][:, 3], b["keypoints"][:, 3], rtol=1e-5)
        assert list(a["keypoint_labels"]["kind"]) == list(b["keypoint_labels"]["kind"])


def test_reflect_border_does_not_move_bound_keypoints() -> None:
    scene = make_scene(np.random.default_rng(5), n=8)

    def keypoints(border_mode: int) -> list[np.ndarray]:
        t = instaug.Compose(
            [instaug.Affine(scale=(1.2, 1.2), rotate=(10, 10), border_mode=border_mode, p=1.0)],
            bbox_params=instaug.BboxParams(coord_format="pascal_voc"),
            keypoint_params=instaug.KeypointParams(coord_format="xy"),
            instance_binding=["bboxes", "keypoints"],
        )
        instances = [{"bbox": i["bbox"], "keypoints": i["keypoints"]} for i in scene.instances]
        return [i["keypoints"] for i in t(image=scene.image, instances=instances)["instances"]]

    reflected, plain = keypoints(4), keypoints(0)
    assert len(reflected) == len(plain) > 0
    for a, b in zip(reflected, plain):
        np.testing.assert_array_equal(a, b)


def test_symmetries_draw_every_element_and_swap_the_canvas() -> None:
    image = np.arange(6 * 10 * 3, dtype=np.uint8).reshape(6, 10, 3)
    seen = {}
    pipeline = instaug.Compose([instaug.D4(p=1)], save_applied_params=True, seed=0)
    for _ in range(200):
        out = pipeline(image=image)
        applied = out["applied_transforms"]
        seen[applied[0][1]["group_element"]] = out["image"].shape
    assert set(seen) == {"e", "r90", "r180", "r270", "v", "hvt", "h", "t"}
    assert {e for e, shape in seen.items() if shape == (10, 6, 3)} == {"r90", "r270", "hvt", "t"}
    subset = instaug.Compose([instaug.RandomRotate90(group_elements=("r90", "r180"))], seed=1)
    assert {subset(image=image)["image"].shape for _ in range(50)} == {(10, 6, 3), (6, 10, 3)}
    rotated = instaug.Compose([instaug.RandomRotate90(group_element="r90")])(image=image)["image"]
    np.testing.assert_array_equal(rotated, np.rot90(image))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: instaug.RandomRotate90(group_element="r90", group_elements=("e",)), "mutually exclusive"),
        (lambda: instaug.RandomRotate90(group_elements=()), "non-empty subset"),
        (lambda: instaug.RandomRotate90(group_elements=("r90", "r90")), "duplicate"),
        (lambda: instaug.RandomRotate90(group_elements=("t",)), "must hold elements of"),
        (lambda: instaug.D4(group_element="r45"), "group_element must be one of"),
    ],
)
def test_symmetry_arguments_are_checked(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make()


# -- the non-rigid distortions -------------------------------------------------------------------
# Their maps are drawn, so each call is read back through a coordinate image: a float32 image whose
# channels hold x / W and y / H comes out holding the map itself (bilinear resampling is exact on
# linear ramps), and the same seed gives the same map to an image, masks, boxes and keypoints.
H, W = 90, 120


def _coordinate_image() -> np.ndarray:
    """x / W, y / H and 1: where the third channel comes out 1, every tap was inside the image."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    return np.dstack([xx / W, yy / H, np.ones_like(xx)]).astype(np.float32)


def _distortions(lib) -> dict[str, object]:
    return {
        "optical_camera": lib.OpticalDistortion(distort_range=(-0.4, 0.4), p=1),
        "optical_fisheye": lib.OpticalDistortion(distort_range=(-0.5, 0.5), mode="fisheye", p=1),
        "optical_low_resolution": lib.OpticalDistortion(
            distort_range=(0.3, 0.5), mode="fisheye", map_resolution_range=(0.3, 0.6), p=1
        ),
        "grid": lib.GridDistortion(num_steps=6, distort_range=(-0.3, 0.3), p=1),
        "grid_not_normalized": lib.GridDistortion(num_steps=4, normalized=False, p=1),
        "piecewise": lib.PiecewiseAffine(
            scale_range=(0.02, 0.05), nb_rows_range=(3, 5), nb_cols_range=(3, 5), p=1
        ),
        "piecewise_absolute": lib.PiecewiseAffine(scale_range=(2, 4), absolute_scale=True, p=1),
        "elastic": lib.ElasticTransform(displacement_range=(0.02, 0.05), p=1),
        "thin_plate_spline": lib.ThinPlateSpline(scale_range=(0.1, 0.3), p=1),
        "thin_plate_spline_cross": lib.ThinPlateSpline(num_control_points=2, border_mode=0, p=1),
        "water_refraction": lib.WaterRefraction(amplitude_range=(0.01, 0.03), border_mode=0, p=1),
        "pixel_spread": lib.PixelSpread(radius=2, interpolation=1, border_mode=0, p=1),
        "grid_elastic": lib.GridElasticDeform(num_grid_xy=(4, 4), magnitude=6),
    }


def _read_map(transform, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The map of the call and where it was read back exactly."""
    out = instaug.Compose([transform], seed=seed)(image=_coordinate_image())["image"]
    return out[..., 0] * W, out[..., 1] * H, out[..., 2] > 0.9999


@pytest.mark.parametrize("name", sorted(_distortions(instaug)))
def test_distortions_move_every_target_by_one_map(name: str) -> None:
    import cv2
    from albumentations.augmentations.geometric import functional as fgeometric

    rng = np.random.default_rng(1)
    image = rng.integers(0, 255, (H, W, 3), dtype=np.uint8)
    mask = (rng.random((H, W)) < 0.3).astype(np.uint8)
    boxes = np.array([[10, 12, 50, 60], [70.4, 20.6, 110, 80], [30, 30, 31, 31]], dtype=np.float64)
    keypoints = np.array([[40.0, 30.0], [80.5, 60.25], [60, 45]])
    transform = _distortions(instaug)[name]
    # A field that folds (short water waves) or jumps (PixelSpread) has no exact inverse: there the
    # point goes to the output pixel whose sample point lies nearest it, a neighbour of it.
    tolerance = 1.5 if name in ("pixel_spread", "water_refraction") else 0.05
    for seed in range(3):
        map_x, map_y, inside = _read_map(transform, seed)
        assert inside.mean() > 0.5
        t = instaug.Compose(
            [transform],
            bbox_params=instaug.BboxParams("pascal_voc", clip_after_transform=False),
            keypoint_params=instaug.KeypointParams("xy", remove_invisible=False),
            seed=seed,
        )
        out = t(image=image, mask=mask, bboxes=boxes, keypoints=keypoints)
        expected = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        assert np.abs(out["image"].astype(int) - expected)[inside].max() <= 1
        expected_mask = cv2.remap(mask, map_x, map_y, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT)
        # A map read back within float rounding of a pixel's half can tip nearest the other way.
        assert (out["mask"] != expected_mask)[inside].mean() < 0.01
        # Off the read-back part the map is unknown: there it samples nothing.
        known_x, known_y = np.where(inside, map_x, -1e4).astype(np.float32), np.where(inside, map_y, -1e4)
        if name == "grid_elastic":  # the reference's masks_from_bboxes / bboxes_from_masks rule
            from albumentations.core.bbox_utils import bboxes_from_masks, masks_from_bboxes

            moved = [
                cv2.remap(m, known_x, known_y.astype(np.float32), cv2.INTER_NEAREST)
                for m in masks_from_bboxes(boxes, (H, W))
            ]
            reference_boxes = bboxes_from_masks(np.stack(moved)).astype(np.float64)
        else:
            reference_boxes = fgeometric.remap_bboxes(
                boxes, known_x, known_y.astype(np.float32), (H, W), "hbb"
            )
        # A box that became one pixel index wide has no area left: Compose's filter drops it.
        has_area = (reference_boxes[:, 2] > reference_boxes[:, 0]) & (
            reference_boxes[:, 3] > reference_boxes[:, 1]
        )
        assert np.abs(out["bboxes"] - reference_boxes[has_area]).max() <= 1
        # Keypoints go to the output pixel whose sample point they are: the map there gives them back.
        for (x, y), (qx, qy) in zip(keypoints, out["keypoints"]):
            back_x = cv2.getRectSubPix(map_x, (1, 1), (qx, qy))[0, 0]
            back_y = cv2.getRectSubPix(map_y, (1, 1), (qx, qy))[0, 0]
            assert abs(back_x - x) < tolerance and abs(back_y - y) < tolerance, (x, y, qx, qy)


# OpticalDistortion "camera" is compared on fixed k below: the reference's map comes from the
# installed OpenCV, and OpenCV 5 (its wheel) puts it half a pixel off (README, differences).
@pytest.mark.parametrize("name", sorted(set(_distortions(instaug)) - {"optical_camera"}))
def test_distortions_displace_as_much_as_the_reference(name: str) -> None:
    def displacement(lib) -> np.ndarray:
        t = lib.Compose([_distortions(lib)[name]], seed=0)
        grid = np.mgrid[0:H, 0:W].astype(np.float32)
        out = []
        for _ in range(40):
            image = t(image=_coordinate_image())["image"]
            moved = np.hypot(image[..., 0] * W - grid[1], image[..., 1] * H - grid[0])
            out.append(np.median(moved[8:-8, 8:-8]))
        return np.array(out)

    ours, theirs = displacement(instaug), displacement(ref)
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.15 * np.mean(theirs) + 0.1
    assert abs(np.std(ours) - np.std(theirs)) < 0.35 * np.std(theirs) + 0.1


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.OpticalDistortion(distort_range=(0.3, 0.3), mode="fisheye", p=1),
        lambda lib: lib.GridDistortion(num_steps=5, distort_range=(0.2, 0.2), p=1),
        lambda lib: lib.GridDistortion(num_steps=7, distort_range=(-0.25, -0.25), normalized=False, p=1),
    ],
    ids=["fisheye", "grid", "grid_not_normalized"],
)
def test_fixed_distortions_match_the_reference(make) -> None:
    rng = np.random.default_rng(2)
    image = rng.integers(0, 255, (H, W, 3), dtype=np.uint8)
    mask = (rng.random((H, W)) < 0.3).astype(np.uint8)
    boxes = np.array([[10, 12, 50, 60], [70, 20, 110, 80]], dtype=np.float64)
    outs = [
        lib.Compose([make(lib)], bbox_params=lib.BboxParams("pascal_voc", label_fields=[]), seed=0)(
            image=image, mask=mask, bboxes=boxes
        )
        for lib in (instaug, ref)
    ]
    assert np.abs(outs[0]["image"].astype(int) - outs[1]["image"]).max() <= 1
    assert (outs[0]["mask"] != outs[1]["mask"]).mean() < 0.002
    np.testing.assert_allclose(outs[0]["bboxes"], outs[1]["bboxes"], atol=1)


@pytest.mark.parametrize("k", [-0.3, 0.2, 0.6])
def test_camera_distortion_is_opencvs_undistortion_map(k: float) -> None:
    import cv2

    image = np.random.default_rng(3).integers(0, 255, (H, W, 3), dtype=np.uint8)
    out = instaug.Compose([instaug.OpticalDistortion(distort_range=(k, k), p=1)], seed=0)(image=image)[
        "image"
    ]
    # OpenCV 4's initUndistortRectifyMap for K = [[W, 0, W/2], [0, H, H/2]], k1 = k2 = k, in closed form.
    v, u = np.mgrid[0:H, 0:W].astype(np.float64)
    x, y = (u - W / 2) / W, (v - H / 2) / H
    r2 = x * x + y * y
    k32 = float(np.float32(k))
    f = 1 + k32 * r2 + k32 * r2 * r2
    map_x, map_y = (W * x * f + W / 2).astype(np.float32), (H * y * f + H / 2).astype(np.float32)
    expected = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    assert np.abs(out.astype(int) - expected).max() <= 1


# GridElasticDeform against the reference's own functionals on the same draws. Our draws are read
# back from keypoints at the cells' top-left corners (each moves to its quad's corner, exactly) and
# fed to the reference's generate_distorted_grid_polygons; sides divide the image, so that no
# shuffle is to undo. Where a read-back corner would be clipped to the canvas the case is unusable:
# the cases below were chosen where none is (asserted).
class _FixedDraws:
    """A generator giving back the draws it holds: no shuffle, the given displacements."""

    def __init__(self, moves: np.ndarray | None) -> None:
        self.moves = moves

    def shuffle(self, values: np.ndarray) -> None:
        pass

    def integers(self, low: int, high: int, size: tuple[int, ...]) -> np.ndarray:
        return self.moves.reshape(size)


def _grid_elastic_call(shape, grid, magnitude, seed, interpolation=1, **data):
    """Our call and the reference's mesh (generated_mesh) for the same draws."""
    from albumentations.augmentations.geometric import functional as fgeometric

    h, w = shape
    tiles = fgeometric.split_uniform_grid(shape, grid, _FixedDraws(None))
    dimensions = np.array([[t[1], t[0], t[3], t[2]] for t in tiles]).reshape((*grid[::-1], 4))
    corners = dimensions.reshape(-1, 4)[:, :2].astype(np.float64)
    keypoints = data.pop("keypoints", np.zeros((0, 2)))
    transform = instaug.GridElasticDeform(num_grid_xy=grid, magnitude=magnitude, interpolation=interpolation)
    out = instaug.Compose(
        [transform], keypoint_params=instaug.KeypointParams("xy", remove_invisible=False), seed=seed
    )(keypoints=np.concatenate([corners, keypoints]), **data)
    moved, out["keypoints"] = np.split(np.asarray(out["keypoints"]), [len(corners)])
    # The reference reads the cells as num_grid_xy[1] rows of num_grid_xy[0] (README).
    rows, cols = grid[1], grid[0]
    inner = [a * cols + b for a in range(1, rows) for b in range(1, cols)]
    assert (moved[inner] > 0).all() and (moved[inner] < [w - 1, h - 1]).all(), "a corner was clipped"
    moves = np.rint(moved[inner] - corners[inner]).astype(np.float32)
    assert np.abs(moves).max(initial=0) <= magnitude
    polygons = fgeometric.generate_distorted_grid_polygons(dimensions, magnitude, _FixedDraws(moves))
    return out, np.hstack((dimensions.reshape(-1, 4), polygons))


def _degenerate_cells(mesh: np.ndarray, shape) -> np.ndarray:
    """The pixels of cells whose quad has three corners on a line (README: the reference's warp of
    such a cell is numerical noise, ours the fill)."""
    owner = np.full(shape, -1, np.int32)
    bad = []
    for k, cell in enumerate(mesh):
        q = cell[4:].reshape(4, 2).astype(np.int64)
        cv2.fillConvexPoly(owner, q.astype(np.int32), k)
        for s in range(4):
            a, b, c = q[(s + 1) % 4], q[(s + 2) % 4], q[(s + 3) % 4]
            if (b[0] - a[0]) * (c[1] - a[1]) == (b[1] - a[1]) * (c[0] - a[0]):
                bad.append(k)
    return np.isin(owner, bad)


GRID_ELASTIC_CASES = [
    ((96, 120), (4, 4), 6, 0),
    ((96, 120), (4, 4), 6, 1),
    ((96, 96), (6, 6), 9, 0),
    ((64, 64), (2, 2), 10, 2),
    ((100, 100), (5, 5), 20, 5),
    ((90, 120), (3, 5), 8, 9),  # unequal pairs: the reference's reading of the grid, overlaps and gaps
    ((90, 120), (5, 3), 20, 2),
    ((90, 120), (2, 4), 10, 0),
]


@pytest.mark.parametrize("shape, grid, magnitude, seed", GRID_ELASTIC_CASES)
@pytest.mark.parametrize("dtype", ["uint8", "float32"])
@pytest.mark.parametrize("channels", [3, 1])
def test_grid_elastic_deform_matches_the_reference_warp(
    shape, grid, magnitude, seed, dtype, channels
) -> None:
    from albumentations.augmentations.geometric import functional as fgeometric

    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (*shape, channels)).astype(dtype)
    if dtype == "float32":
        image /= 255
    image = image[..., 0] if channels == 1 else image
    mask = (rng.random(shape) < 0.4).astype(np.uint8)
    out, mesh = _grid_elastic_call(shape, grid, magnitude, seed, image=image, mask=mask)
    assert out["image"].shape == image.shape and out["image"].dtype == image.dtype
    keep = ~_degenerate_cells(mesh, shape)
    expected = fgeometric.distort_image(image, mesh, cv2.INTER_LINEAR)
    # OpenCV 5 (the reference's wheel) finds each source point in float32 from a float32 matrix, we
    # in double: 1 grey level, 2 / 255 in float32 where a cell's perspective is steep.
    error = np.abs(out["image"].astype(np.float64) - expected)[keep] * (255 if dtype == "float32" else 1)
    assert error.max(initial=0) <= (1 if dtype == "uint8" else 2)
    assert (error > 0.5).mean() < 0.005
    # Nearest takes the other pixel where a source point lies within float rounding of a half.
    expected_mask = fgeometric.distort_image(mask, mesh, cv2.INTER_NEAREST)
    assert (out["mask"] != expected_mask)[keep].mean() < 0.005


@pytest.mark.parametrize("interpolation", [0, 2, 3, 4])
def test_grid_elastic_deform_other_kernels_follow_the_reference(interpolation: int) -> None:
    from albumentations.augmentations.geometric import functional as fgeometric

    shape, grid, magnitude, seed = GRID_ELASTIC_CASES[2]
    image = np.random.default_rng(seed).integers(0, 256, (*shape, 3), dtype=np.uint8)
    out, mesh = _grid_elastic_call(shape, grid, magnitude, seed, interpolation=interpolation, image=image)
    expected = fgeometric.distort_image(image, mesh, interpolation)
    error = np.abs(out["image"].astype(int) - expected)[~_degenerate_cells(mesh, shape)]
    if interpolation == 2:  # OpenCV 4's bicubic remap rounds source points to 1/32 px (README)
        assert error.max() <= 8
    else:  # nearest: ties; area: the bilinear kernel, as the reference's; Lanczos: 1/32 px in both
        assert (error > 1).mean() < 0.005


@pytest.mark.parametrize("shape, grid, magnitude, seed", GRID_ELASTIC_CASES)
def test_grid_elastic_deform_moves_keypoints_and_boxes_as_the_reference(shape, grid, magnitude, seed) -> None:
    from albumentations.augmentations.geometric import functional as fgeometric

    h, w = shape
    rng = np.random.default_rng(seed)
    keypoints = np.column_stack([rng.uniform(0, w, 40), rng.uniform(0, h, 40)])
    out, mesh = _grid_elastic_call(
        shape, grid, magnitude, seed, image=np.zeros((*shape, 3), np.uint8), keypoints=keypoints
    )
    # Each point through its cell's perspective transform, clipped to the canvas: to float rounding.
    expected = fgeometric.distort_image_keypoints(keypoints.astype(np.float32), mesh, shape)
    np.testing.assert_allclose(out["keypoints"], expected, atol=2e-3)
    boxes = np.array(
        [[10, 12, 50, 60], [70.4, 20.6, 110, 80], [30, 30, 31, 31], [0, 0, w, h]], dtype=np.float64
    )
    t = instaug.Compose(
        [instaug.GridElasticDeform(num_grid_xy=grid, magnitude=magnitude)],
        bbox_params=instaug.BboxParams("pascal_voc", clip_after_transform=False),
        seed=seed,
    )
    moved = t(image=np.zeros((*shape, 3), np.uint8), bboxes=boxes)["bboxes"]
    expected_boxes = fgeometric.bbox_distort_image(boxes, mesh, shape)
    alive = (expected_boxes[:, 2] > expected_boxes[:, 0]) & (expected_boxes[:, 3] > expected_boxes[:, 1])
    # The boxes are rasterised, moved by nearest and refit: a tie at a seam moves an edge a pixel.
    np.testing.assert_allclose(moved, expected_boxes[alive], atol=1)


def test_grid_elastic_deform_needs_a_pixel_per_cell() -> None:
    t = instaug.Compose([instaug.GridElasticDeform(num_grid_xy=(5, 2), magnitude=1)], seed=0)
    with pytest.raises(
        ValueError, match=r"num_grid_xy \(5, 2\) is finer than the image \(4 rows, 9 columns\)"
    ):
        t(image=np.zeros((4, 9, 3), np.uint8))
    assert t(image=np.zeros((5, 2, 3), np.uint8))["image"].shape == (5, 2, 3)
    # One row or column of cells: no inner point moves, nothing changes.
    image = np.random.default_rng(0).integers(0, 256, (H, W, 3), dtype=np.uint8)
    for grid in [(1, 5), (6, 1)]:
        out = instaug.Compose([instaug.GridElasticDeform(num_grid_xy=grid, magnitude=9)], seed=0)(image=image)
        np.testing.assert_array_equal(out["image"], image)
    for shape in [(1, 1, 3), (1, 7), (7, 1, 1)]:
        one = instaug.Compose([instaug.GridElasticDeform(num_grid_xy=(1, 1), magnitude=3)], seed=0)
        np.testing.assert_array_equal(one(image=np.full(shape, 7, np.uint8))["image"], np.full(shape, 7))


def test_grid_elastic_deform_takes_views_and_any_channels() -> None:
    image = np.random.default_rng(4).integers(0, 256, (H, 2 * W, 4), dtype=np.uint8)
    view = image[:, ::2]

    def call(image: np.ndarray) -> np.ndarray:  # a new Compose: the same draws each time
        return instaug.Compose([instaug.GridElasticDeform(num_grid_xy=(3, 4), magnitude=5)], seed=1)(
            image=image
        )

    out = call(view)["image"]
    np.testing.assert_array_equal(out, call(np.ascontiguousarray(view))["image"])
    for c in range(4):  # each channel through the same map
        np.testing.assert_array_equal(out[..., c], call(np.ascontiguousarray(view[..., c]))["image"])


@pytest.mark.parametrize(
    "transform",
    [
        instaug.ElasticTransform(displacement_range=(0.04, 0.05), p=1),
        instaug.GridElasticDeform(num_grid_xy=(5, 5), magnitude=8),
    ],
    ids=["elastic", "grid_elastic"],
)
def test_a_distorted_instance_takes_the_box_of_its_mask(transform) -> None:
    scene = make_scene(np.random.default_rng(5), height=H, width=W, n=6)
    t = instaug.Compose(
        [transform],
        bbox_params=instaug.BboxParams("pascal_voc"),
        instance_binding=["masks", "bboxes"],
        seed=0,
    )
    out = t(image=scene.image, instances=scene.instances)
    assert out["instances"]
    for inst in out["instances"]:
        ys, xs = np.nonzero(inst["mask"])
        np.testing.assert_array_equal(inst["bbox"], [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: instaug.ElasticTransform(displacement_range=(0.1, 0.2)), "strict topology bound"),
        (lambda: instaug.GridDistortion(distort_range=(-2, 0)), "distort_range values must be >= -1"),
        (lambda: instaug.GridDistortion(num_steps=0), "num_steps must be >= 1"),
        (lambda: instaug.GridElasticDeform(num_grid_xy=(0, 2), magnitude=1), "num_grid_xy must be a pair"),
        (lambda: instaug.GridElasticDeform(num_grid_xy=(2, 2), magnitude=0), "magnitude must be >= 1"),
        (
            lambda: instaug.GridElasticDeform(num_grid_xy=(2, 2), magnitude=1.5),
            "magnitude must be an integer",
        ),
        (lambda: instaug.PiecewiseAffine(nb_rows_range=(1, 3)), "nb_rows_range values must be >= 2"),
        (
            lambda: instaug.OpticalDistortion(map_resolution_range=(0, 1)),
            "map_resolution_range values must be > 0",
        ),
        (lambda: instaug.OpticalDistortion(mode="barrel"), "mode must be one of"),
        (
            lambda: instaug.ElasticTransform(control_grid_shape=(3, 7)),
            "control_grid_shape must be a pair of integers",
        ),
    ],
)
def test_distortion_arguments_are_checked(make, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


# -- the crop and pad family: random windows, compared by their distribution ---------------------
# A float image holding each pixel's own x and y: a crop's first pixel says where its window began.
BOXES = np.array([[20, 15, 45, 40], [60, 30, 80, 70], [90, 10, 110, 35], [35, 55, 50, 85]], dtype=np.float64)


def _position_image() -> np.ndarray:
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    return np.dstack([xx, yy, np.zeros_like(xx)])


def _windows(lib, transform, calls: int = 300, **data) -> np.ndarray:
    """(x0, y0, width, height) of each call's window."""
    t = lib.Compose([transform], bbox_params=lib.BboxParams("pascal_voc", label_fields=[]), seed=0)
    out = []
    for _ in range(calls):
        image = t(image=_position_image(), bboxes=BOXES, **data)["image"]
        out.append([image[0, 0, 0], image[0, 0, 1], image.shape[1], image.shape[0]])
    return np.array(out, dtype=np.float64)


def _random_crops(lib) -> dict[str, object]:
    return {
        "crop_from_borders": lib.RandomCropFromBorders(
            crop_left=0.2, crop_right=0.3, crop_top=0.1, crop_bottom=0.4
        ),
        "crop_and_pad_range": lib.CropAndPad(px=(-20, 10), keep_size=False),
        "crop_and_pad_together": lib.CropAndPad(
            percent=(-0.3, 0.0), sample_independently=False, keep_size=False
        ),
        "crop_and_pad_choices": lib.CropAndPad(px_choices=(-12, -4, 0), keep_size=False),
        "crop_and_pad_percent_choices": lib.CropAndPad(percent_choices=(-0.2, -0.1), keep_size=False),
        "bbox_safe": lib.BBoxSafeRandomCrop(),
        "bbox_safe_eroded": lib.BBoxSafeRandomCrop(erosion_rate=0.3),
        "bbox_subset": lib.BBoxSubsetSafeRandomCrop(),
        "bbox_subset_narrow": lib.BBoxSubsetSafeRandomCrop(
            subset_fraction_range=(0.25, 0.5), aspect_ratio_range=(0.9, 1.1)
        ),
        "at_least_one": lib.AtLeastOneBBoxRandomCrop(height=50, width=60),
        "at_least_one_eroded": lib.AtLeastOneBBoxRandomCrop(height=30, width=30, erosion_factor=1.0),
    }


def _assert_same_distribution(ours: np.ndarray, theirs: np.ndarray) -> None:
    n = len(ours)
    spread = np.sqrt(ours.var(axis=0) / n + theirs.var(axis=0) / n)
    assert (np.abs(ours.mean(axis=0) - theirs.mean(axis=0)) <= 5 * spread + 0.5).all(), (
        ours.mean(axis=0),
        theirs.mean(axis=0),
    )
    assert (np.abs(ours.std(axis=0) - theirs.std(axis=0)) <= 0.25 * theirs.std(axis=0) + 0.5).all(), (
        ours.std(axis=0),
        theirs.std(axis=0),
    )


@pytest.mark.parametrize("name", sorted(_random_crops(instaug)))
def test_random_windows_are_drawn_as_the_reference_draws_them(name: str) -> None:
    _assert_same_distribution(
        _windows(instaug, _random_crops(instaug)[name]), _windows(ref, _random_crops(ref)[name])
    )


def test_crop_non_empty_mask_windows_are_drawn_as_the_reference_draws_them() -> None:
    mask = np.zeros((H, W), np.uint8)
    mask[60:70, 10:30] = 1
    mask[5:8, 100:115] = 2
    for make in (
        lambda lib: lib.CropNonEmptyMaskIfExists(height=20, width=25),
        lambda lib: lib.CropNonEmptyMaskIfExists(height=40, width=30, ignore_values=[2]),
    ):
        _assert_same_distribution(
            _windows(instaug, make(instaug), mask=mask), _windows(ref, make(ref), mask=mask)
        )


def test_random_sized_bbox_safe_crop_moves_boxes_as_the_reference() -> None:
    def boxes(lib) -> np.ndarray:
        t = lib.Compose(
            [lib.RandomSizedBBoxSafeCrop(height=64, width=64, erosion_rate=0.2)],
            bbox_params=lib.BboxParams("pascal_voc", label_fields=[]),
            seed=0,
        )
        return np.array([t(image=_position_image(), bboxes=BOXES)["bboxes"].ravel() for _ in range(300)])

    ours, theirs = boxes(instaug), boxes(ref)
    assert ours.shape == theirs.shape
    _assert_same_distribution(ours, theirs)


def _scene_call(transform, seed: int, binding=("masks", "bboxes")):
    scene = make_scene(np.random.default_rng(seed), height=H, width=W, n=7)
    t = instaug.Compose(
        [transform],
        bbox_params=instaug.BboxParams("pascal_voc", label_fields=["class_name"]),
        instance_binding=list(binding),
        seed=seed,
    )
    instances = [{k: i[k] for k in ("mask", "bbox", "bbox_labels")} for i in scene.instances]
    return scene, t(image=scene.image, instances=instances)


def _whole(scene, out, scale: tuple[float, float] = (1.0, 1.0)) -> list[bool]:
    """For each input row: whether it came out whole (its box's size unchanged but for the scale)."""
    sizes = {
        i["bbox_labels"]["class_name"]: (i["bbox"][2] - i["bbox"][0], i["bbox"][3] - i["bbox"][1])
        for i in out["instances"]
    }
    whole = []
    for inst in scene.instances:
        size = sizes.get(inst["bbox_labels"]["class_name"])
        expected = (
            (inst["bbox"][2] - inst["bbox"][0]) * scale[0],
            (inst["bbox"][3] - inst["bbox"][1]) * scale[1],
        )
        whole.append(size is not None and np.allclose(size, expected, atol=1e-3))
    return whole


@pytest.mark.parametrize("seed", range(12))
def test_bbox_safe_crops_keep_every_box_whole(seed: int) -> None:
    scene, out = _scene_call(instaug.BBoxSafeRandomCrop(), seed)
    assert all(_whole(scene, out))
    scene, out = _scene_call(instaug.BBoxSubsetSafeRandomCrop(subset_fraction_range=(1.0, 1.0)), seed)
    assert all(_whole(scene, out))
    resized = instaug.RandomSizedBBoxSafeCrop(height=50, width=70)
    t = instaug.Compose([resized], bbox_params=instaug.BboxParams("pascal_voc", label_fields=[]), seed=seed)
    boxes = make_scene(np.random.default_rng(seed), height=H, width=W, n=7).instances
    given = np.array([i["bbox"] for i in boxes])
    out_boxes = t(image=_position_image(), bboxes=given)["bboxes"]
    assert len(out_boxes) == len(given)
    # Every box whole: their union keeps its shape, scaled as a whole.
    span = lambda b: np.array([b[:, 2].max() - b[:, 0].min(), b[:, 3].max() - b[:, 1].min()])  # noqa: E731
    ratio = span(out_boxes) / span(given)
    assert np.allclose((out_boxes[:, 2] - out_boxes[:, 0]) / (given[:, 2] - given[:, 0]), ratio[0], rtol=1e-3)


@pytest.mark.parametrize("seed", range(12))
def test_subset_and_at_least_one_crops_keep_their_boxes_whole(seed: int) -> None:
    scene, out = _scene_call(instaug.BBoxSubsetSafeRandomCrop(subset_fraction_range=(0.5, 0.5)), seed)
    assert sum(_whole(scene, out)) >= math.ceil(len(scene.instances) / 2)
    # A window larger than any object holds one whole.
    scene, out = _scene_call(instaug.AtLeastOneBBoxRandomCrop(height=H * 3 // 4, width=W * 3 // 4), seed)
    assert any(_whole(scene, out))
    scene, out = _scene_call(instaug.AtLeastOneBBoxRandomCrop(height=10, width=10, erosion_factor=1.0), seed)
    assert len(out["instances"]) >= 1


@pytest.mark.parametrize("seed", range(12))
def test_crop_non_empty_mask_keeps_mask_pixels(seed: int) -> None:
    scene, out = _scene_call(instaug.CropNonEmptyMaskIfExists(height=12, width=15), seed)
    assert out["image"].shape[:2] == (12, 15)
    assert out["instances"] and any(i["mask"].any() for i in out["instances"])
    rng = np.random.default_rng(seed)
    mask = np.zeros((H, W), np.uint8)
    mask[rng.integers(0, H, 3), rng.integers(0, W, 3)] = 7  # ignored
    y, x = rng.integers(0, H), rng.integers(0, W)
    mask[y, x] = 3
    t = instaug.Compose([instaug.CropNonEmptyMaskIfExists(height=9, width=11, ignore_values=[7])], seed=seed)
    for _ in range(5):
        assert (t(image=_position_image(), mask=mask)["mask"] == 3).sum() == 1
    channels = np.zeros((H, W, 2), np.uint8)
    channels[..., 0] = 1  # ignored channel: everywhere
    channels[y, x, 1] = 1
    t = instaug.Compose(
        [instaug.CropNonEmptyMaskIfExists(height=9, width=11, ignore_channels=[0])], seed=seed
    )
    assert t(image=_position_image(), mask=channels)["mask"][..., 1].sum() == 1


def test_crop_non_empty_mask_on_empty_masks_is_a_random_window() -> None:
    t = instaug.Compose([instaug.CropNonEmptyMaskIfExists(height=20, width=30)], seed=0)
    corners = {
        tuple(t(image=_position_image(), mask=np.zeros((H, W), np.uint8))["image"][0, 0, :2])
        for _ in range(30)
    }
    assert len(corners) > 20


def test_crop_and_pad_draws_its_fill_and_resizes_back() -> None:
    image = np.full((H, W, 3), 255, np.uint8)
    t = instaug.Compose(
        [instaug.CropAndPad(px=10, fill=(0, 100), keep_size=False)], save_applied_params=True, seed=0
    )
    fills = set()
    for _ in range(20):
        out = t(image=image)
        assert out["image"].shape == (H + 20, W + 20, 3)
        [(_, config)] = out["applied_transforms"]
        assert 0 <= config["fill"][0] <= 100
        np.testing.assert_allclose(out["image"][0, 0], round(config["fill"][0]), atol=1)
        fills.add(config["fill"][0])
    assert len(fills) == 20
    kept = instaug.Compose([instaug.CropAndPad(percent=(-0.25, 0.25), keep_size=True)], seed=0)
    for _ in range(10):
        assert kept(image=image)["image"].shape == image.shape


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: instaug.Pad(padding=-1), "Pad: padding values must be >= 0"),
        (lambda: instaug.Pad(padding=(1, 2, 3)), "Pad: padding must be an integer, a pair"),
        (lambda: instaug.CropAndPad(), "exactly one of px, percent, px_choices or percent_choices"),
        (lambda: instaug.CropAndPad(px=1, percent=0.1), "exactly one of px, percent"),
        (lambda: instaug.CropAndPad(px=(3, 3)), "CropAndPad: px ranges must satisfy min < max"),
        (lambda: instaug.CropAndPad(px=(5, 1)), "px must satisfy min <= max"),
        (lambda: instaug.CropAndPad(percent_choices=(0.5, 2.0)), "percent_choices values must be <= 1"),
        (
            lambda: instaug.RandomCropFromBorders(crop_left=0.6, crop_right=0.5),
            "sum of crop_left and crop_right",
        ),
        (lambda: instaug.BBoxSafeRandomCrop(erosion_rate=1.5), "erosion_rate must be <= 1"),
        (lambda: instaug.BBoxSubsetSafeRandomCrop(subset_fraction_range=(0, 1)), "values must be > 0"),
    ],
)
def test_crop_and_pad_arguments_are_checked(make, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize(
    "transform, data, match",
    [
        (
            lambda: instaug.AtLeastOneBBoxRandomCrop(height=200, width=10),
            {},
            r"AtLeastOneBBoxRandomCrop: crop size \(height, width\)=\(200, 10\) exceeds",
        ),
        (lambda: instaug.CropNonEmptyMaskIfExists(height=10, width=10), {}, "the call has no mask"),
        (
            lambda: instaug.CropNonEmptyMaskIfExists(height=10, width=500),
            {"mask": np.zeros((H, W), np.uint8)},
            "is larger than the image",
        ),
    ],
)
def test_crops_that_do_not_fit_the_call_say_so(transform, data, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        instaug.Compose([transform()])(image=_position_image(), **data)


def test_random_crop_from_borders_keeps_a_pixel_when_a_whole_side_may_go() -> None:
    # crop_left=1 drew a window starting past the image: the deferred crop failed on rendering.
    image = np.random.default_rng(0).integers(0, 255, (20, 30, 3), dtype=np.uint8)
    t = instaug.Compose(
        [instaug.RandomCropFromBorders(crop_left=1.0, crop_right=0.0, crop_top=1.0, crop_bottom=0.0, p=1)],
        seed=0,
    )
    for _ in range(60):
        out = t(image=image)["image"]
        assert out.shape[0] >= 1 and out.shape[1] >= 1


def safe_rotate_matrix(angle: float, height: int, width: int) -> np.ndarray:
    """Rotation about the pixel grid's centre, each axis squeezed as the reference squeezes it
    (the rotated bounding box's sides truncated to whole pixels)."""
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    new_w, new_h = int(height * abs(s) + width * abs(c)), int(height * abs(c) + width * abs(s))
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    linear = np.diag([width / new_w, height / new_h]) @ np.array([[c, s], [-s, c]])
    return np.hstack([linear, (centre - linear @ centre)[:, None]])


@pytest.mark.filterwarnings("ignore:label_fields are set but label_mapping")
@pytest.mark.parametrize("angle", [0.0, 17.3, -64.0, 90.0])
def test_safe_rotate_fits_the_rotated_image_in_the_canvas(angle: float) -> None:
    """Boxes as the reference's; the image, masks and keypoints by the same rotation about the
    image's centre (the reference's image matrix turns about a point half a pixel off, so its image
    and keypoints sit half a pixel down-right of its own boxes: README, differences)."""
    scene = make_scene(np.random.default_rng(5), n=8)
    height, width = scene.image.shape[:2]
    points = np.array([[20.0, 10.0, 30.0, 2.0], [70.0, 40.0, 300.0, 1.0]], dtype=np.float32)

    def call(lib):
        return lib.Compose(
            [lib.SafeRotate(angle_range=(angle, angle), p=1.0)],
            bbox_params=lib.BboxParams(coord_format="pascal_voc", label_fields=["class_name"]),
            keypoint_params=lib.KeypointParams(coord_format="xyas", label_fields=["kind"]),
            seed=0,
        )(
            image=scene.image,
            masks=np.stack([inst["mask"] for inst in scene.instances]),
            bboxes=np.stack([inst["bbox"] for inst in scene.instances]),
            class_name=list(range(len(scene.instances))),
            keypoints=points,
            kind=["a", "b"],
        )

    ours, theirs = call(instaug), call(ref)
    m = safe_rotate_matrix(angle, height, width)
    expected = cv2.warpAffine(scene.image, m, (width, height), flags=cv2.INTER_LINEAR)
    assert np.abs(ours["image"].astype(int) - expected).max() <= 1
    for mine, source in zip(ours["masks"], scene.instances):
        differ = mine != cv2.warpAffine(source["mask"], m, (width, height), flags=cv2.INTER_NEAREST)
        assert differ.mean() < 0.002  # fixed-point ties of OpenCV's nearest sampling only
    np.testing.assert_allclose(np.asarray(ours["bboxes"]), np.asarray(theirs["bboxes"]), atol=1e-3)
    mine, other = np.asarray(ours["keypoints"]), np.asarray(theirs["keypoints"])
    np.testing.assert_allclose(mine[:, :2], other[:, :2] - 0.5, atol=1e-3)
    assert angle_difference(mine[:, 2], other[:, 2]).max() < 1e-3
    np.testing.assert_allclose(mine[:, 3], other[:, 3], rtol=1e-5)


def test_letter_box_draws_a_random_position_within_the_padding() -> None:
    image = np.zeros((40, 100, 3), dtype=np.uint8)
    t = instaug.Compose([instaug.LetterBox(size=(80, 80), position="random", fill=255)], seed=3)
    tops = set()
    for _ in range(600):
        out = t(image=image)["image"]
        assert out.shape == (80, 80, 3)
        rows = np.flatnonzero((out == 0).all(axis=(1, 2)))
        assert len(rows) == 32 and rows[-1] - rows[0] == 31  # the 80x32 image, one band
        tops.add(int(rows[0]))
    assert tops == set(range(49))  # every split of the 48 rows of padding


def test_letter_box_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="LetterBox: interpolation must be an OpenCV interpolation flag"):
        instaug.LetterBox(size=(8, 8), interpolation=7)
    with pytest.raises(ValueError, match="LetterBox: position must be one of"):
        instaug.LetterBox(size=(8, 8), position="middle")
    with pytest.raises(TypeError, match="size"):
        instaug.LetterBox()


def coordinate_image(height: int, width: int) -> np.ndarray:
    """Each pixel holds its own (x, y): the output says where every pixel came from."""
    yy, xx = np.mgrid[0:height, 0:width]
    return np.dstack([xx % 256, yy % 256, xx // 256 + 16 * (yy // 256)]).astype(np.uint8)


def read_sources(out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    o = out.astype(int)
    return o[..., 0] + 256 * (o[..., 2] % 16), o[..., 1] + 256 * (o[..., 2] // 16)


def cells_of(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """The reference's (tiles, mapping) of a shuffle, read back from where each output pixel came
    from: the output cut where the sources jump; each piece moved whole from a piece of that cut."""
    height, width = xs.shape
    cols = [0] + [x for x in range(1, width) if (xs[:, x] != xs[:, x - 1] + 1).any()] + [width]
    rows = [0] + [y for y in range(1, height) if (ys[y] != ys[y - 1] + 1).any()] + [height]
    tiles = [(r0, c0, r1, c1) for r0, r1 in zip(rows, rows[1:]) for c0, c1 in zip(cols, cols[1:])]
    mapping = [-1] * len(tiles)
    for k, (r0, c0, r1, c1) in enumerate(tiles):
        dx, dy = xs[r0:r1, c0:c1] - np.arange(c0, c1)[None, :], ys[r0:r1, c0:c1] - np.arange(r0, r1)[:, None]
        assert (dx == dx[0, 0]).all() and (dy == dy[0, 0]).all(), "a cell did not move whole"
        source = (r0 + int(dy[0, 0]), c0 + int(dx[0, 0]), r1 + int(dy[0, 0]), c1 + int(dx[0, 0]))
        mapping[tiles.index(source)] = k
    return np.array(tiles, dtype=np.int16), mapping


@pytest.mark.filterwarnings("ignore:label_fields are set but label_mapping")
@pytest.mark.parametrize("grid", [(3, 3), (2, 5), (1, 1), (7, 4)])
def test_random_grid_shuffle_moves_every_target_with_its_cell(grid: tuple[int, int]) -> None:
    from albumentations.augmentations.geometric import functional as fgeometric

    lib = instaug
    scene = make_scene(np.random.default_rng(8), n=8)
    height, width = scene.image.shape[:2]
    points = np.array([[3.5, 2.0], [64.0, 48.0], [127.4, 95.2], [-0.5, 70.7], [42.5, 31.5]], dtype=np.float32)
    t = instaug.Compose(
        [lib.RandomGridShuffle(grid=grid, p=1.0)],
        keypoint_params=instaug.KeypointParams(coord_format="xy"),
        seed=4,
    )
    for _ in range(3):
        out = t(
            image=coordinate_image(height, width),
            masks=[i["mask"] for i in scene.instances],
            keypoints=points,
        )
        xs, ys = read_sources(out["image"])
        assert sorted(zip(xs.ravel(), ys.ravel())) == sorted(np.ndindex(width, height)), "not a permutation"
        tiles, mapping = cells_of(xs, ys)
        assert len(tiles) <= grid[0] * grid[1]
        for mine, inst in zip(out["masks"], scene.instances):
            np.testing.assert_array_equal(mine, inst["mask"][ys, xs])
        # The reference's own functions on the cells we drew.
        np.testing.assert_array_equal(
            out["image"], fgeometric.swap_tiles_on_image(coordinate_image(height, width), tiles, mapping)
        )
        # A point moves with the pixel it lies in; the reference tests its coordinate against the
        # cells' pixel indices, half a pixel off (README, differences).
        expected = fgeometric.swap_tiles_on_keypoints(points + 0.5, tiles, mapping) - 0.5
        np.testing.assert_allclose(out["keypoints"], expected, atol=1e-4)


def test_random_grid_shuffle_draws_every_arrangement() -> None:
    lib = instaug
    t = instaug.Compose([lib.RandomGridShuffle(grid=(2, 2), p=1.0)], seed=0)
    image = coordinate_image(40, 60)
    seen = {tuple(t(image=image)["image"][::20, ::30, :2].ravel()) for _ in range(400)}
    assert len(seen) == 24  # 4 equal cells: every permutation


def test_random_grid_shuffle_keeps_a_cut_row_whole() -> None:
    """The reference returns a box per piece of a box cut by cell borders (more boxes than rows);
    here the row stays one row, its box bounding its pieces (its mask's tight box when bound)."""
    lib = instaug
    scene = make_scene(np.random.default_rng(9), n=6)
    t = compose([lib.RandomGridShuffle(grid=(4, 4), p=1.0)], ("masks", "bboxes"))
    out = t(image=scene.image, instances=scene.instances)
    assert sorted(i["id"] for i in out["instances"]) == sorted(i["id"] for i in scene.instances)
    for inst in out["instances"]:
        ys, xs = np.nonzero(inst["mask"])
        np.testing.assert_allclose(inst["bbox"], [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    boxes_only = instaug.Compose(
        [lib.RandomGridShuffle(grid=(1, 2), p=1.0)], bbox_params=instaug.BboxParams("pascal_voc"), seed=1
    )
    # Two columns of 64 trade places (or not): the box's two pieces land at the far edges.
    seen = {
        tuple(boxes_only(image=scene.image, bboxes=[[10.0, 10.0, 118.0, 20.0]])["bboxes"][0])
        for _ in range(20)
    }
    assert seen == {(10.0, 10.0, 118.0, 20.0), (0.0, 10.0, 128.0, 20.0)}


@pytest.mark.parametrize("operation", ["dilation", "erosion"])
@pytest.mark.parametrize("scale", [(2, 3), (5, 5), (1, 1), (7, 2)])
def test_morphological_is_the_references_dilation_and_erosion(operation: str, scale: tuple[int, int]) -> None:
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    mask = (rng.random((60, 80)) > 0.7).astype(np.uint8)
    boxes = np.array([[10, 10, 30, 25], [0, 0, 80, 60], [40.7, 30.2, 41.9, 31.5], [70, 50, 80, 60]])
    outs = [
        lib.Compose(
            [lib.Morphological(scale=scale, operation=operation, p=1)],
            bbox_params=lib.BboxParams("pascal_voc", label_fields=["labels"]),
            keypoint_params=lib.KeypointParams("xy"),
            seed=0,
        )(image=image, mask=mask, bboxes=boxes, labels=[0, 1, 2, 3], keypoints=[[5.0, 6.0], [70.2, 3.1]])
        for lib in (instaug, ref)
    ]
    ours, theirs = outs
    np.testing.assert_array_equal(ours["image"], theirs["image"])
    np.testing.assert_array_equal(ours["mask"], theirs["mask"])
    assert list(ours["labels"]) == list(theirs["labels"])
    np.testing.assert_allclose(
        np.asarray(ours["bboxes"]).reshape(-1, 4), np.asarray(theirs["bboxes"]), atol=1e-3
    )
    np.testing.assert_allclose(ours["keypoints"], theirs["keypoints"], atol=1e-4)


@pytest.mark.parametrize("operation", ["dilation", "erosion"])
def test_morphological_instance_masks_are_the_filtered_planes(operation: str) -> None:
    scene = make_scene(np.random.default_rng(12), n=8)
    t = compose([instaug.Morphological(scale=(5, 3), operation=operation, p=1)], ("masks", "bboxes"))
    out = t(image=scene.image, instances=scene.instances)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 3))
    op = cv2.dilate if operation == "dilation" else cv2.erode
    by_id = {i["id"]: i for i in scene.instances}
    for inst in out["instances"]:
        expected = op(by_id[inst["id"]]["mask"], kernel)
        np.testing.assert_array_equal(inst["mask"], expected)
        ys, xs = np.nonzero(expected)
        np.testing.assert_allclose(inst["bbox"], [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    gone = {i for i in by_id if not op(by_id[i]["mask"], kernel).any()}
    assert {i["id"] for i in out["instances"]} == set(by_id) - gone


def test_morphological_refuses_wide_integer_masks() -> None:
    t = instaug.Compose([instaug.Morphological(p=1)])
    with pytest.raises(ValueError, match="Morphological: masks of a 64-bit integer dtype cannot be dilated"):
        t(image=np.zeros((8, 8, 3), np.uint8), mask=np.zeros((8, 8), np.int64))


def _crop_windows(lib, shift, box, calls):
    """The windows (x0, y0, x1, y1) RandomCropNearBBox cut, read off a coordinate image."""
    ys, xs = np.mgrid[0:100, 0:120]
    image = np.dstack([xs, ys, np.zeros_like(xs)]).astype(np.uint8)
    t = lib.Compose([lib.RandomCropNearBBox(max_part_shift=shift)], seed=3)
    windows = set()
    for _ in range(calls):
        out = t(image=image, cropping_bbox=box)["image"]
        x0, y0 = int(out[0, 0, 0]), int(out[0, 0, 1])
        windows.add((x0, y0, x0 + out.shape[1], y0 + out.shape[0]))
    return windows


FALLBACK = (40, 40, 80, 60)


def test_crop_near_bbox_draws_the_reference_windows() -> None:
    # 40 x 20 box: each side moves by up to round(20 * 0.25) = 5 px vertically and round(40 * 0.5)
    # = 20 px horizontally, every whole shift possible; left meeting right (x = 40) falls back to the
    # centred box size, FALLBACK.
    box = [20, 30, 60, 50]
    ours, theirs = (_crop_windows(lib, (0.25, 0.5), box, 1500) - {FALLBACK} for lib in (instaug, ref))
    for side, values in ((0, range(0, 41)), (1, range(25, 36)), (2, range(40, 81)), (3, range(45, 56))):
        assert {w[side] for w in ours} == {w[side] for w in theirs} == set(values)


def test_crop_near_bbox_takes_the_pixels_a_fractional_box_touches() -> None:
    image = np.arange(100 * 120, dtype=np.float32).reshape(100, 120)
    t = instaug.Compose([instaug.RandomCropNearBBox(max_part_shift=(0, 0))])
    out = t(image=image, cropping_bbox=np.array([10.5, 20.2, 30.7, 40.0]))["image"]
    np.testing.assert_array_equal(out, image[20:40, 10:31])


def test_crop_near_bbox_keeps_a_pixel_of_an_empty_box() -> None:
    image = np.zeros((100, 120), np.uint8)
    t = instaug.Compose([instaug.RandomCropNearBBox(max_part_shift=(0, 0))])
    assert t(image=image, cropping_bbox=[50, 10, 50, 40])["image"].shape == (30, 1)
    assert t(image=image, cropping_bbox=[500, 500, 600, 600])["image"].shape == (1, 1)


def test_crop_near_bbox_names_the_call_key_it_needs() -> None:
    t = instaug.Compose([instaug.RandomCropNearBBox((0, 0), cropping_bbox_key="roi")], strict=True)
    image = np.zeros((10, 10), np.uint8)
    with pytest.raises(ValueError, match="RandomCropNearBBox reads roi= from the call; pass it in the call"):
        t(image=image)
    with pytest.raises(ValueError, match=r"roi must be 4 numbers \(x_min, y_min, x_max, y_max\)"):
        t(image=image, roi=[1, 2, 3])
    with pytest.raises(TypeError, match="roi must be 4 numbers"):
        t(image=image, roi={"x": 1})
    out = t(image=image, roi=(1, 2, 5, 6))  # strict: the key is one the pipeline reads
    assert out["image"].shape == (4, 4) and out["roi"] == (1, 2, 5, 6)  # it comes back as given


def test_call_values_outlive_a_mosaic() -> None:
    # Mosaic builds a new sample: the call's values must stay readable by the transforms after it.
    [call] = calls(1, height=48, width=64)
    t = compose([instaug.Mosaic(target_size=(60, 80), p=1), instaug.RandomCropNearBBox((0, 0))], seed=1)
    assert t(**call, cropping_bbox=[10, 5, 40, 25])["image"].shape == (20, 30, 3)
