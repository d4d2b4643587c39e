"""Mosaic and CopyAndPaste: rows stay whole, pasted donors cut what they cover (earlier donors
included), occluded rows get boxes from what is left, masks stay binary, and every binding works."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A

from helpers import FIELDS, color_of, compose, donor, import_reference, make_scene, mosaic_item


def tight_box(mask):
    ys, xs = np.nonzero(mask)
    return [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


def check_exact_rows(out, slack=2.0):
    """Pixels under each mask are that object's colour; each box holds its mask."""
    for inst in out["instances"]:
        mask = np.squeeze(inst["mask"]).astype(bool)
        assert mask.any()
        ident = inst["bbox_labels"]["color"]
        assert (out["image"][mask] == color_of(ident)).all(), f"row {ident} covers pixels of another object"
        x1, y1, x2, y2 = tight_box(mask)
        b = inst["bbox"]
        assert b[0] <= x1 + slack and b[1] <= y1 + slack and b[2] >= x2 - slack and b[3] >= y2 - slack


def eroded(mask):
    inner = mask.copy()
    inner[1:] &= mask[:-1]
    inner[:-1] &= mask[1:]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    return inner


def scenes(rng, count, n=6, **kwargs):
    return [make_scene(rng, n=n, first_id=100 * k, **kwargs) for k in range(count)]


@pytest.mark.parametrize("fit_mode", ["cover", "contain"])
def test_mosaic_rows_are_whole_and_every_visible_object_has_its_row(fit_mode) -> None:
    rng = np.random.default_rng(0)
    checked_ids = 0
    for seed in range(25):
        primary, *others = scenes(rng, 4)
        t = compose(
            [
                A.Mosaic(
                    target_size=(120, 150), cell_shape=(100, 120), fit_mode=fit_mode, interpolation=0, p=1.0
                )
            ],
            seed=seed,
        )
        out = t(
            image=primary.image, instances=primary.instances, mosaic_metadata=[mosaic_item(s) for s in others]
        )
        assert out["image"].shape == (120, 150, 3)
        check_exact_rows(out)
        objects = out["image"][..., 2] == 200
        visible = {int(p[0]) - 50 + 200 * (int(p[1]) - 50) for p in np.unique(out["image"][objects], axis=0)}
        assert visible == {inst["bbox_labels"]["color"] for inst in out["instances"]}
        # The primary's rows (ids below 100) keep their extra key "id", each its own object's.
        primary_rows = [i for i in out["instances"] if i["bbox_labels"]["color"] < 100]
        assert [i.get("id") for i in primary_rows] == [i["bbox_labels"]["color"] for i in primary_rows]
        checked_ids += len(primary_rows)
    assert checked_ids > 25  # the primary's rows were there to check


def test_mosaic_keeps_masks_binary_whatever_the_interpolation() -> None:
    rng = np.random.default_rng(1)
    primary, *others = scenes(rng, 4)
    t = compose(
        [A.Mosaic(target_size=(100, 100), cell_shape=(70, 90), interpolation=1, mask_interpolation=1, p=1)]
    )
    out = t(
        image=primary.image, instances=primary.instances, mosaic_metadata=[mosaic_item(s) for s in others]
    )
    assert out["instances"]
    for inst in out["instances"]:
        assert set(np.unique(inst["mask"]).tolist()) <= {0, 1}


def test_mosaic_repeats_the_primary_when_neighbours_run_out() -> None:
    primary = make_scene(np.random.default_rng(2), n=5)
    mosaic = A.Mosaic(
        target_size=(100, 100), cell_shape=(80, 80), center_range=(0.5, 0.5), interpolation=0, p=1.0
    )
    out = compose([mosaic])(image=primary.image, instances=primary.instances, mosaic_metadata=[])
    names = [i["bbox_labels"]["class_name"] for i in out["instances"]]
    assert len(names) > len(set(names)), "with no neighbours every visible cell shows the primary"
    check_exact_rows(out)


