"""Transforms written in Python (subclasses of A.ImageOnlyTransform / A.DualTransform, and
A.Lambda) run inside the C++ pipeline where they stand, as they do in albumentations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import instaug as A

from helpers import import_reference

IMAGE = np.zeros((6, 8, 3), np.uint8)
IMAGE[1, 1] = 255


class ShiftX(A.DualTransform):
    """np.roll along x, by a shift drawn from the transform's own generator."""

    def __init__(self, max_shift: int = 2, p: float = 0.5) -> None:
        super().__init__(p=p)
        self.max_shift = max_shift

    def get_params(self) -> dict[str, Any]:
        return {"dx": self.py_random.randint(1, self.max_shift)}

    def apply(self, img: np.ndarray, dx: int, **params: Any) -> np.ndarray:
        return np.roll(img, dx, axis=1)

    def apply_to_mask(self, mask: np.ndarray, dx: int, **params: Any) -> np.ndarray:
        return np.roll(mask, dx, axis=1)

    def apply_to_bboxes(self, bboxes: np.ndarray, dx: int, shape: tuple, **params: Any) -> np.ndarray:
        out = bboxes.copy()
        out[:, [0, 2]] += dx / shape[1]
        return out

    def apply_to_keypoints(self, keypoints: np.ndarray, dx: int, **params: Any) -> np.ndarray:
        out = keypoints.copy()
        out[:, 0] += dx
        return out


def _compose(*transforms: Any, **kwargs: Any) -> A.Compose:
    return A.Compose(
        list(transforms),
        bbox_params=A.BboxParams("pascal_voc", label_fields=["bl"]),
        keypoint_params=A.KeypointParams("xy", label_fields=["kl"]),
        **kwargs,
    )


def test_a_dual_transform_moves_every_target_with_the_image() -> None:
    mask = np.zeros((6, 8), np.uint8)
    mask[2:4, 1:3] = 1
    out = _compose(ShiftX(max_shift=1, p=1), A.HorizontalFlip(p=1), seed=0)(
        image=IMAGE, mask=mask, bboxes=[[1, 1, 3, 4]], bl=[0], keypoints=[[1, 2]], kl=[5]
    )
    # Shift by 1, then flip: x -> 8 - (x + 1) for box edges, 7 - (x + 1) for pixel centres.
    assert out["bboxes"].tolist() == [[4.0, 1.0, 6.0, 4.0]]
    assert out["keypoints"].tolist() == [[5.0, 2.0]]
    assert np.argwhere(out["image"][:, :, 0]).tolist() == [[1, 5]]
    assert np.argwhere(out["mask"]).tolist() == [[2, 4], [2, 5], [3, 4], [3, 5]]
    assert out["bl"] == [0] and out["kl"] == [5]


@pytest.mark.filterwarnings("ignore:label_fields are set but label_mapping")
def test_the_same_class_runs_as_in_the_reference() -> None:
    reference = import_reference("albumentations", needed_by="the Python-transform comparison")
    from albumentations.core.type_definitions import ALL_TARGETS

    class ReferenceShift(reference.DualTransform):
        _targets = ALL_TARGETS

        def sample_parameters(self, params, data, targets, sampling):  # noqa: ANN001, ANN201
            return reference.SampledParams(params={"dx": 2})

        apply = ShiftX.apply
        apply_to_mask = ShiftX.apply_to_mask
        apply_to_bboxes = ShiftX.apply_to_bboxes
        apply_to_keypoints = ShiftX.apply_to_keypoints

    class OurShift(A.DualTransform):
        def sample_parameters(self, params, data, targets, sampling):  # noqa: ANN001, ANN201
            return {"dx": 2}

        apply = ShiftX.apply
        apply_to_mask = ShiftX.apply_to_mask
        apply_to_bboxes = ShiftX.apply_to_bboxes
        apply_to_keypoints = ShiftX.apply_to_keypoints

    data = {"image": IMAGE, "bboxes": [[1, 1, 3, 4]], "bl": [0], "keypoints": [[1, 2]], "kl": [5]}
    ours = _compose(OurShift(p=1))(**data)
    theirs = reference.Compose(
        [ReferenceShift(p=1)],
        bbox_params=reference.BboxParams(coord_format="pascal_voc", label_fields=["bl"]),
        keypoint_params=reference.KeypointParams(coord_format="xy", label_fields=["kl"]),
    )(**data)
    for key in ("image", "bboxes", "keypoints"):
        np.testing.assert_allclose(np.asarray(ours[key]), np.asarray(theirs[key]), err_msg=key)


