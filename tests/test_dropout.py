"""The dropout family (CoarseDropout, Erasing, GridDropout) against albumentationsx 2.5.1: the same
holes give the same image, masks, boxes and keypoints; random holes follow the reference's rules for
the rows under them and its distributions; under instance binding a covered row dies whole."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A

from helpers import compose, import_reference, make_scene

ref = import_reference("albumentations", needed_by="test_dropout.py")
from albumentations.augmentations.dropout import functional as fdropout  # noqa: E402

FILL = (7, 8, 9)  # no pixel of IMAGE has it: the holes can be read back from the output
IMAGE = np.random.default_rng(0).integers(10, 255, (100, 120, 3), dtype=np.uint8)
MASK = np.random.default_rng(1).integers(0, 3, (100, 120), dtype=np.uint8)
BOXES = np.array(
    [[10, 10, 50, 60.7], [0, 0, 120, 100], [30, 40, 33, 90], [70.2, 5.5, 71.9, 30], [60, 60, 90, 95]]
)
KEYPOINTS = np.array([[5, 5], [60, 50], [100.5, 20.2], [3, 3], [119, 99], [50, 30]], dtype=float)
# Rows of 100 / 4 = 25 and columns of 120 / 5 = 24: equal cells, so the reference's shuffle of the
# cell sizes changes nothing and the holes are fixed.
FIXED_GRID = {"holes_number_xy": (4, 5), "random_offset": False, "shift_xy": (2, 3)}


def _plain(lib, transform, min_area: float = 0, min_visibility: float = 0, seed: int = 1):
    return lib.Compose(
        [transform],
        bbox_params=lib.BboxParams(
            "pascal_voc", label_fields=["labels"], min_area=min_area, min_visibility=min_visibility
        ),
        keypoint_params=lib.KeypointParams("xy"),
        seed=seed,
    )


def _call(pipeline) -> dict:
    return pipeline(image=IMAGE, mask=MASK, bboxes=BOXES, labels=list(range(len(BOXES))), keypoints=KEYPOINTS)


@pytest.mark.parametrize(
    "arguments",
    [
        {"ratio": 0.5, "fill": FILL, "fill_mask": 0},
        {"ratio": 0.3, "fill": 0},
        {"ratio": 0.9, "fill": (255, 0, 40), "fill_mask": 5},
        {"ratio": 0.5, "fill": "grayscale"},
    ],
)
@pytest.mark.parametrize("rules", [(0, 0), (200, 0), (0, 0.6)])
def test_grid_dropout_matches_the_reference(arguments: dict, rules: tuple[float, float]) -> None:
    ours = _call(_plain(A, A.GridDropout(**FIXED_GRID, **arguments, p=1), *rules))
    theirs = _call(_plain(ref, ref.GridDropout(**FIXED_GRID, **arguments, p=1), *rules))
    np.testing.assert_array_equal(ours["image"], theirs["image"])
    np.testing.assert_array_equal(ours["mask"], theirs["mask"])
    np.testing.assert_allclose(ours["bboxes"], theirs["bboxes"], atol=1e-4)
    assert ours["labels"] == list(theirs["labels"])
    np.testing.assert_allclose(ours["keypoints"], theirs["keypoints"], atol=1e-4)


def test_grid_dropout_reads_holes_number_xy_as_the_reference_does() -> None:
    # The reference takes holes_number_xy=(x, y) as (rows, columns): 2 rows of 6 holes here.
    image = np.full((60, 120, 3), 100, np.uint8)
    for lib in (A, ref):
        t = lib.GridDropout(holes_number_xy=(2, 6), random_offset=False, ratio=0.5, p=1)
        out = lib.Compose([t], seed=0)(image=image)["image"]
        column_holes = np.diff((out[:, :, 0] == 0).any(0).astype(int)) == 1
        assert column_holes.sum() + (out[:, 0, 0] == 0).any() == 6, lib.__name__


def _holes_in(image: np.ndarray) -> np.ndarray:
    """One 1x1 hole per pixel that took FILL: the reference's hole mask, rebuilt."""
    ys, xs = np.nonzero((image == FILL).all(-1))
    return np.stack([xs, ys, xs + 1, ys + 1], axis=1)