@pytest.mark.parametrize(
    "binding", [("mask", "bboxes"), ("masks", "bboxes", "keypoints"), ("bboxes", "keypoints")]
)
def test_mosaic_with_every_binding(binding) -> None:
    rng = np.random.default_rng(3)
    primary, *others = scenes(rng, 3)
    keep = set(binding) | {"bbox", "bbox_labels", "keypoint_labels", "id"}
    keep = {"mask" if k in ("mask", "masks") else k for k in keep}
    instances = [{k: v for k, v in i.items() if k in keep or k == "bbox"} for i in primary.instances]
    t = compose([A.Mosaic(target_size=(120, 150), cell_shape=(100, 120), interpolation=0, p=1.0)], binding)
    out = t(
        image=primary.image, instances=instances, mosaic_metadata=[mosaic_item(s, binding) for s in others]
    )
    assert out["instances"]
    for inst in out["instances"]:
        if "keypoints" in binding:
            assert inst["keypoints"].shape == (2, 2)
            assert list(inst["keypoint_labels"]["kp_kind"]) == ["center", "top_left"]
        if "mask" in binding:
            assert inst["mask"].shape == (120, 150)
    if "bboxes" in binding and len(binding) > 2 or "mask" in binding:
        check_exact_rows(out)


def test_mosaic_with_zero_instances_and_empty_neighbours() -> None:
    rng = np.random.default_rng(4)
    primary, full = scenes(rng, 2)
    empty = make_scene(rng, n=0)
    t = compose([A.Mosaic(target_size=(120, 150), cell_shape=(100, 120), interpolation=0, p=1.0)])
    out = t(image=primary.image, instances=[], mosaic_metadata=[mosaic_item(empty), mosaic_item(full)])
    assert all(i["bbox_labels"]["color"] >= 100 for i in out["instances"])
    check_exact_rows(out)
    out = t(image=empty.image, instances=[], mosaic_metadata=[mosaic_item(empty)])
    assert out["instances"] == []


def paste(primary, donors, seed=0, **kwargs):
    kwargs.setdefault("p", 1.0)
    t = compose([A.CopyAndPaste(**kwargs)], seed=seed)
    return t(image=primary.image, instances=primary.instances, copy_paste_metadata=donors)


@pytest.mark.parametrize("scale_range", [(1.0, 1.0), (0.4, 0.9)])
def test_copy_and_paste_rows_stay_whole(scale_range) -> None:
    rng = np.random.default_rng(5)
    pasted_total = 0
    for seed in range(40):
        primary, *others = scenes(rng, 4)
        donors = [donor(s, inst, tag=inst["id"]) for s in others for inst in s.instances[:3]]
        out = paste(primary, donors, seed=seed, scale_range=scale_range, min_visibility_after_paste=0.0)
        if scale_range == (1.0, 1.0):
            check_exact_rows(out, slack=0.0)
        else:  # shrunk donors are resampled with INTER_AREA: their rims blend with what was around them
            for inst in out["instances"]:
                inner = eroded(inst["mask"].astype(bool))
                own = (out["image"][inner] == color_of(inst["bbox_labels"]["color"])).all(axis=1)
                assert inner.sum() < 10 or own.mean() > 0.95
        pasted = [i for i in out["instances"] if "tag" in i]
        pasted_total += len(pasted)
        assert all(i["tag"] == i["bbox_labels"]["color"] for i in pasted), (
            "donor extra keys travel with the row"
        )
        kinds = ["tag" in i for i in out["instances"]]
        assert kinds == sorted(kinds), "pasted rows come after the survivors"
    assert pasted_total > 100


