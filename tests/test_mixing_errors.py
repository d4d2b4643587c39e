"""Clear errors for missing and malformed metadata."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A

from helpers import compose, donor, make_scene, mosaic_item

SCENE = make_scene(np.random.default_rng(0), n=3)
OTHER = make_scene(np.random.default_rng(1), n=3, first_id=100)
MOSAIC = [A.Mosaic(target_size=(80, 80), cell_shape=(64, 64), p=1.0)]
PASTE = [A.CopyAndPaste(p=1.0)]


def call(transforms, **metadata):
    return compose(transforms)(image=SCENE.image, instances=SCENE.instances, **metadata)


def test_missing_metadata_key_names_it() -> None:
    with pytest.raises(ValueError, match="mosaic_metadata="):
        call(MOSAIC)
    with pytest.raises(ValueError, match="copy_paste_metadata="):
        call(PASTE)


def test_own_metadata_key() -> None:
    t = [A.CopyAndPaste(metadata_key="donors", p=1.0)]
    out = call(t, donors=[donor(OTHER, OTHER.instances[0])])
    assert len(out["instances"]) >= 1
    assert "donors" not in out


@pytest.mark.parametrize(
    ("transforms", "key", "value", "error", "match"),
    [
        (MOSAIC, "mosaic_metadata", {"image": SCENE.image}, TypeError, "mosaic_metadata must be a list"),
        (MOSAIC, "mosaic_metadata", ["img"], TypeError, r"mosaic_metadata\[0\] must be a dict"),
        (
            MOSAIC,
            "mosaic_metadata",
            [{"masks": []}],
            ValueError,
            r"mosaic_metadata\[0\] is missing key 'image'",
        ),
        (PASTE, "copy_paste_metadata", [5], TypeError, r"copy_paste_metadata\[0\] must be a dict"),
        (PASTE, "copy_paste_metadata", [{"image": OTHER.image}], ValueError, "needs a 'mask' or a 'bbox'"),
    ],
)
def test_bad_metadata_items(transforms, key, value, error, match) -> None:
    with pytest.raises(error, match=match):
        call(transforms, **{key: value})


def test_empty_item_images_refused() -> None:
    empty = dict(mosaic_item(OTHER), image=np.zeros((0, 10, 3), np.uint8))
    with pytest.raises(ValueError, match=r"mosaic_metadata\[0\]\['image'\] must not be empty"):
        call(MOSAIC, mosaic_metadata=[empty])
    with pytest.raises(ValueError, match=r"copy_paste_metadata\[0\]\['image'\] must not be empty"):
        call(
            PASTE,
            copy_paste_metadata=[dict(donor(OTHER, OTHER.instances[0]), image=np.zeros((5, 0, 3), np.uint8))],
        )


def test_other_channel_count_refused_naming_the_index() -> None:
    gray = dict(mosaic_item(OTHER), image=OTHER.image[..., 0])
    with pytest.raises(
        ValueError, match=r"mosaic_metadata\[1\]\['image'\] has 1 channel\(s\); the image has 3"
    ):
        call(MOSAIC, mosaic_metadata=[mosaic_item(OTHER), gray])
    bad_donor = dict(donor(OTHER, OTHER.instances[0]), image=np.dstack([OTHER.image, OTHER.image[..., :1]]))
    with pytest.raises(ValueError, match=r"copy_paste_metadata\[0\]\['image'\] has 4 channel"):
        call(PASTE, copy_paste_metadata=[bad_donor])


def test_missing_label_fields() -> None:
    item = mosaic_item(OTHER)
    item["bbox_labels"] = {"class_name": item["bbox_labels"]["class_name"]}
    with pytest.raises(
        ValueError, match=r"mosaic_metadata\[0\]\['bbox_labels'\] is missing label field 'color'"
    ):
        call(MOSAIC, mosaic_metadata=[item])
    d = donor(OTHER, OTHER.instances[0])
    d["bbox_labels"] = {"class_name": "x"}
    with pytest.raises(ValueError, match="missing label field 'color'"):
        call(PASTE, copy_paste_metadata=[d])
    d["bbox_labels"] = ["x", 1]
    with pytest.raises(TypeError, match=r"\['bbox_labels'\] must be a dict"):
        call(PASTE, copy_paste_metadata=[d])


def test_label_lists_must_match_the_objects() -> None:
    item = mosaic_item(OTHER)
    item["bbox_labels"] = {f: v[:-1] for f, v in item["bbox_labels"].items()}
    with pytest.raises(ValueError, match="labels for 3 objects"):
        call(MOSAIC, mosaic_metadata=[item])


def test_mask_shape_of_an_item_must_match_its_image() -> None:
    item = mosaic_item(OTHER)
    item["masks"] = item["masks"][:, :10]
    with pytest.raises(ValueError, match=r"mosaic_metadata\[0\]\['masks'\]\[0\] must be"):
        call(MOSAIC, mosaic_metadata=[item])


def test_loose_masks_with_mixing_refused() -> None:
    t = A.Compose(MOSAIC)
    with pytest.raises(ValueError, match="instance_binding"):
        t(image=SCENE.image, masks=[i["mask"] for i in SCENE.instances], mosaic_metadata=[])


def test_mixing_argument_checks() -> None:
    with pytest.raises(ValueError, match="grid_yx must be a pair"):
        A.Mosaic(grid_yx=2)
    with pytest.raises(ValueError, match="must fit in the grid"):
        A.Mosaic(grid_yx=(1, 1), target_size=(600, 600), cell_shape=(512, 512))
    with pytest.raises(ValueError, match="fit_mode must be one of"):
        A.Mosaic(fit_mode="stretch")
    with pytest.raises(ValueError, match="center_range must be a \\(min, max\\) tuple"):
        A.Mosaic(center_range=0.5)
    with pytest.raises(ValueError, match="blend_mode must be one of"):
        A.CopyAndPaste(blend_mode="poisson")
    with pytest.raises(ValueError, match="scale_range must be a \\(min, max\\) tuple"):
        A.CopyAndPaste(scale_range=0.5)
    with pytest.raises(ValueError, match="blend_sigma_range must be a \\(min, max\\) tuple"):
        A.CopyAndPaste(blend_sigma_range=2)