@pytest.mark.parametrize(
    "transform",
    [
        A.CoarseDropout(
            num_holes_range=(1, 6), hole_height_range=(0.1, 0.5), hole_width_range=(0.1, 0.5), fill=FILL, p=1
        ),
        A.CoarseDropout(
            num_holes_range=(2, 3), hole_height_range=(5, 40), hole_width_range=(8, 50), fill=FILL, p=1
        ),
        A.Erasing(scale=(0.1, 0.5), fill=FILL, p=1),
        A.XYMasking(
            num_masks_x_range=(1, 3),
            mask_x_length_range=(5, 20),
            num_masks_y_range=(0, 2),
            mask_y_length_range=(0.05, 0.2),
            fill=FILL,
            p=1,
        ),
        A.GridMask(num_grid_range=(3, 5), fill=FILL, p=1),
        A.GridMask(num_grid_range=(2, 4), rotation_range=(-0.5, 0.5), fill=FILL, p=1),
    ],
    ids=["fractions", "pixels", "erasing", "xy_masking", "grid_mask", "grid_mask_rotated"],
)
@pytest.mark.parametrize("rules", [(0, 0), (150, 0), (0, 0.5)])
def test_rows_under_random_holes_follow_the_reference_rule(transform, rules: tuple[float, float]) -> None:
    pipeline = _plain(A, transform, *rules, seed=3)
    for _ in range(15):
        out = _call(pipeline)
        holes = _holes_in(out["image"])
        if len(holes) == 0:
            continue
        hole_mask = np.zeros(IMAGE.shape[:2], np.uint8)
        hole_mask[holes[:, 1], holes[:, 0]] = 1
        np.testing.assert_array_equal(out["mask"], MASK)  # no fill_mask: masks keep their values
        # The reference holds boxes normalised in float32 and scales them back in float64.
        side = np.array([120, 100, 120, 100])
        held = (BOXES.astype(np.float32) / side.astype(np.float32)).astype(np.float64) * side
        expected = fdropout.filter_bboxes_by_holes(
            held, holes, (100, 120), min_area=rules[0], min_visibility=rules[1]
        )
        np.testing.assert_allclose(out["bboxes"], expected, atol=1e-4)
        np.testing.assert_allclose(out["keypoints"], fdropout.filter_keypoints_in_holes(KEYPOINTS, holes))


@pytest.mark.parametrize(
    "name, arguments, measure",
    [
        (
            "CoarseDropout",
            {"num_holes_range": (1, 4), "hole_height_range": (0.1, 0.3), "hole_width_range": (0.05, 0.4)},
            "covered",
        ),
        (
            "CoarseDropout",
            {"num_holes_range": (2, 2), "hole_height_range": (4, 30), "hole_width_range": (10, 20)},
            "covered",
        ),
        ("Erasing", {"scale": (0.05, 0.4), "ratio": (0.5, 2.0)}, "covered"),
        ("GridDropout", {"ratio": 0.4}, "covered"),
        ("GridDropout", {"unit_size_range": (10, 30), "ratio": 0.5}, "covered"),
        ("XYMasking", {"num_masks_x_range": (0, 3), "mask_x_length_range": (2, 30)}, "covered"),
        ("XYMasking", {"num_masks_y_range": (1, 2), "mask_y_length_range": (0.05, 0.3)}, "covered"),
        ("GridMask", {}, "covered"),
        ("TimeMasking", {"time_mask_param": 50}, "covered"),
        ("FrequencyMasking", {"freq_mask_param": 40}, "covered"),
        ("GridMask", {"num_grid_range": (2, 5), "rotation_range": (-0.8, 0.8)}, "covered"),
    ],
)
def test_random_holes_cover_what_the_reference_covers(name: str, arguments: dict, measure: str) -> None:
    def covered(lib) -> np.ndarray:
        # TimeMasking and FrequencyMasking fill 0: the image has no 0, so the holes show anyway.
        fills = {"fill": FILL} if name not in ("TimeMasking", "FrequencyMasking") else {}
        t = lib.Compose([getattr(lib, name)(**arguments, **fills, p=1)], seed=5)
        hole = FILL if fills else (0, 0, 0)
        return np.array([(t(image=IMAGE)["image"] == hole).all(-1).mean() for _ in range(300)])

    ours, theirs = covered(A), covered(ref)
    assert abs(ours.mean() - theirs.mean()) < 0.1 * theirs.mean() + 0.005
    assert abs(ours.std() - theirs.std()) < 0.2 * theirs.std() + 0.005
    if name not in ("GridDropout", "GridMask"):  # a grid's holes move, their area varies little
        assert len(np.unique(ours)) > 5  # the holes are drawn afresh each call