def test_a_donor_pasted_over_an_earlier_donor_cuts_it() -> None:
    h, w = 60, 80
    base = make_scene(np.random.default_rng(6), height=h, width=w, n=3)
    under = np.zeros((h, w, 3), np.uint8)
    under[:] = color_of(300)
    over = np.zeros((h, w, 3), np.uint8)
    over[:, :30] = color_of(301)
    full = np.ones((h, w), np.uint8)
    left = np.zeros((h, w), np.uint8)
    left[:, :30] = 1
    donors = [
        {"image": under, "mask": full, "bbox_labels": {"class_name": "under", "color": 300}},
        {"image": over, "mask": left, "bbox_labels": {"class_name": "over", "color": 301}},
    ]
    for seed in range(10):
        out = paste(base, donors, seed=seed, min_visibility_after_paste=0.0)
        rows = {i["bbox_labels"]["class_name"]: i for i in out["instances"]}
        assert set(rows) == {"under", "over"}, "the full-canvas donor covers every primary row"
        under_mask, over_mask = rows["under"]["mask"].astype(bool), rows["over"]["mask"].astype(bool)
        assert not (under_mask & over_mask).any()
        assert (under_mask | over_mask).all()
        check_exact_rows(out, slack=0.0)
        np.testing.assert_array_equal(rows["under"]["bbox"], tight_box(under_mask))


def test_occluded_rows_get_their_box_from_what_is_left() -> None:
    rng = np.random.default_rng(7)
    changed = 0
    for seed in range(30):
        primary, other = scenes(rng, 2)
        donors = [donor(other, inst) for inst in other.instances]
        out = paste(primary, donors, seed=seed, min_visibility_after_paste=0.0)
        before = {i["id"]: i["mask"].sum() for i in primary.instances}
        for inst in out["instances"]:
            if "id" in inst and inst["mask"].sum() < before[inst["id"]]:
                changed += 1
                np.testing.assert_array_equal(inst["bbox"], tight_box(inst["mask"]))
    assert changed > 10