def test_rows_stay_whole_through_a_python_transform() -> None:
    compose = A.Compose(
        [ShiftX(max_shift=2, p=1)],
        bbox_params=A.BboxParams("pascal_voc"),
        instance_binding=["masks", "bboxes"],
        seed=1,
    )
    masks = [np.zeros((6, 8), np.uint8) for _ in range(2)]
    masks[0][1:3, 1:3] = 1
    masks[1][3:5, 2:6] = 1
    instances = [
        {"mask": m, "bbox": b, "id": i} for i, (m, b) in enumerate(zip(masks, [[1, 1, 3, 3], [2, 3, 6, 5]]))
    ]
    for _ in range(5):
        out = compose(image=IMAGE, instances=instances)["instances"]
        for inst in out:
            ys, xs = np.nonzero(inst["mask"])
            assert inst["bbox"].tolist() == [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], inst["id"]


def test_an_image_only_transform_leaves_masks_and_boxes() -> None:
    class Invert(A.ImageOnlyTransform):
        def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
            return 255 - img

    mask = np.eye(6, 8, dtype=np.uint8)
    out = _compose(Invert(p=1))(image=IMAGE, mask=mask, bboxes=[[1, 1, 3, 4]], bl=[0], keypoints=[], kl=[])
    np.testing.assert_array_equal(out["image"], 255 - IMAGE)
    np.testing.assert_array_equal(out["mask"], mask)
    assert out["bboxes"].tolist() == [[1.0, 1.0, 3.0, 4.0]]


def test_python_transforms_follow_the_seed_inside_compositions() -> None:
    def make() -> A.Compose:
        return _compose(
            A.OneOf([ShiftX(max_shift=4, p=1), A.VerticalFlip(p=1)], p=0.9), A.HorizontalFlip(), seed=7
        )

    calls = [{"image": IMAGE, "bboxes": [[1, 1, 3, 4]], "bl": [0], "keypoints": [[1, 2]], "kl": [0]}] * 12
    compose = make()
    first = [compose(**c)["image"] for c in calls]
    again = make().batch(calls, num_threads=2)
    assert all(np.array_equal(a, b["image"]) for a, b in zip(first, again))
    assert len({a.tobytes() for a in first}) > 2  # the draws differ from call to call


def test_lambda_calls_each_function_with_the_params() -> None:
    seen: dict[str, Any] = {}

    def image_fn(x: np.ndarray, **params: Any) -> np.ndarray:
        seen["shape"] = params["shape"]
        return x[:, ::-1]

    def boxes_fn(b: np.ndarray, **params: Any) -> np.ndarray:
        out = b.copy()
        out[:, [0, 2]] = 1 - b[:, [2, 0]]
        return out

    def points_fn(k: np.ndarray, **params: Any) -> np.ndarray:
        out = k.copy()
        out[:, 0] = params["shape"][1] - 1 - k[:, 0]
        return out

    flip = A.Lambda(image=image_fn, mask=image_fn, bboxes=boxes_fn, keypoints=points_fn, name="flip")
    data = {"image": IMAGE, "mask": np.eye(6, 8, dtype=np.uint8), "bboxes": [[1, 1, 3, 4]], "bl": [0]}
    ours = _compose(flip)(**data, keypoints=[[1, 2]], kl=[0])
    expected = _compose(A.HorizontalFlip(p=1))(**data, keypoints=[[1, 2]], kl=[0])
    for key in ("image", "mask", "bboxes", "keypoints"):
        np.testing.assert_array_equal(ours[key], expected[key], err_msg=key)
    assert seen["shape"] == (6, 8, 3)


def test_errors_of_python_transforms() -> None:
    class Shrink(A.DualTransform):
        def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
            return img[:3]

        def apply_to_mask(self, mask: np.ndarray, **params: Any) -> np.ndarray:
            return mask  # not shrunk: the masks no longer fit the image

    with pytest.raises(ValueError, match="of another size than the image"):
        A.Compose([Shrink(p=1)])(image=IMAGE, mask=np.zeros((6, 8), np.uint8))

    class Broken(A.ImageOnlyTransform):
        def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
            raise KeyError("the user's own error")

    with pytest.raises(KeyError, match="the user's own error"):
        A.Compose([Broken(p=1)])(image=IMAGE)
    with pytest.raises(TypeError, match="takes only p"):
        A.DualTransform(q=1)
    with pytest.raises(ValueError, match="p must be a number in"):
        ShiftX(p=2)
    with pytest.raises(TypeError, match="Lambda: image must be callable"):
        A.Lambda(image=3)
