"""Results carry their geometry (Compose(save_geometry=True)): the forward map moves what is known on
the input exactly as the pipeline moved it, and unmap brings detections on the output back onto
the input image. The same A.Geometry is the C++ API's Result::geometry."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A

from helpers import make_scene


def _letterbox(**kwargs) -> A.Compose:
    return A.Compose(
        [A.LetterBox(size=(64, 64)), A.Normalize()],
        bbox_params=A.BboxParams("pascal_voc"),
        keypoint_params=A.KeypointParams("xy", remove_invisible=False),
        save_geometry=True,
        seed=1,
        **kwargs,
    )


def test_geometry_only_when_asked() -> None:
    image = np.zeros((48, 64, 3), np.uint8)
    assert "geometry" not in A.Compose([A.HorizontalFlip(p=1)])(image=image)
    geometry = A.Compose([A.HorizontalFlip(p=1)], save_geometry=True)(image=image)["geometry"]
    assert isinstance(geometry, A.Geometry)
    np.testing.assert_array_equal(geometry.matrix, [[-1, 0, 63], [0, 1, 0], [0, 0, 1]])


def test_letterbox_maps_boxes_keypoints_and_masks_back() -> None:
    image = np.full((96, 128, 3), 90, np.uint8)
    boxes = np.array([[10, 12, 40, 30], [64, 20, 100, 82]], np.float64)
    points = np.array([[20.5, 20.5], [90.25, 75.75]])
    mask = np.zeros((96, 128), np.uint8)
    mask[20:82, 64:100] = 1
    out = _letterbox()(image=image, bboxes=boxes, keypoints=points, mask=mask)
    g = out["geometry"]
    assert g.invertible and g.input_shape == (96, 128) and g.output_shape == (64, 64)
    # 128x96 -> 64x48 and 8 rows of padding above.
    np.testing.assert_allclose(out["bboxes"], [[5, 14, 20, 23], [32, 18, 50, 49]], atol=1e-5)
    np.testing.assert_allclose(g.map_bboxes(boxes), out["bboxes"], atol=1e-4)
    np.testing.assert_allclose(g.unmap_bboxes(out["bboxes"]), boxes, atol=1e-4)
    assert g.unmap_bboxes(out["bboxes"]).dtype == np.float32
    np.testing.assert_allclose(g.unmap_keypoints(out["keypoints"]), points, atol=1e-4)
    back = g.unmap_mask(out["mask"])
    assert back.shape == mask.shape and back.dtype == mask.dtype
    ys, xs = np.nonzero(back)
    assert (ys.min(), ys.max(), xs.min(), xs.max()) == (20, 81, 64, 99)


def test_a_detection_on_the_padding_is_clipped_to_the_image() -> None:
    out = _letterbox()(image=np.zeros((96, 128, 3), np.uint8))
    np.testing.assert_allclose(
        out["geometry"].unmap_bboxes(np.array([[0.0, 0.0, 64.0, 8.0]])), [[0, 0, 128, 0]]
    )
    unclipped = out["geometry"].unmap_bboxes(np.array([[0.0, 0.0, 64.0, 8.0]]), clip=False)
    np.testing.assert_allclose(unclipped, [[0, -16, 128, 0]])


@pytest.mark.parametrize("call", range(6))
def test_the_forward_map_moves_points_as_the_pipeline_moved_them(call: int) -> None:
    compose = A.Compose(
        [
            A.Affine(rotate=(-40, 40), scale=(0.8, 1.2), translate_px=(-6, 6), p=1),
            A.HorizontalFlip(p=0.5),
            A.RandomSizedCrop(min_max_height=(50, 80), size=(64, 72), p=1),
            A.Perspective(p=1),
            A.Transpose(p=0.5),
        ],
        keypoint_params=A.KeypointParams("xy", remove_invisible=False),
        save_geometry=True,
        seed=call,
    )
    points = np.random.default_rng(call).uniform(0, 90, (20, 2))
    out = compose(image=np.zeros((96, 128, 3), np.uint8), keypoints=points)
    g = out["geometry"]
    np.testing.assert_allclose(g.map_keypoints(points), out["keypoints"], atol=1e-3)
    np.testing.assert_allclose(g.unmap_keypoints(out["keypoints"]), points, atol=1e-3)


def test_steps_without_a_3x3_map_end_the_way_back() -> None:
    compose = A.Compose([A.GridDistortion(p=1)], save_geometry=True)
    g = compose(image=np.zeros((32, 32, 3), np.uint8))["geometry"]
    assert not g.invertible and "GridDistortion" in g.not_invertible_reason
    with pytest.raises(RuntimeError, match="GridDistortion"):
        g.unmap_bboxes(np.zeros((1, 4)))
    scene = make_scene(np.random.default_rng(0))
    mosaic = A.Compose(
        [A.Mosaic(target_size=(64, 64), p=1)],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["labels"]),
        instance_binding=["masks", "bboxes"],
        save_geometry=True,
    )
    instances = [{**inst, "bbox_labels": {"labels": 0}} for inst in scene.instances]
    g = mosaic(image=scene.image, instances=instances, mosaic_metadata=[])["geometry"]
    assert not g.invertible and "Mosaic" in g.not_invertible_reason


def test_bad_arrays_are_refused_by_name() -> None:
    g = _letterbox()(image=np.zeros((96, 128, 3), np.uint8))["geometry"]
    with pytest.raises(ValueError, match="unmap_mask: the mask must have the output's size 64x64"):
        g.unmap_mask(np.zeros((96, 128), np.uint8))
    with pytest.raises(ValueError, match="boxes must be an N x 4"):
        g.unmap_bboxes(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="bboxes must be float32 or float64 rows"):
        g.unmap_bboxes(np.zeros((2, 4), np.int64))


def test_save_geometry_is_written_to_files_only_when_set(tmp_path) -> None:
    assert "save_geometry" not in A.to_dict(A.Compose([A.NoOp()]))["transform"]
    A.save(_letterbox(), str(tmp_path / "p.json"))
    assert A.load(str(tmp_path / "p.json")).save_geometry is True