def test_rows_below_min_visibility_after_paste_die() -> None:
    h, w = 40, 50
    primary = make_scene(np.random.default_rng(8), height=h, width=w, n=4)
    cover = {
        "image": np.zeros((h, w, 3), np.uint8),
        "mask": np.ones((h, w), np.uint8),
        "bbox_labels": {"class_name": "cover", "color": 999},
    }
    out = paste(primary, [cover], min_visibility_after_paste=0.0)
    assert [i["bbox_labels"]["class_name"] for i in out["instances"]] == ["cover"]
    half = np.zeros((h, w), np.uint8)
    half[:, : w // 2] = 1
    covered = {**cover, "mask": half}
    lenient = paste(primary, [covered], min_visibility_after_paste=0.0, seed=1)
    strict = paste(primary, [covered], min_visibility_after_paste=0.99, seed=1)
    assert len(strict["instances"]) <= len(lenient["instances"])
    for inst in strict["instances"][:-1]:
        original = next(i for i in primary.instances if i["id"] == inst["id"])
        assert inst["mask"].sum() >= 0.99 * original["mask"].sum()


def test_copy_and_paste_masks_stay_binary_when_scaled() -> None:
    rng = np.random.default_rng(9)
    primary, other = scenes(rng, 2)
    donors = [donor(other, inst) for inst in other.instances]
    out = paste(primary, donors, scale_range=(0.3, 0.6), min_visibility_after_paste=0.0)
    for inst in out["instances"]:
        assert set(np.unique(inst["mask"]).tolist()) <= {0, 1}


def test_gaussian_blend_feathers_only_the_seam() -> None:
    rng = np.random.default_rng(10)
    primary, other = scenes(rng, 2)
    donors = [donor(other, inst) for inst in other.instances[:2]]
    hard = paste(primary, donors, blend_mode="hard", min_visibility_after_paste=0.0)
    soft = paste(
        primary, donors, blend_mode="gaussian", blend_sigma_range=(2.0, 2.0), min_visibility_after_paste=0.0
    )
    assert not np.array_equal(hard["image"], soft["image"])
    for h_inst, s_inst in zip(hard["instances"], soft["instances"]):
        np.testing.assert_array_equal(h_inst["mask"], s_inst["mask"])
    changed = np.any(hard["image"] != soft["image"], axis=2)
    pasted = np.any([i["mask"] for i in hard["instances"][len(hard["instances"]) - 2 :]], axis=0)
    # Changes stay within the kernel radius (ceil(6 sigma) | 1 = 13 -> 6 px) of the pasted union.
    ys, xs = np.nonzero(changed)
    pys, pxs = np.nonzero(pasted)
    for y, x in zip(ys, xs):
        assert np.min(np.abs(pys - y) + np.abs(pxs - x)) <= 13


def pasted_composite(primary_image, donor_scene, donor_mask, out_mask):
    """The hard paste of one unscaled donor, from its mask's placement in the output."""
    dy, dx = np.subtract(tight_box(out_mask)[1::-1], tight_box(donor_mask)[1::-1]).astype(int)
    expected = primary_image.copy()
    ys, xs = np.nonzero(out_mask)
    expected[ys, xs] = donor_scene.image[ys - dy, xs - dx]
    return expected


def speckled_pastes(blend_mode: str, sigma: float):
    """(primary image, output, pasted mask, expected hard composite) for one unscaled donor whose
    mask is ragged (holes, speckle): every kind of 16-pixel block."""
    rng = np.random.default_rng(12)
    for seed in range(20):
        primary, other = scenes(rng, 2, height=90, width=140)
        inst = max(other.instances, key=lambda i: i["mask"].sum())
        speckled = (inst["mask"] * (rng.random(inst["mask"].shape) < 0.7)).astype(np.uint8)
        out = paste(
            primary,
            [donor(other, dict(inst, mask=speckled))],
            seed=seed,
            scale_range=(1.0, 1.0),
            blend_mode=blend_mode,
            blend_sigma_range=(sigma, sigma),
            min_visibility_after_paste=0.0,
        )
        pasted = out["instances"][-1]["mask"].astype(bool)
        yield primary.image, out, pasted, pasted_composite(primary.image, other, speckled, pasted)


def test_hard_paste_is_the_donor_under_its_mask_and_the_image_elsewhere() -> None:
    for _, out, _, expected in speckled_pastes("hard", 1.0):
        np.testing.assert_array_equal(out["image"], expected)


def test_gaussian_paste_blends_by_the_blurred_union() -> None:
    """Weights from the blurred 0/255 union; (c w + b (255 - w) + 127) / 255 where a weight is
    strictly between. OpenCV's fixed-point blur here and in the core may differ by a level, so a
    pixel may differ by one."""
    cv2 = import_reference("cv2", needed_by="test_mixing.py::test_gaussian_paste_blends_by_the_blurred_union")
    sigma = 1.5
    ksize = int(np.ceil(sigma * 6)) | 1
    for base, out, pasted, expected in speckled_pastes("gaussian", sigma):
        union = pasted.astype(np.uint8) * 255
        weight = cv2.GaussianBlur(union, (ksize, ksize), sigma, sigma, borderType=cv2.BORDER_CONSTANT)
        weight = weight.astype(int)[:, :, None]
        feathered = (expected.astype(int) * weight + base.astype(int) * (255 - weight) + 127) // 255
        blended = np.where((weight > 0) & (weight < 255), feathered, expected)
        assert np.abs(out["image"].astype(int) - blended).max() <= 1


@pytest.mark.parametrize(
    "binding", [("mask", "bboxes"), ("masks", "bboxes", "keypoints"), ("bboxes", "keypoints")]
)
def test_copy_and_paste_with_every_binding(binding) -> None:
    rng = np.random.default_rng(11)
    primary, other = scenes(rng, 2)
    keep = {"bbox", "bbox_labels", "id"} | ({"mask"} if {"mask", "masks"} & set(binding) else set())
    keep |= {"keypoints", "keypoint_labels"} if "keypoints" in binding else set()
    instances = [{k: v for k, v in i.items() if k in keep} for i in primary.instances]
    donors = []
    for inst in other.instances:
        d = donor(other, inst)
        if "keypoints" in binding:
            d["keypoints"] = inst["keypoints"]
            d["keypoint_labels"] = inst["keypoint_labels"]
        if not {"mask", "masks"} & set(binding):
            d["bbox"] = inst["bbox"]
        donors.append(d)
    t = compose([A.CopyAndPaste(p=1.0, min_visibility_after_paste=0.0)], binding)
    out = t(image=primary.image, instances=instances, copy_paste_metadata=donors)
    assert len(out["instances"]) > len(donors)
    for inst in out["instances"]:
        if "keypoints" in binding:
            assert inst["keypoints"].shape == (2, 2)
    if "mask" in binding:
        check_exact_rows(out, slack=0.0)


def test_donor_given_by_its_box_pastes_the_box() -> None:
    rng = np.random.default_rng(12)
    primary, other = scenes(rng, 2)
    inst = other.instances[0]
    box_donor = {"image": other.image, "bbox": inst["bbox"], "bbox_labels": dict(inst["bbox_labels"])}
    out = paste(primary, [box_donor], min_visibility_after_paste=0.0)
    pasted = out["instances"][-1]
    x1, y1, x2, y2 = inst["bbox"]
    assert pasted["mask"].sum() == (x2 - x1) * (y2 - y1)


def test_a_donor_box_in_normalised_float32_pastes_its_own_pixels() -> None:
    # x = 29 on a 55-wide donor comes back from float32 as 28.9999986: its mask took pixel 28 too,
    # one pixel outside the pasted box (found by the property tests).
    donor_image = np.full((21, 55, 3), 200, np.uint8)
    box = np.array([29 / 55, 10 / 21, 53 / 55, 16 / 21], dtype=np.float32)
    t = A.Compose(
        [A.CopyAndPaste(p=1.0, min_visibility_after_paste=0.0)],
        bbox_params=A.BboxParams("albumentations", label_fields=["class_name"]),
        instance_binding=["masks", "bboxes"],
        seed=0,
    )
    for _ in range(20):
        out = t(
            image=np.zeros((13, 35, 3), np.uint8),
            instances=[],
            copy_paste_metadata=[{"image": donor_image, "bbox": box, "bbox_labels": {"class_name": "d"}}],
        )
        (pasted,) = out["instances"]
        ys, xs = np.nonzero(pasted["mask"])
        assert (xs.max() - xs.min() + 1, ys.max() - ys.min() + 1) == (24, 6)
        x1, y1, x2, y2 = np.asarray(pasted["bbox"]) * [35, 13, 35, 13]
        assert abs(x1 - xs.min()) < 1e-3 and abs(x2 - xs.max() - 1) < 1e-3


@pytest.mark.parametrize("binding", [("masks", "bboxes"), ("mask", "bboxes")])
def test_mixing_with_many_objects(binding) -> None:
    """No channel limits: hundreds of rows go through Mosaic and CopyAndPaste."""
    h = w = 200
    labels = np.zeros((h, w), np.int32)
    labels[::5, ::5] = np.arange(1, 40 * 40 + 1).reshape(40, 40)  # 1600 one-pixel objects
    image = np.zeros((h, w, 3), np.uint8)
    instances = []
    for k in range(1, 1601):
        ys, xs = np.nonzero(labels == k)
        mask = (labels == k).astype(np.uint8)
        instances.append(
            {
                "mask": mask,
                "bbox": [xs[0], ys[0], xs[0] + 1, ys[0] + 1],
                "bbox_labels": {"class_name": k, "color": k},
            }
        )
    item = {
        "image": image,
        "masks": np.stack([i["mask"] for i in instances[:700]]),
        "bboxes": np.array([i["bbox"] for i in instances[:700]], float),
        "bbox_labels": {f: [i["bbox_labels"][f] for i in instances[:700]] for f in FIELDS},
    }
    donors = [{"image": image, "mask": i["mask"], "bbox_labels": i["bbox_labels"]} for i in instances[:600]]
    if "mask" in binding:
        item["mask"] = np.moveaxis(item.pop("masks"), 0, -1)  # (H, W, 700)
    t = compose(
        [A.Mosaic(target_size=(200, 200), cell_shape=(200, 200), p=1.0), A.CopyAndPaste(p=1.0)], binding
    )
    out = t(image=image, instances=instances, mosaic_metadata=[item], copy_paste_metadata=donors)
    assert len(out["instances"]) > 1000


def test_same_seed_same_mixing() -> None:
    rng = np.random.default_rng(14)
    primary, *others = scenes(rng, 3)
    meta = [mosaic_item(s) for s in others]
    donors = [donor(s, i) for s in others for i in s.instances]

    def run(seed):
        t = compose(
            [A.Mosaic(target_size=(100, 100), cell_shape=(80, 80), p=1.0), A.CopyAndPaste(p=1.0)], seed=seed
        )
        return [
            t(
                image=primary.image,
                instances=primary.instances,
                mosaic_metadata=meta,
                copy_paste_metadata=donors,
            )
            for _ in range(3)
        ]

    for a, b in zip(run(5), run(5)):
        np.testing.assert_array_equal(a["image"], b["image"])
        assert len(a["instances"]) == len(b["instances"])


def test_gaussian_paste_of_several_donors_blends_by_their_blurred_union() -> None:
    """Many donors, placed close together and over each other: the weights are the blur of the
    union of every pasted mask (the hard paste of the same draws is the composite)."""
    cv2 = import_reference(
        "cv2", needed_by="test_mixing.py::test_gaussian_paste_of_several_donors_blends_by_their_blurred_union"
    )
    sigma = 2.0
    ksize = int(np.ceil(sigma * 6)) | 1
    rng = np.random.default_rng(13)
    checked = 0
    for seed in range(15):
        primary, other = scenes(rng, 2, height=80, width=100)
        donors = [donor(other, inst) for inst in other.instances]
        common = dict(seed=seed, blend_sigma_range=(sigma, sigma), min_visibility_after_paste=0.0)
        hard = paste(primary, donors, blend_mode="hard", **common)
        soft = paste(primary, donors, blend_mode="gaussian", **common)
        pasted = [i["mask"].astype(bool) for i in hard["instances"] if "id" not in i]
        if len(pasted) < 2:
            continue
        union = np.any(pasted, axis=0).astype(np.uint8) * 255
        weight = cv2.GaussianBlur(union, (ksize, ksize), sigma, sigma, borderType=cv2.BORDER_CONSTANT)
        weight = weight.astype(int)[:, :, None]
        composite, base = hard["image"].astype(int), primary.image.astype(int)
        feathered = (composite * weight + base * (255 - weight) + 127) // 255
        blended = np.where((weight > 0) & (weight < 255), feathered, composite)
        assert np.abs(soft["image"].astype(int) - blended).max() <= 1
        checked += 1
    assert checked >= 10


# -- OverlayElements: elements pasted onto the image ------------------------------------------------

OVERLAY_RNG = np.random.default_rng(31)
ELEMENT = OVERLAY_RNG.integers(0, 255, (23, 17, 3), dtype=np.uint8)
ELEMENT_MASK = np.zeros((23, 17), np.uint8)
ELEMENT_MASK[3:20, 2:15] = 4


def _overlay_call(dtype, channels: int):
    rng = np.random.default_rng(32)
    image = rng.integers(0, 255, (60, 80, 3), dtype=np.uint8)
    element = ELEMENT
    if channels == 1:
        image, element = image[:, :, 0], element[:, :, 0]
    if dtype == np.float32:
        image, element = (image / 255).astype(np.float32), (element / 255).astype(np.float32)
    elements = [
        {"image": element, "bbox": [0.1, 0.2, 0.55, 0.9], "mask": ELEMENT_MASK, "mask_id": 7},
        {"image": element, "bbox": [0.5, 0.05, 0.95, 0.5, 3], "bbox_id": 2},
    ]
    mask = rng.integers(0, 3, (60, 80), dtype=np.uint8)
    return {"image": image, "mask": mask, "overlay_metadata": elements}


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_overlay_elements_match_the_reference(dtype) -> None:
    data = _overlay_call(dtype, 3)
    ref = import_reference(needed_by="the OverlayElements comparison")
    ours, theirs = (lib.Compose([lib.OverlayElements(p=1)], seed=3)(**data) for lib in (A, ref))
    np.testing.assert_array_equal(ours["image"], theirs["image"])
    np.testing.assert_array_equal(ours["mask"], theirs["mask"])
    assert (ours["mask"] == 7).sum() > (data["mask"] == 7).sum()
    # Grey (which the reference's blend cannot broadcast): each channel is pasted on its own.
    grey = A.Compose([A.OverlayElements(p=1)], seed=3)(**_overlay_call(dtype, 1))
    np.testing.assert_array_equal(grey["image"], ours["image"][:, :, 0])


def test_overlay_elements_without_a_box_land_anywhere_inside() -> None:
    image = np.zeros((12, 14, 3), np.uint8)
    element = np.full((5, 8, 3), 200, np.uint8)
    mask = np.zeros((12, 14), np.uint8)
    starts = set()
    for lib in (A, import_reference(needed_by="the OverlayElements placement")):
        t = lib.Compose([lib.OverlayElements(p=1)], seed=0)
        seen = set()
        for _ in range(600):
            # A mask of its own: without one the reference's mask_id write fails (a 3-channel "ones").
            shown = {"image": element, "mask": np.ones((5, 8), np.uint8), "mask_id": 3}
            out = t(image=image, mask=mask, overlay_metadata=shown)
            ys, xs = np.nonzero(out["image"][:, :, 0])
            assert (ys.max() - ys.min(), xs.max() - xs.min()) == (4, 7)
            np.testing.assert_array_equal(out["mask"] == 3, out["image"][:, :, 0] == 200)
            seen.add((int(xs.min()), int(ys.min())))
        starts.add(frozenset(seen))
    assert starts == {frozenset((x, y) for x in range(7) for y in range(8))}


def test_overlay_elements_shrink_an_element_larger_than_the_image() -> None:
    image = np.zeros((20, 30, 3), np.uint8)
    big = np.full((50, 70, 3), 90, np.uint8)
    out = A.Compose([A.OverlayElements(p=1)])(image=image, overlay_metadata=[{"image": big}])
    np.testing.assert_array_equal(out["image"], 90)


def test_overlay_elements_leave_instance_rows_alone() -> None:
    scene = make_scene(np.random.default_rng(4), n=5)
    element = {"image": np.full((10, 10, 3), 255, np.uint8), "bbox": [0.0, 0.0, 1.0, 1.0]}
    out = compose([A.OverlayElements(p=1)])(
        image=scene.image, instances=scene.instances, overlay_metadata=[element]
    )
    assert (out["image"] == 255).all()
    assert len(out["instances"]) == len(scene.instances)
    for got, given in zip(out["instances"], scene.instances):
        np.testing.assert_array_equal(got["mask"], given["mask"])


def test_overlay_elements_check_their_elements() -> None:
    t = A.Compose([A.OverlayElements(p=1)])
    image = np.zeros((20, 30, 3), np.uint8)
    with pytest.raises(ValueError, match="reading overlay_metadata="):
        t(image=image)
    with pytest.raises(ValueError, match=r"overlay_metadata\[0\]\['image'\] has 1 channel"):
        t(image=image, overlay_metadata=[{"image": np.zeros((4, 4), np.uint8)}])
    with pytest.raises(ValueError, match=r"overlay_metadata\[0\]\['bbox'\] must be x_min < x_max"):
        t(image=image, overlay_metadata=[{"image": image, "bbox": [0.5, 0.1, 0.2, 0.9]}])
    with pytest.raises(ValueError, match=r"overlay_metadata\[0\]\['mask'\] must be \(H, W\)"):
        t(image=image, overlay_metadata=[{"image": image, "mask": np.ones((3, 3))}])
    with pytest.raises(ValueError, match=r"overlay_metadata\[0\]\['bbox'\] covers no whole pixel"):
        t(image=image, overlay_metadata=[{"image": image, "bbox": [0.1, 0.1, 0.12, 0.5]}])
