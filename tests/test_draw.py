"""instaug.draw: pictures of samples. Drawn pixels are where the objects are and nowhere else, each
instance in its own colour; every mask form (arrays, COCO RLE, the 1/k index map) gives the same
picture; inputs stay as they were; bad arguments are named."""

from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest

import instaug as A
from instaug import draw as D

from helpers import FIELDS, make_scene

pytest.importorskip("PIL", reason="instaug.draw needs Pillow (the test extra installs it)")


def _shift_or(mask: np.ndarray, steps: int) -> np.ndarray:
    """The mask dilated `steps` times by the 3x3 neighbourhood."""
    out = mask.copy()
    for _ in range(steps):
        p = np.pad(out, 1)
        out = np.zeros_like(mask)
        for dy in range(3):
            for dx in range(3):
                out |= p[dy : dy + mask.shape[0], dx : dx + mask.shape[1]]
    return out


def _eroded(mask: np.ndarray, steps: int) -> np.ndarray:
    """The mask eroded by the 3x3 neighbourhood; outside the image counts as background."""
    return ~_shift_or(~np.pad(mask.astype(bool), steps), steps)[steps:-steps, steps:-steps]


def _box_edges(box: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    x1, y1, x2, y2 = (int(v) for v in box)
    edges = np.zeros(shape, bool)
    edges[y1:y2, [x1, x2 - 1]] = True
    edges[[y1, y2 - 1], x1:x2] = True
    return edges


def _bare(instances: list[dict], *keep: str) -> list[dict]:
    return [{k: inst[k] for k in keep} for inst in instances]


def _changed(picture: np.ndarray, image: np.ndarray) -> np.ndarray:
    return (picture != image).any(axis=2)


def _pipeline(**kwargs) -> A.Compose:
    return A.Compose(
        [A.Affine(rotate=(-20, 20), scale=(0.9, 1.1), p=1.0), A.HorizontalFlip(p=0.5)],
        bbox_params=A.BboxParams("pascal_voc", label_fields=FIELDS),
        instance_binding=["masks", "bboxes"],
        seed=5,
        **kwargs,
    )


# --- where things are drawn ---------------------------------------------------------------------


def test_masks_and_box_outlines_are_drawn_and_far_pixels_are_not(scene):
    picture = D.draw_instances(scene.image, _bare(scene.instances, "mask", "bbox"))
    assert picture.shape == scene.image.shape and picture.dtype == np.uint8
    changed = _changed(picture, scene.image)
    drawn = np.zeros(scene.image.shape[:2], bool)
    for inst in scene.instances:
        edges = _box_edges(inst["bbox"], drawn.shape)
        assert changed[inst["mask"].astype(bool)].all()
        assert changed[edges].all()
        drawn |= inst["mask"].astype(bool) | edges
    assert not changed[~_shift_or(drawn, 2)].any()
    assert (~_shift_or(drawn, 2)).sum() > 100  # the scene leaves room to check


def test_each_mask_is_tinted_with_its_own_colour(scene):
    masks = np.stack([inst["mask"] for inst in scene.instances])
    picture = D.draw(scene.image, masks=masks, alpha=0.5)
    colors = [D.PALETTE[i] for i in range(len(masks))]
    assert len(set(colors)) == len(colors)
    for mask, color in zip(masks, colors):
        inner = _eroded(mask, 2)
        expected = np.rint(scene.image[inner] * 0.5 + np.array(color) * 0.5)
        np.testing.assert_allclose(picture[inner], expected, atol=1)
        p = np.pad(mask.astype(bool), 1)
        outline = p[1:-1, 1:-1] & ~(p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:])  # 4-connected
        assert (picture[outline] == color).all()
    # colors overrides the palette, cycled by row
    mine = [(255, 0, 0), (0, 0, 255)]
    picture = D.draw(scene.image, masks=masks, alpha=1.0, colors=mine)
    for i, mask in enumerate(masks):
        assert (picture[mask.astype(bool)] == mine[i % 2]).all()


