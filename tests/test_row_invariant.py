"""The object-row invariant after random pipelines: every surviving mask covers pixels of its own
colour only, its box contains its mask, and its labels and extra keys are its own."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A

from helpers import color_of, make_scene

NEAREST = 0


def random_pipeline(rng: np.random.Generator) -> list:
    """Geometric transforms with nearest interpolation, so image and masks sample the same pixels."""
    pool = [
        lambda: A.HorizontalFlip(p=0.5),
        lambda: A.VerticalFlip(p=0.5),
        lambda: A.RandomCrop(
            height=int(rng.integers(40, 96)), width=int(rng.integers(40, 128)), pad_if_needed=True, p=0.8
        ),
        lambda: A.CenterCrop(height=80, width=100, pad_if_needed=True, p=0.5),
        lambda: A.Affine(
            scale=(0.7, 1.3),
            rotate=(-40, 40),
            shear=(-10, 10),
            translate_percent=(-0.1, 0.1),
            interpolation=NEAREST,
            p=0.8,
        ),
        lambda: A.Rotate(angle_range=(-60, 60), interpolation=NEAREST, p=0.7),
        lambda: A.SafeRotate(angle_range=(-60, 60), interpolation=NEAREST, p=0.5),
        lambda: A.RandomGridShuffle(grid=(int(rng.integers(1, 5)), int(rng.integers(1, 5))), p=0.5),
        lambda: A.Perspective(scale=(0.05, 0.12), interpolation=NEAREST, p=0.7),
        lambda: A.Resize(
            height=int(rng.integers(50, 160)), width=int(rng.integers(50, 160)), interpolation=NEAREST
        ),
        lambda: A.RandomResizedCrop(size=(72, 88), interpolation=NEAREST, p=0.6),
        lambda: A.PadIfNeeded(min_height=120, min_width=150, position="random"),
        lambda: A.LongestMaxSize(max_size=int(rng.integers(60, 200)), interpolation=NEAREST),
        lambda: A.LetterBox(
            size=(int(rng.integers(40, 160)), int(rng.integers(40, 160))), interpolation=NEAREST
        ),
    ]
    picks = rng.choice(len(pool), size=int(rng.integers(2, 6)))
    return [pool[i]() for i in picks]


def check_rows(scene, out, source_index: dict[int, dict], slack: float = 0.0) -> None:
    """`slack`: how far (pixels) a mask may stick out of its box. Corner-transformed boxes and
    nearest-resampled masks round differently at every step; boxes refit from masks are exact."""
    image = out["image"]
    seen = set()
    for inst in out["instances"]:
        i = inst["id"]
        assert i not in seen, "a row appears twice"
        seen.add(i)
        original = source_index[i]
        assert inst["bbox_labels"] is original["bbox_labels"], "labels must be the caller's own object"
        assert inst["bbox_labels"]["color"] == i
        mask = inst["mask"].astype(bool)
        assert mask.any(), "a surviving row has an empty mask"
        pixels = image[mask]
        assert (pixels == color_of(i)).all(), f"row {i}: pixels under its mask are not its colour"
        ys, xs = np.nonzero(mask)
        x1, y1, x2, y2 = inst["bbox"]
        tol_x = slack * (1 + 0.1 * (x2 - x1))
        tol_y = slack * (1 + 0.1 * (y2 - y1))
        inside = (
            x1 <= xs.min() + tol_x
            and y1 <= ys.min() + tol_y
            and x2 >= xs.max() + 1 - tol_x
            and y2 >= ys.max() + 1 - tol_y
        )
        assert inside, (
            f"row {i}: box {inst['bbox']} does not contain its mask "
            f"[{xs.min()}, {ys.min()}, {xs.max() + 1}, {ys.max() + 1}]"
        )
        if "keypoints" in original:
            assert inst["keypoints"].shape == (2, 2)
            assert inst["keypoint_labels"] is original["keypoint_labels"]


@pytest.mark.parametrize(
    ("binding", "bbox_from_mask"),
    [(["masks", "bboxes", "keypoints"], True), (["mask", "bboxes"], False), (["masks", "bboxes"], False)],
)
def test_rows_stay_whole_after_random_pipelines(binding: list[str], bbox_from_mask: bool) -> None:
    rng = np.random.default_rng(2024)
    checked = 0
    for trial in range(60):
        scene = make_scene(rng, n=int(rng.integers(1, 12)))
        transform = A.Compose(
            random_pipeline(rng),
            bbox_params=A.BboxParams(
                coord_format="pascal_voc",
                label_fields=["class_name", "color"],
                min_area=1,
                bbox_from_mask=bbox_from_mask,
            ),
            keypoint_params=A.KeypointParams(coord_format="xy", label_fields=["kp_kind"]),
            instance_binding=binding,
            seed=trial,
        )
        instances = scene.instances
        if "keypoints" not in binding:
            instances = [
                {k: v for k, v in inst.items() if k not in ("keypoints", "keypoint_labels")}
                for inst in instances
            ]
        out = transform(image=scene.image, instances=instances)
        check_rows(scene, out, {inst["id"]: inst for inst in instances}, slack=0.0 if bbox_from_mask else 2.0)
        ids = [inst["id"] for inst in out["instances"]]
        assert ids == sorted(ids), "survivors must keep input order"
        checked += len(ids)
    assert checked > 100, "the random pipelines should leave many rows to check"


def test_a_swapped_mask_would_be_caught(scene) -> None:
    """The check itself can fail: a row carrying another object's mask is detected."""
    out = A.Compose(
        [A.HorizontalFlip(p=1.0)],
        bbox_params=A.BboxParams(coord_format="pascal_voc", label_fields=["class_name", "color"]),
        instance_binding=["masks", "bboxes"],
        seed=0,
    )(image=scene.image, instances=scene.instances)
    rows = out["instances"]
    rows[0]["mask"], rows[1]["mask"] = rows[1]["mask"], rows[0]["mask"]
    with pytest.raises(AssertionError):
        check_rows(scene, out, {inst["id"]: inst for inst in scene.instances})