def test_fill_modes_match_the_reference() -> None:
    def image(lib, fill, dtype=np.uint8):
        source = IMAGE if dtype == np.uint8 else (IMAGE / 255).astype(np.float32)
        return lib.Compose([lib.GridDropout(**FIXED_GRID, fill=fill, p=1)], seed=0)(image=source)["image"]

    np.testing.assert_array_equal(image(A, "grayscale"), image(ref, "grayscale"))
    np.testing.assert_allclose(
        image(A, "grayscale", np.float32), image(ref, "grayscale", np.float32), atol=1e-6
    )
    for method in ("inpaint_telea", "inpaint_ns"):
        # Debian's OpenCV 4.6 against the wheel's: the same algorithm, a few grey levels apart.
        ours, theirs = image(A, method).astype(int), image(ref, method).astype(int)
        assert np.abs(ours - theirs).mean() < 1.0
        holes = (image(A, FILL) == FILL).all(-1)
        assert not (ours[~holes] - IMAGE[~holes]).any()
    uniform = image(A, "random_uniform")
    holes = (image(A, FILL) == FILL).all(-1)
    assert not (uniform[~holes] != IMAGE[~holes]).any()
    first_hole = uniform[3:15, 2:14].reshape(-1, 3)
    assert (first_hole == first_hole[0]).all()  # one colour per hole
    per_pixel = image(A, "random")[holes]
    assert per_pixel.std() > 50 and per_pixel.min() < 30 and per_pixel.max() > 225
    floats = image(A, "random", np.float32)[holes]
    assert floats.dtype == np.float32 and 0 <= floats.min() and floats.max() <= 1 and floats.std() > 0.2


def test_additional_images_take_the_same_holes_and_draws() -> None:
    t = A.Compose(
        [A.CoarseDropout(num_holes_range=(3, 3), fill="random", p=1)],
        additional_targets={"other": "image"},
        seed=2,
    )
    out = t(image=IMAGE, other=IMAGE.copy())
    np.testing.assert_array_equal(out["image"], out["other"])
    assert (out["image"] != IMAGE).any()


@pytest.mark.parametrize(
    "binding", [("masks", "bboxes"), ("mask", "bboxes"), ("masks", "bboxes", "keypoints")]
)
def test_a_covered_instance_row_dies_whole(binding: tuple[str, ...]) -> None:
    scene = make_scene(np.random.default_rng(4), n=6)
    everything = A.CoarseDropout(
        num_holes_range=(1, 1), hole_height_range=(96, 96), hole_width_range=(128, 128), p=1
    )
    out = compose([everything], binding)(image=scene.image, instances=scene.instances)
    assert out["instances"] == []
    assert not out["image"].any()