def test_labels_appear_on_a_tab_over_their_box(scene):
    plain = D.draw_instances(scene.image, _bare(scene.instances, "bbox"))
    labelled = D.draw_instances(scene.image, _bare(scene.instances, "bbox", "bbox_labels"))
    height, width = scene.image.shape[:2]
    for inst in scene.instances:
        x1, y1 = int(inst["bbox"][0]), int(inst["bbox"][1])
        window = (slice(max(y1 - 14, 0), min(y1 + 14, height)), slice(x1, min(x1 + 30, width)))
        assert _changed(labelled[window], plain[window]).any(), inst["id"]
    # the text is drawn in a colour of its own on the tab's fill
    fill = D.PALETTE[0]
    x1, y1 = int(scene.instances[0]["bbox"][0]), int(scene.instances[0]["bbox"][1])
    window = (slice(max(y1 - 14, 0), y1 + 14), slice(x1, x1 + 30))
    assert (labelled[window] == fill).all(axis=2).sum() > 20
    ink = (labelled[window] != fill).any(axis=2) & _changed(labelled[window], plain[window])
    assert ink.sum() > 5
    # label_key picks the field shown; the first field otherwise
    by_color = D.draw_instances(scene.image, _bare(scene.instances, "bbox", "bbox_labels"), label_key="color")
    by_name = D.draw_instances(
        scene.image, _bare(scene.instances, "bbox", "bbox_labels"), label_key="class_name"
    )
    assert (by_name == labelled).all() and (by_color != labelled).any()


def test_keypoints_and_skeleton_lines_are_drawn():
    image = np.full((64, 80, 3), 90, np.uint8)
    points = np.array([[10.0, 12.0], [60.0, 50.0], [np.nan, np.nan], [200.0, 5.0]])
    bones = D.draw(image, keypoints=points, skeleton=[(0, 1), (1, 2), (0, 3)])
    dots = D.draw(image, keypoints=points)
    for x, y in points[:2].astype(int):
        assert _changed(bones, image)[y, x] and _changed(dots, image)[y, x]
    assert _changed(bones, image)[31, 35] and not _changed(dots, image)[31, 35]  # on the 0-1 line
    # the invisible keypoints get no dot and no line
    assert not _changed(bones, image)[6:14, 20:78].any()  # where the line 0-3 would be
    assert (
        _changed(bones, image).sum()
        == _changed(D.draw(image, keypoints=points[:2], skeleton=[(0, 1)]), image).sum()
    )
    # an instance's keypoints and skeleton take its colour
    inst = {"keypoints": points[:2], "bbox": np.array([5, 5, 70, 60])}
    picture = D.draw_instances(image, [inst, inst], skeleton=[(0, 1)], colors=[(0, 200, 0), (200, 0, 0)])
    assert tuple(picture[31, 35]) == (200, 0, 0) and tuple(picture[12, 10]) == (200, 0, 0)
    # keypoint_format picks the x and y columns
    swapped = D.draw(image, keypoints=points[:2, ::-1], keypoint_format="yx", skeleton=[(0, 1)])
    np.testing.assert_array_equal(swapped, D.draw(image, keypoints=points[:2], skeleton=[(0, 1)]))


# --- mask forms ---------------------------------------------------------------------------------


def test_rle_masks_give_the_same_picture_as_arrays(scene):
    arrays = D.draw_instances(scene.image, scene.instances, skeleton=[(0, 1)])
    as_bytes = [{**inst, "mask": A.mask_to_rle(inst["mask"])} for inst in scene.instances]
    as_text = [
        {**inst, "mask": {**inst["mask"], "counts": inst["mask"]["counts"].decode()}} for inst in as_bytes
    ]
    np.testing.assert_array_equal(D.draw_instances(scene.image, as_bytes, skeleton=[(0, 1)]), arrays)
    np.testing.assert_array_equal(D.draw_instances(scene.image, as_text, skeleton=[(0, 1)]), arrays)


def test_pipeline_outputs_in_coco_rle_draw_as_their_per_row_masks():
    for seed in range(3):
        scene = make_scene(np.random.default_rng(seed), 96, 128, 8)
        data = {"image": scene.image, "instances": scene.instances}
        rle = _pipeline(mask_output="coco_rle")(**data)
        rows = _pipeline()(**data)
        assert rle["instances"] and isinstance(rle["instances"][0]["mask"], dict)
        # (class_name is the first label field, which is what draws without label_key)
        picture = D.draw_instances(rle["image"], rle["instances"], label_key="class_name")
        np.testing.assert_array_equal(picture, D.draw_instances(rows["image"], rows["instances"]))
        covered = np.zeros(picture.shape[:2], bool)
        for inst in rows["instances"]:
            covered |= inst["mask"].astype(bool)
        assert _changed(picture, rle["image"])[covered].all()


@pytest.mark.parametrize("ratio", [1, 4])
def test_index_map_draws_as_its_masks(ratio):
    scene = make_scene(np.random.default_rng(ratio), 96, 128, 8)
    out = _pipeline(mask_output="index_map", mask_output_ratio=ratio)(
        image=scene.image, instances=scene.instances
    )
    index_map = out["index_map"]
    assert index_map.shape == (96 // ratio, 128 // ratio)
    boxes = np.stack([inst["bbox"] for inst in out["instances"]])
    picture = D.draw(out["image"], index_map=index_map, bboxes=boxes)
    full = np.kron(index_map, np.ones((ratio, ratio), index_map.dtype))
    planes = [full == v for v in range(1, len(boxes) + 1)]
    np.testing.assert_array_equal(picture, D.draw(out["image"], masks=planes, bboxes=boxes))
    assert _changed(picture, out["image"])[full > 0].all()


def test_rle_to_mask_inverts_mask_to_rle():
    rng = np.random.default_rng(0)
    for _ in range(50):
        height, width = (int(v) for v in rng.integers(1, 60, 2))
        mask = (rng.random((height, width)) < rng.random()).astype(np.uint8)
        np.testing.assert_array_equal(A.rle_to_mask(A.mask_to_rle(mask)), mask)
    runs = {"size": [2, 3], "counts": [1, 2, 3]}
    np.testing.assert_array_equal(A.rle_to_mask(runs), [[0, 1, 0], [1, 0, 0]])
    # Runs short of the size leave the rest 0 (the core's reader of pycocotools' format); runs past
    # it are refused.
    np.testing.assert_array_equal(A.rle_to_mask({"size": [2, 3], "counts": [1, 2]}), [[0, 1, 0], [1, 0, 0]])
    with pytest.raises(ValueError, match="more than the 2 x 3 canvas"):
        A.rle_to_mask({"size": [2, 3], "counts": [1, 9]})


# --- images ----------------------------------------------------------------------------------------


def test_float_and_grey_images_are_shown_in_display_levels(scene):
    normalised = A.Compose([A.Normalize(p=1.0)])(image=scene.image)["image"]
    assert normalised.dtype == np.float32 and normalised.min() < 0
    masks = [scene.instances[0]["mask"]]
    picture = D.draw(normalised, masks=masks)
    far = ~_shift_or(masks[0].astype(bool), 2)
    stretched = np.rint((normalised - normalised.min()) / np.ptp(normalised) * 255)
    np.testing.assert_allclose(picture[far], stretched[far], atol=1)
    assert _changed(picture, stretched.astype(np.uint8))[masks[0].astype(bool)].all()
    # ToFloat's [0, 1] keeps its look; grey becomes three equal channels
    np.testing.assert_array_equal(D.draw(scene.image / 255.0), scene.image)
    grey = scene.image[..., 2]
    for form in (grey, grey[..., None]):
        np.testing.assert_array_equal(D.draw(form), np.repeat(grey[..., None], 3, axis=2))


def test_inputs_are_not_modified(scene):
    image = scene.image.copy()
    instances = [{**inst, "rle": A.mask_to_rle(inst["mask"])} for inst in scene.instances]
    before = copy.deepcopy(instances)
    masks = np.stack([inst["mask"] for inst in instances])
    masks_before = masks.copy()
    pictures = [
        D.draw_instances(image, instances, skeleton=[(0, 1)]),
        D.draw_instances(image, [{**i, "mask": i["rle"]} for i in instances]),
        D.draw(
            image, masks=masks, bboxes=[i["bbox"] for i in instances], keypoints=instances[0]["keypoints"]
        ),
    ]
    D.grid(pictures + [image])
    np.testing.assert_array_equal(image, scene.image)
    np.testing.assert_array_equal(masks, masks_before)
    for now, then in zip(instances, before):
        for key in ("mask", "bbox", "keypoints"):
            np.testing.assert_array_equal(now[key], then[key])
        assert now["rle"] == then["rle"] and now["bbox_labels"] == then["bbox_labels"]
    assert all(not np.shares_memory(p, image) for p in pictures)


# --- bad input ------------------------------------------------------------------------------------


def _bad_calls(scene):
    image, inst = scene.image, scene.instances[0]
    height, width = image.shape[:2]
    return {
        "mask": lambda: D.draw_instances(image, [{**inst, "mask": np.ones((height + 3, width), np.uint8)}]),
        "bbox_format": lambda: D.draw_instances(image, [inst], bbox_format="xyxy"),
        "keypoint_format": lambda: D.draw(image, keypoints=[[1, 2]], keypoint_format="uv"),
        "masks": lambda: D.draw(image, masks=np.ones((2, height, width + 1), np.uint8)),
        "index_map": lambda: D.draw(image, index_map=np.ones((height // 4, width // 3), np.uint8)),
        "labels": lambda: D.draw(image, bboxes=[inst["bbox"]], labels=["a", "b"]),
        "bboxes": lambda: D.draw(image, bboxes=[[1, 2, 3]]),
        "skeleton": lambda: D.draw_instances(image, [inst], skeleton=[(0, 5)]),
        "label_key": lambda: D.draw_instances(image, [inst], label_key="species"),
        "alpha": lambda: D.draw(image, alpha=1.5),
        "colors": lambda: D.draw(image, colors=[(1, 2)]),
        "image": lambda: D.draw(np.moveaxis(image, -1, 0)),
        "images": lambda: D.grid([]),
    }


@pytest.mark.parametrize("argument", list(_bad_calls(make_scene(np.random.default_rng(0)))))
def test_bad_input_raises_value_error_naming_the_argument(scene, argument):
    with pytest.raises(ValueError, match=rf"\b{argument}\b"):
        _bad_calls(scene)[argument]()


# --- grid and imports ----------------------------------------------------------------------------


def test_grid_tiles_pictures_of_different_sizes():
    a = np.full((10, 20, 3), 10, np.uint8)
    b = np.full((30, 15), 20, np.uint8)
    c = np.full((5, 5, 3), 30, np.uint8)
    tiled = D.grid([a, b, c], pad=4)  # two columns: ceil(sqrt(3))
    assert tiled.shape == (4 + 30 + 4 + 5 + 4, 4 + 20 + 4 + 15 + 4, 3)
    assert (tiled[14:24, 4:24] == 10).all()  # a, centred in its 30-high row
    assert (tiled[4:34, 28:43] == 20).all()
    assert (tiled[38:43, 11:16] == 30).all()  # c, centred in the 20-wide column
    assert (tiled == 255).sum() == tiled.size - 3 * (10 * 20 + 30 * 15 + 5 * 5)
    assert D.grid([a, b, c], columns=1, pad=0).shape == (45, 20, 3)


def test_import_leaves_pillow_alone_and_missing_pillow_is_named(scene, monkeypatch):
    code = (
        "import sys, instaug; import instaug.draw; assert instaug.draw.draw; assert 'PIL' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        D.draw(scene.image)