def test_partly_covered_rows_shrink_and_keep_their_identity() -> None:
    scene = make_scene(np.random.default_rng(4), n=6)
    t = compose([A.GridDropout(holes_number_xy=(2, 2), random_offset=False, ratio=0.5, fill_mask=0, p=1)])
    out = t(image=scene.image, instances=scene.instances)
    assert out["instances"], "some row must survive a hole over part of the canvas"
    for inst in out["instances"]:
        mask = inst["mask"].astype(bool)
        colour = np.array([50 + inst["id"] % 200, 50 + (inst["id"] // 200) % 200, 200])
        assert (out["image"][mask] == colour).all(), "a row's mask holds pixels of another object"
        x1, y1, x2, y2 = inst["bbox"]
        ys, xs = np.nonzero(mask)
        assert x1 <= xs.min() and xs.max() < x2 and y1 <= ys.min() and ys.max() < y2


def test_instance_masks_take_the_mask_fill_only_when_asked() -> None:
    scene = make_scene(np.random.default_rng(6), n=5)
    ids = [i["id"] for i in scene.instances]

    def hole(**fill_mask: float) -> A.CoarseDropout:  # one 30 x 40 hole
        return A.CoarseDropout(
            num_holes_range=(1, 1), hole_height_range=(30, 30), hole_width_range=(40, 40), **fill_mask, p=1
        )

    kept = compose([hole()], min_visibility=0)(image=scene.image, instances=scene.instances)
    for inst in kept["instances"]:
        np.testing.assert_array_equal(inst["mask"], scene.instances[ids.index(inst["id"])]["mask"])
    zeroed = compose([hole(fill_mask=0)])(image=scene.image, instances=scene.instances)
    holes = (zeroed["image"] == 0).all(-1) & np.stack([i["mask"] for i in scene.instances]).any(0)
    for inst in zeroed["instances"]:
        assert not inst["mask"][holes].any()
    grown = compose([hole(fill_mask=1)])(image=scene.image, instances=scene.instances)
    for inst in grown["instances"]:
        assert inst["mask"].sum() >= 30 * 40


def test_wide_masks_take_the_mask_fill_as_their_dtype() -> None:
    mask = np.zeros((100, 120), np.int64)
    t = A.Compose([A.GridDropout(**FIXED_GRID, fill_mask=70000, p=1)], seed=0)
    out = t(image=IMAGE, mask=mask)["mask"]
    assert out.dtype == np.int64 and set(np.unique(out)) == {0, 70000}


def test_applied_transforms_report_the_holes_drawn() -> None:
    t = A.Compose(
        [A.CoarseDropout(num_holes_range=(2, 5), hole_height_range=(4, 9), p=1)],
        save_applied_params=True,
        seed=0,
    )
    config = t(image=IMAGE)["applied_transforms"][0][1]
    assert 2 <= config["num_holes_range"] <= 5
    low, high = config["hole_height_range"]
    assert 4 <= low <= high <= 9


def test_bad_arguments_name_what_is_wrong() -> None:
    with pytest.raises(
        ValueError, match="CoarseDropout: fill must be a number, a tuple of numbers or one of"
    ):
        A.CoarseDropout(fill="blue")
    with pytest.raises(ValueError, match="fill_mask must be None when fill='grayscale'"):
        A.CoarseDropout(fill="grayscale", fill_mask=0)
    with pytest.raises(ValueError, match="num_holes_range values must be >= 1"):
        A.CoarseDropout(num_holes_range=(0, 2))
    with pytest.raises(ValueError, match="GridDropout: ratio must be > 0"):
        A.GridDropout(ratio=0)
    with pytest.raises(ValueError, match="Erasing: scale must satisfy min <= max"):
        A.Erasing(scale=(0.5, 0.1))
    with pytest.raises(ValueError, match="CoarseDropout: fill must have one value or one per channel"):
        A.Compose([A.CoarseDropout(fill=(1, 2), p=1)])(image=IMAGE)
    with pytest.raises(ValueError, match="CoarseDropout: fill='inpaint_ns' .* only for 1 or 3 channel"):
        A.Compose([A.CoarseDropout(fill="inpaint_ns", p=1)])(image=np.zeros((20, 20, 4), np.uint8))
    with pytest.raises(ValueError, match="CoarseDropout: hole_height_range starts at 50 pixels"):
        A.Compose([A.CoarseDropout(hole_height_range=(50, 60), p=1)])(image=np.zeros((20, 20, 3), np.uint8))
    with pytest.raises(
        ValueError, match="GridDropout: unit_size_range must be within the shortest image edge"
    ):
        A.Compose([A.GridDropout(unit_size_range=(2, 50), p=1)])(image=np.zeros((20, 30, 3), np.uint8))


@pytest.mark.parametrize("method", ["inpaint_telea", "inpaint_ns"])
@pytest.mark.parametrize("shape", [(1, 300), (2, 1), (300, 1), (3, 2), (5, 7), (1, 1)])
def test_inpainting_a_narrow_image_is_repeatable(method: str, shape: tuple[int, int]) -> None:
    # OpenCV's Telea read past images a pixel or two across: one seed gave different images.
    image = np.random.default_rng(0).integers(0, 255, (*shape, 3), dtype=np.uint8)
    outputs = {
        A.Compose([A.Erasing(scale=(0.0, 1.0), ratio=(1, 1), fill=method, p=1)], seed=0)(image=image)[
            "image"
        ].tobytes()
        for _ in range(12)
    }
    assert len(outputs) == 1


def test_xy_masking_reads_pixels_from_integers_and_shares_from_floats() -> None:
    image = np.full((50, 80, 3), 100, np.uint8)
    pixels = A.Compose([A.XYMasking(num_masks_x_range=(1, 1), mask_x_length_range=(7, 7), p=1)], seed=0)
    shares = A.Compose([A.XYMasking(num_masks_y_range=(1, 1), mask_y_length_range=(0.1, 0.1), p=1)], seed=0)
    for _ in range(5):
        assert (pixels(image=image)["image"] == 0).all(axis=(0, 2)).sum() == 7  # a 7-column stripe
        assert (shares(image=image)["image"] == 0).all(axis=(1, 2)).sum() == 5  # a tenth of 50 rows
    with pytest.raises(ValueError, match="at least one of mask_x_length_range or mask_y_length_range"):
        A.XYMasking()
    with pytest.raises(ValueError, match="mask_x_length_range elements must be all integers or all floats"):
        A.XYMasking(mask_x_length_range=(0, 0.5))
    with pytest.raises(ValueError, match="mask_y_length_range values must be <= 1 as shares"):
        A.XYMasking(mask_y_length_range=(0.5, 1.5))
    with pytest.raises(
        ValueError, match=r"XYMasking: mask_x_length_range range \(7, 90\) is out of valid range \[0, 80\]"
    ):
        A.Compose([A.XYMasking(num_masks_x_range=(1, 1), mask_x_length_range=(7, 90), p=1)])(image=image)


def test_grid_mask_lines_are_the_holes() -> None:
    image = np.full((60, 60, 3), 100, np.uint8)
    out = A.Compose([A.GridMask(num_grid_range=(3, 3), line_width_range=(0.25, 0.25), p=1)], seed=1)(
        image=image
    )
    holes = (out["image"] == 0).all(-1)
    columns, rows = holes.all(0), holes.all(1)
    assert columns.sum() == 3 * 5 and rows.sum() == 3 * 5  # three lines of 5 (a quarter of 20) each way
    assert np.array_equal(holes, columns[None, :] | rows[:, None])
    with pytest.raises(ValueError, match="GridMask: line_width_range values must be > 0"):
        A.GridMask(line_width_range=(0, 0.5))


def test_time_and_frequency_masks_are_one_stripe_of_zeros() -> None:
    for _ in range(20):
        time = A.Compose([A.TimeMasking(time_mask_param=30, p=1)])(image=IMAGE, mask=MASK + 1)
        columns = (time["image"] == 0).all(axis=(0, 2))
        assert columns.sum() <= 30 and np.array_equal(time["mask"] == 0, np.broadcast_to(columns, MASK.shape))
        frequency = A.Compose([A.FrequencyMasking(freq_mask_param=20, p=1)])(image=IMAGE)
        assert (frequency["image"] == 0).all(axis=(1, 2)).sum() <= 20
    with pytest.raises(ValueError, match="TimeMasking: time_mask_param must be >= 1"):
        A.TimeMasking(time_mask_param=0)
    with pytest.raises(
        ValueError, match="FrequencyMasking: freq_mask_param 500 is longer than the image side 100"
    ):
        A.Compose([A.FrequencyMasking(freq_mask_param=500, p=1)])(image=IMAGE)


# -- PixelDropout: single pixels ------------------------------------------------------------------


def _dropped(out: np.ndarray) -> np.ndarray:
    """Where PixelDropout's fill (FILL, which IMAGE never holds) landed, per pixel."""
    return (out == FILL).all(-1)


@pytest.mark.parametrize("rules", [(0, 0), (300, 0), (0, 0.7)])
def test_pixel_dropout_judges_boxes_by_their_dropped_pixels(rules: tuple[float, float]) -> None:
    t = _plain(A, A.PixelDropout(dropout_prob=0.35, drop_value=FILL, p=1), *rules)
    for seed in range(4):
        t.set_random_seed(seed)
        out = _call(t)
        dropped = _dropped(out["image"])
        assert 0.3 < dropped.mean() < 0.4
        np.testing.assert_array_equal(out["image"][~dropped], IMAGE[~dropped])
        # The reference's own rule (mask_dropout_bboxes) on the pixels we dropped.
        expected = fdropout.mask_dropout_bboxes(BOXES, dropped, IMAGE.shape[:2], *rules)
        np.testing.assert_allclose(np.asarray(out["bboxes"]).reshape(-1, 4), expected)
        np.testing.assert_allclose(out["keypoints"], KEYPOINTS, atol=1e-5)  # they stay, as the reference's


def test_pixel_dropout_drops_as_often_and_with_the_values_of_the_reference() -> None:
    image = np.full((200, 200, 3), 200, np.uint8)
    for arguments in [
        {"dropout_prob": 0.1},
        {"dropout_prob": 0.3, "per_channel": True, "drop_value": (5, 6, 7)},
        {"dropout_prob": 0.2, "drop_value": None},
    ]:
        rates, values = {}, {}
        for lib in (A, ref):
            t = lib.Compose([lib.PixelDropout(**arguments, p=1)], seed=3)
            outs = [t(image=image)["image"] for _ in range(20)]
            rates[lib] = np.mean([(o != 200).mean() for o in outs])
            values[lib] = np.concatenate([o[o != 200] for o in outs])
        assert abs(rates[A] - rates[ref]) < 0.01, arguments
        if arguments.get("drop_value", 0) is None:  # a random value per channel and call, in [0, 255)
            assert values[A].max() < 255 and len(np.unique(values[A])) > 20
        else:
            assert set(np.unique(values[A])) == set(np.unique(values[ref])), arguments


def test_pixel_dropout_masks_drop_where_the_image_drops() -> None:
    t = A.Compose([A.PixelDropout(dropout_prob=0.4, drop_value=FILL, mask_drop_value=9, p=1)], seed=0)
    out = t(image=IMAGE, mask=MASK)
    dropped = _dropped(out["image"])
    np.testing.assert_array_equal(out["mask"], np.where(dropped, 9, MASK))
    untouched = A.Compose([A.PixelDropout(dropout_prob=0.4, p=1)], seed=0)(image=IMAGE, mask=MASK)
    np.testing.assert_array_equal(untouched["mask"], MASK)
    # Channels dropped apart: the reference's separate draw for the masks.
    apart = A.Compose([A.PixelDropout(dropout_prob=0.4, per_channel=True, mask_drop_value=9, p=1)], seed=0)
    assert 0.35 < (apart(image=IMAGE, mask=MASK)["mask"] == 9).mean() < 0.45


def test_pixel_dropout_instance_rows_lose_pixels_or_die_whole() -> None:
    scene = make_scene(np.random.default_rng(6), n=6)
    colours = {i["id"]: scene.image[i["mask"].astype(bool)][0] for i in scene.instances}
    drop = A.PixelDropout(dropout_prob=0.6, drop_value=FILL, mask_drop_value=0, p=1)
    t = compose([drop], min_visibility=0.3)
    out = t(image=scene.image, instances=scene.instances)
    dropped = _dropped(out["image"])
    survivors = {inst["id"] for inst in out["instances"]}
    for inst in out["instances"]:
        mask = inst["mask"].astype(bool)
        assert not (mask & dropped).any(), "a mask kept a dropped pixel"
        assert (out["image"][mask] == colours[inst["id"]]).all()
    everything = compose([A.PixelDropout(dropout_prob=1.0, drop_value=FILL, p=1)], min_visibility=0.01)
    assert everything(image=scene.image, instances=scene.instances)["instances"] == []
    assert survivors, "a 60% dropout at min_visibility 0.3 leaves some rows"


def test_pixel_dropout_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="PixelDropout: dropout_prob"):
        A.PixelDropout(dropout_prob=1.5)
    t = A.Compose([A.PixelDropout(dropout_prob=0.5, mask_drop_value=(1, 2), p=1)], seed=0)
    with pytest.raises(ValueError, match="PixelDropout: .*one value or one per channel"):
        t(image=IMAGE, mask=MASK)


@pytest.mark.parametrize("dtype", [np.uint16, np.int64, np.int32])
@pytest.mark.parametrize(
    "grows",
    [
        lambda: A.CoarseDropout(
            num_holes_range=(2, 2), hole_height_range=(9, 9), hole_width_range=(7, 7), fill_mask=3, p=1
        ),
        lambda: A.PixelDropout(dropout_prob=0.2, mask_drop_value=3, p=1),
    ],
)
def test_an_empty_instance_mask_grows_in_its_own_dtype(dtype, grows) -> None:
    # An empty row's tile has no element type of its own: it grew as uint8 inside wider masks, and
    # the output plane was then read past the tile's rows (garbage, different from call to call).
    image = np.full((40, 50, 3), 90, np.uint8)
    empty = {"mask": np.zeros((40, 50), dtype), "bbox": np.array([5.0, 5.0, 30.0, 30.0])}
    t = A.Compose(
        [grows()], bbox_params=A.BboxParams("pascal_voc"), instance_binding=["masks", "bboxes"], seed=2
    )
    first, second = (t(image=image, instances=[dict(empty)])["instances"] for _ in range(2))
    t.set_random_seed(2)
    again = t(image=image, instances=[dict(empty)])["instances"]
    for out in (first, second, again):
        mask = out[0]["mask"]
        assert mask.dtype == dtype and set(np.unique(mask)) == {0, 3}
    np.testing.assert_array_equal(first[0]["mask"], again[0]["mask"])


def test_pixel_dropout_refuses_additional_images_its_draw_does_not_fit() -> None:
    drop = A.PixelDropout(dropout_prob=0.5, per_channel=True, p=1)
    t = A.Compose([drop], additional_targets={"other": "image"}, seed=0)
    four = np.zeros((100, 120, 4), np.uint8)
    with pytest.raises(ValueError, match="PixelDropout: an image of 120x100 with 4 channel"):
        t(image=IMAGE, other=four)


# -- ConstrainedCoarseDropout: holes on chosen objects -------------------------------------------


def _assert_same_call(ours: dict, theirs: dict) -> None:
    """The same image, mask, rows (boxes and labels) and keypoints as the reference's."""
    np.testing.assert_array_equal(ours["image"], theirs["image"])
    np.testing.assert_array_equal(ours["mask"], theirs["mask"])
    np.testing.assert_allclose(np.asarray(ours["bboxes"]).reshape(-1, 4), theirs["bboxes"], atol=1e-4)
    assert list(ours["labels"]) == list(theirs["labels"])
    np.testing.assert_allclose(ours["keypoints"], theirs["keypoints"], atol=1e-5)


WHOLE_OBJECT = {"hole_height_range": (1.0, 1.0), "hole_width_range": (1.0, 1.0)}


@pytest.mark.parametrize("rules", [(0, 0), (300, 0), (0, 0.7)])
@pytest.mark.parametrize("labels", [[0, 2, 4], ["b", "d"]])
def test_constrained_coarse_dropout_on_chosen_boxes_matches_the_reference(rules, labels) -> None:
    # Holes as large as their box: where they fall is fixed, so everything can be compared.
    names = labels if isinstance(labels[0], str) else None
    data = dict(image=IMAGE, mask=MASK, bboxes=BOXES, keypoints=KEYPOINTS)
    data["labels"] = ["a", "b", "c", "d", "e"] if names else list(range(len(BOXES)))
    outs = []
    for lib in (A, ref):
        drop = lib.ConstrainedCoarseDropout(**WHOLE_OBJECT, bbox_labels=labels, fill=FILL, fill_mask=9, p=1)
        outs.append(_plain(lib, drop, *rules)(**data))
    ours, theirs = outs
    _assert_same_call(ours, theirs)
    assert _dropped(ours["image"]).any()


def test_constrained_coarse_dropout_holes_fall_on_the_chosen_mask_regions() -> None:
    mask = np.zeros((100, 120), np.uint8)
    mask[10:30, 10:30] = 1  # 400 pixels: holes of 0.5 * sqrt(400) = 10 px, centred on the square
    mask[60:90, 70:110] = 2
    for lib in (A, ref):
        drop = lib.ConstrainedCoarseDropout(
            hole_height_range=(0.5, 0.5), hole_width_range=(0.5, 0.5), mask_indices=[1], fill=FILL, p=1
        )
        t = lib.Compose([drop], seed=4)
        for _ in range(20):
            dropped = _dropped(t(image=IMAGE, mask=mask)["image"])
            ys, xs = np.nonzero(dropped)
            assert dropped.sum() == 100 and ys.min() >= 5 and xs.max() < 35, lib.__name__


def test_constrained_coarse_dropout_kills_the_chosen_instances_whole() -> None:
    scene = make_scene(np.random.default_rng(8), n=6)
    chosen = [i["bbox_labels"]["class_name"] for i in scene.instances[:3]]
    drop = A.ConstrainedCoarseDropout(**WHOLE_OBJECT, bbox_labels=chosen, fill=FILL, fill_mask=0, p=1)
    out = compose([drop], min_visibility=0.1)(image=scene.image, instances=scene.instances)
    assert {i["bbox_labels"]["class_name"] for i in out["instances"]}.isdisjoint(chosen)
    assert len(out["instances"]) >= 1
    # Without a label or a mask to choose by, nothing happens (the reference warns).
    nothing = compose([A.ConstrainedCoarseDropout(**WHOLE_OBJECT, fill=FILL, p=1)])
    np.testing.assert_array_equal(nothing(image=scene.image, instances=scene.instances)["image"], scene.image)


def test_constrained_coarse_dropout_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="ConstrainedCoarseDropout: bbox_labels must be a list of labels"):
        A.ConstrainedCoarseDropout(bbox_labels=[[1]])
    with pytest.raises(ValueError, match="ConstrainedCoarseDropout: mask_indices"):
        A.ConstrainedCoarseDropout(mask_indices=[0])
    with pytest.raises(ValueError, match="ConstrainedCoarseDropout: hole_height_range"):
        A.ConstrainedCoarseDropout(hole_height_range=(0.5, 1.5))


# -- GuidedCoarseDropout: holes inside a region the call gives ------------------------------------

REGION = np.zeros((100, 120), np.uint8)
REGION[20:80, 15:100] = 1
REGION[50:60, 40:50] = 0


@pytest.mark.parametrize("rules", [(0, 0), (300, 0), (0, 0.5)])
@pytest.mark.parametrize("protected", [None, [1, 4]])
def test_guided_coarse_dropout_over_the_whole_region_matches_the_reference(rules, protected) -> None:
    # 30 holes the size of the image (each from its centre less half the side, clipped): every
    # eligible pixel drops, for the seed drawn, in both libraries.
    outs = []
    for lib in (A, ref):
        drop = lib.GuidedCoarseDropout(
            protected_bbox_labels=protected,
            protection_margin=0.1,
            num_holes_range=(30, 30),
            **WHOLE_OBJECT,
            fill=FILL,
            fill_mask=9,
            p=1,
        )
        outs.append(_plain(lib, drop, *rules)(**_guided_data()))
    ours, theirs = outs
    _assert_same_call(ours, theirs)
    np.testing.assert_array_equal(ours["dropout_region"], REGION)  # returned as given


def _guided_data() -> dict:
    return dict(
        image=IMAGE,
        mask=MASK,
        bboxes=BOXES,
        labels=list(range(len(BOXES))),
        keypoints=KEYPOINTS,
        dropout_region=REGION,
    )


def test_guided_coarse_dropout_drops_inside_the_region_as_much_as_the_reference() -> None:
    counts = {}
    for lib in (A, ref):
        drop = lib.GuidedCoarseDropout(num_holes_range=(1, 3), fill=FILL, p=1)
        t = lib.Compose([drop], seed=5)
        dropped = [_dropped(t(image=IMAGE, dropout_region=REGION)["image"]) for _ in range(150)]
        assert not any((d & (REGION == 0)).any() for d in dropped)
        counts[lib] = np.mean([d.sum() for d in dropped])
    assert abs(counts[A] - counts[ref]) < 0.15 * counts[ref]


def test_guided_coarse_dropout_checks_its_region() -> None:
    t = A.Compose([A.GuidedCoarseDropout(p=1)], strict=True)
    with pytest.raises(ValueError, match="GuidedCoarseDropout reads dropout_region= from the call; pass it"):
        t(image=IMAGE)
    with pytest.raises(ValueError, match=r"dropout_region must be \(H, W\) = \(100, 120\)"):
        t(image=IMAGE, dropout_region=REGION[:50])
    with pytest.raises(ValueError, match="dropout_region must be binary with values 0 or 1"):
        t(image=IMAGE, dropout_region=REGION * 2)
    resized = A.Compose([A.Resize(50, 60), A.GuidedCoarseDropout(p=1)])
    with pytest.raises(
        ValueError, match="GuidedCoarseDropout: dropout_region is 100x120 .* the image is now 50x60"
    ):
        resized(image=IMAGE, dropout_region=REGION)
    nothing = t(image=IMAGE, dropout_region=np.zeros_like(REGION, dtype=bool))
    np.testing.assert_array_equal(nothing["image"], IMAGE)


# -- MaskDropout: whole objects ---------------------------------------------------------------------

OBJECTS = np.zeros((100, 120), np.uint8)
OBJECTS[5:30, 10:40] = 1
OBJECTS[50:90, 60:110] = 2
OBJECTS[60:95, 5:20] = 1
OBJECTS[20:40, 80:100] = 3


@pytest.mark.parametrize("fill", [9, "grayscale", "inpaint_telea", "inpaint_ns"])
@pytest.mark.parametrize("rules", [(0, 0), (0, 0.8)])
def test_mask_dropout_of_every_object_matches_the_reference(fill, rules) -> None:
    outs = []
    for lib in (A, ref):
        t = _plain(lib, lib.MaskDropout(max_objects_range=(9, 9), fill=fill, fill_mask=5, p=1), *rules)
        outs.append(t(image=IMAGE, mask=OBJECTS, bboxes=BOXES, labels=list(range(5)), keypoints=KEYPOINTS))
    ours, theirs = outs
    _assert_same_call(ours, theirs)


def test_mask_dropout_removes_one_connected_object_as_often_as_the_reference() -> None:
    regions = [(OBJECTS == v) for v in (1, 2, 3)]
    regions = [
        regions[0] & (np.arange(100)[:, None] < 40),
        regions[0] & (np.arange(100)[:, None] >= 40),
    ] + regions[1:]
    picks = {}
    for lib in (A, ref):
        t = lib.Compose([lib.MaskDropout(fill=0, fill_mask=0, p=1)], seed=2)
        seen = []
        for _ in range(200):
            removed = (t(image=IMAGE, mask=OBJECTS)["mask"] == 0) & (OBJECTS != 0)
            [index] = [i for i, r in enumerate(regions) if np.array_equal(removed, r)]
            seen.append(index)
        picks[lib] = np.bincount(seen, minlength=4) / len(seen)
    assert (np.abs(picks[A] - 0.25) < 0.1).all() and (np.abs(picks[ref] - 0.25) < 0.1).all()


def test_mask_dropout_removes_instances_whole() -> None:
    scene = make_scene(np.random.default_rng(9), n=6)
    t = compose([A.MaskDropout(max_objects_range=(2, 2), fill=0, fill_mask=0, p=1)], seed=3)
    out = t(image=scene.image, instances=scene.instances)
    by_id = {i["id"]: i for i in scene.instances}
    gone = set(by_id) - {i["id"] for i in out["instances"]}
    assert len(gone) == 2
    removed = np.any([by_id[i]["mask"].astype(bool) for i in gone], axis=0)
    np.testing.assert_array_equal(out["image"][removed], 0)
    np.testing.assert_array_equal(out["image"][~removed], scene.image[~removed])
    for inst in out["instances"]:  # the others lose what the removed objects covered
        np.testing.assert_array_equal(inst["mask"], np.where(removed, 0, by_id[inst["id"]]["mask"]))
