"""Instance masks out in the forms loaders use (stacked, the YOLO-seg index map, COCO RLE) and in as
datasets store them (COCO RLE, COCO and YOLO polygons): each against the per-row planes of the same
call, and against the libraries that define the form (OpenCV's resize for the 1/k masks,
Ultralytics' overlap order, pycocotools for RLE)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from pycocotools import mask as coco_mask

import instaug as A

from helpers import FIELDS, calls, compose, import_reference, make_scene

SEED_CHAIN = [
    A.Mosaic(grid_yx=(2, 2), target_size=(96, 128), cell_shape=(96, 128), fit_mode="cover", p=1.0),
    A.Affine(scale=(0.9, 1.1), rotate=(-10, 10), p=1.0),
    A.CopyAndPaste(scale_range=(0.5, 1.0), p=1.0),
    A.HorizontalFlip(p=0.5),
]


def _with_output(chain, **kwargs) -> A.Compose:
    return A.Compose(
        chain,
        bbox_params=A.BboxParams("pascal_voc", label_fields=FIELDS),
        instance_binding=["masks", "bboxes"],
        seed=3,
        **kwargs,
    )


def _per_row(chain, data):
    return np.stack([i["mask"] for i in _with_output(chain)(**data)["instances"]])


# --- the 1/k masks: cv2.resize, pixel for pixel -------------------------------------------------


def _ultralytics_low(mask: np.ndarray, ratio: int) -> np.ndarray:
    """Ultralytics' polygon2mask after its fillPoly: the 0/1 plane through cv2.resize (bilinear)."""
    h, w = mask.shape
    return cv2.resize((mask != 0).astype(np.uint8), (max(1, w // ratio), max(1, h // ratio)))


def _ultralytics_index_map(masks: np.ndarray, ratio: int) -> np.ndarray:
    """polygons2masks_overlap, with a stable sort, its values turned into row numbers + 1."""
    low = np.stack([_ultralytics_low(m, ratio) for m in masks])
    order = np.argsort(-low.reshape(len(low), -1).sum(1), kind="stable")
    out = np.zeros(low.shape[1:], np.int64)
    for i, row in enumerate(order):
        out = np.clip(out + low[row].astype(np.int64) * (i + 1), 0, i + 1)
    mapped = np.zeros_like(out)
    mapped[out > 0] = order[out[out > 0] - 1] + 1
    return mapped


@pytest.mark.parametrize("ratio", [1, 2, 3, 4, 5, 8])
@pytest.mark.parametrize("shape", [(96, 128), (101, 67), (640, 640)])
def test_stacked_low_resolution_masks_equal_cv2_resize(ratio, shape):
    scene = make_scene(np.random.default_rng(ratio), height=shape[0], width=shape[1], n=12)
    data = {"image": scene.image, "instances": scene.instances}
    chain = [A.Affine(rotate=(-20, 20), p=1.0)]
    full = _per_row(chain, data)
    out = _with_output(chain, mask_output="stacked", mask_output_ratio=ratio)(**data)
    expected = np.stack([_ultralytics_low(m, ratio) for m in full])
    assert out["masks"].dtype == np.uint8
    np.testing.assert_array_equal(out["masks"], expected if ratio > 1 else full)


@pytest.mark.parametrize("ratio", [1, 4])
def test_index_map_has_ultralytics_overlap_order(ratio):
    for data in calls(6, seed=ratio, height=96, width=128, n=8):
        full = _per_row(SEED_CHAIN, data)
        out = _with_output(SEED_CHAIN, mask_output="index_map", mask_output_ratio=ratio)(**data)
        assert out["index_map"].dtype == np.uint8
        assert all("mask" not in inst for inst in out["instances"])
        np.testing.assert_array_equal(out["index_map"], _ultralytics_index_map(full, ratio))


def test_index_map_paints_the_smaller_of_two_overlapping_rows_on_top():
    image = np.zeros((40, 40, 3), np.uint8)
    big, small = np.zeros((40, 40), np.uint8), np.zeros((40, 40), np.uint8)
    big[5:35, 5:35], small[10:20, 10:20] = 1, 1
    instances = [
        {"mask": small, "bbox": [10, 10, 20, 20], "bbox_labels": {"class_name": "s", "color": 0}},
        {"mask": big, "bbox": [5, 5, 35, 35], "bbox_labels": {"class_name": "b", "color": 0}},
    ]
    out = _with_output([], mask_output="index_map")(image=image, instances=instances)
    assert out["index_map"][15, 15] == 1 and out["index_map"][30, 30] == 2 and out["index_map"][0, 0] == 0


def test_index_map_widens_past_255_rows():
    image = np.zeros((64, 64, 3), np.uint8)
    instances = []
    for i in range(300):
        mask = np.zeros((64, 64), np.uint8)
        y, x = divmod(i, 20)
        mask[y * 3 : y * 3 + 2, x * 3 : x * 3 + 2] = 1
        box = [x * 3, y * 3, x * 3 + 2, y * 3 + 2]
        instances.append({"mask": mask, "bbox": box, "bbox_labels": {"class_name": "c", "color": i}})
    out = _with_output([], mask_output="index_map")(image=image, instances=instances)
    assert out["index_map"].dtype == np.int32
    assert out["index_map"][42, 57] == 300 and set(np.unique(out["index_map"])) == set(range(301))


# --- stacked and RLE: the same masks as per-row ---------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, bool, np.uint16, np.int32])
def test_stacked_masks_are_the_per_row_masks_in_one_array(dtype):
    for data in calls(4, seed=1, height=96, width=128, n=6):
        data["instances"] = [dict(i, mask=i["mask"].astype(dtype)) for i in data["instances"]]
        for item in data["mosaic_metadata"]:
            item["masks"] = item["masks"].astype(dtype)
        for item in data["copy_paste_metadata"]:
            item["mask"] = item["mask"].astype(dtype)
        full = _per_row(SEED_CHAIN, data)
        out = _with_output(SEED_CHAIN, mask_output="stacked")(**data)
        stacked = out["masks"]
        assert stacked.dtype == np.dtype(dtype) and stacked.flags.c_contiguous
        np.testing.assert_array_equal(stacked, full)
        for row, inst in enumerate(out["instances"]):
            assert np.shares_memory(inst["mask"], stacked) and np.array_equal(inst["mask"], stacked[row])


def test_stacked_masks_of_no_surviving_row_are_empty():
    scene = make_scene(np.random.default_rng(0), n=3)
    crop = [A.Crop(x_min=0, y_min=0, x_max=1, y_max=1, p=1.0)]
    out = _with_output(crop, mask_output="stacked")(image=scene.image, instances=scene.instances)
    assert out["instances"] == [] and out["masks"].shape == (0, 1, 1)


def test_coco_rle_output_is_what_pycocotools_encodes():
    for data in calls(4, seed=2, height=96, width=128, n=6):
        full = _per_row(SEED_CHAIN, data)
        out = _with_output(SEED_CHAIN, mask_output="coco_rle")(**data)
        assert len(out["instances"]) == len(full)
        for inst, mask in zip(out["instances"], full):
            expected = coco_mask.encode(np.asfortranarray(mask))
            assert inst["mask"] == {"size": expected["size"], "counts": expected["counts"]}
            np.testing.assert_array_equal(coco_mask.decode(inst["mask"]), mask)


def test_mask_to_rle_matches_pycocotools_on_edge_cases():
    rng = np.random.default_rng(5)
    cases = [np.zeros((7, 5), np.uint8), np.ones((7, 5), np.uint8), (rng.random((33, 17)) > 0.5)]
    corner = np.zeros((9, 9), np.uint8)
    corner[-1, -1] = 1
    # Objects whose tile ends above the canvas bottom while their column is on there.
    inner = np.zeros((12, 10), np.uint8)
    inner[3:8, 2:6], inner[0, 7] = 1, 1
    bottom = np.zeros((12, 10), np.uint8)
    bottom[9:, 3:5], bottom[11, 5] = 1, 1
    cases.append(bottom)
    cases += [corner, inner, (rng.random((300, 200)) > 0.97).astype(np.uint16) * 7]
    for _ in range(200):  # sparse objects anywhere: tiles touching any side of the canvas, or none
        sparse = np.zeros(tuple(rng.integers(1, 20, 2)), np.uint8)
        y0, x0 = rng.integers(0, sparse.shape[0]), rng.integers(0, sparse.shape[1])
        sparse[y0 : y0 + rng.integers(1, 6), x0 : x0 + rng.integers(1, 6)] = rng.random() > 0.1
        sparse[rng.integers(0, sparse.shape[0]), rng.integers(0, sparse.shape[1])] = 1
        cases.append(sparse)
    for mask in cases:
        expected = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8) != 0).astype(np.uint8))
        assert A.mask_to_rle(mask)["counts"] == expected["counts"]


# --- inputs as datasets store them ---------------------------------------------------------------


def _rle_instances(scene, compressed: bool):
    out = []
    for inst in scene.instances:
        rle = coco_mask.encode(np.asfortranarray(inst["mask"]))
        if compressed:
            counts = rle["counts"].decode("ascii")
        else:  # COCO's iscrowd form: the run lengths themselves
            flat = inst["mask"].reshape(-1, order="F")
            edges = np.flatnonzero(np.diff(np.concatenate([[0], flat, [1 - flat[-1]]])))
            counts = np.diff(np.concatenate([[0], edges])).tolist()
            if flat[0]:
                counts = [0, *counts]
        out.append(dict(inst, mask={"size": rle["size"], "counts": counts}))
    return out


@pytest.mark.parametrize("compressed", [True, False])
def test_rle_inputs_give_the_outputs_of_their_planes(compressed):
    for k, data in enumerate(calls(4, seed=3, height=96, width=128, n=6)):
        scene = type("S", (), {"instances": data["instances"]})
        expected = _with_output(SEED_CHAIN)(**data)
        encoded = dict(data, instances=_rle_instances(scene, compressed))
        out = _with_output(SEED_CHAIN)(**encoded)
        assert len(out["instances"]) == len(expected["instances"]), k
        for a, b in zip(out["instances"], expected["instances"]):
            np.testing.assert_array_equal(a["mask"], b["mask"])
            np.testing.assert_array_equal(a["bbox"], b["bbox"])


def _polygon_scene():
    """Objects given by polygons, and their masks as Ultralytics rasterises them."""
    rng = np.random.default_rng(9)
    height, width = 96, 128
    image = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    polygons, masks = [], []
    for _ in range(6):
        centre = rng.uniform([20, 20], [width - 20, height - 20])
        angles = np.sort(rng.uniform(0, 2 * np.pi, 7))
        points = centre + rng.uniform(5, 18, (7, 1)) * np.stack([np.cos(angles), np.sin(angles)], 1)
        polygon = [points.reshape(-1).tolist()]
        mask = np.zeros((height, width), np.uint8)
        cv2.fillPoly(mask, [np.asarray(points, dtype=np.int32)], 1)
        polygons.append(polygon)
        masks.append(mask)
    return image, polygons, masks


def _instances(polygons_or_masks, masks):
    out = []
    for value, mask in zip(polygons_or_masks, masks):
        ys, xs = np.nonzero(mask)
        box = [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
        out.append({"mask": value, "bbox": box, "bbox_labels": {"class_name": "p", "color": 1}})
    return out


@pytest.mark.parametrize("polygon_format", ["coco", "yolo"])
def test_polygon_inputs_are_rasterised_as_ultralytics_does(polygon_format):
    image, polygons, masks = _polygon_scene()
    if polygon_format == "yolo":
        scale = np.tile([1 / 128, 1 / 96], 7)
        polygons = [[(np.asarray(p[0]) * scale).tolist()] for p in polygons]
    chain = [A.Affine(rotate=(-15, 15), p=1.0), A.HorizontalFlip(p=1.0)]
    ours = _with_output(chain, polygon_format=polygon_format)(
        image=image, instances=_instances(polygons, masks)
    )
    planes = _with_output(chain)(image=image, instances=_instances(masks, masks))
    for a, b in zip(ours["instances"], planes["instances"]):
        np.testing.assert_array_equal(a["mask"], b["mask"])
    plain = _with_output([], polygon_format=polygon_format)(
        image=image, instances=_instances(polygons, masks)
    )
    np.testing.assert_array_equal(np.stack([i["mask"] for i in plain["instances"]]), np.stack(masks))


def test_flat_and_vertex_polygons_are_one_polygon():
    image, polygons, masks = _polygon_scene()
    flat = [p[0] for p in polygons]
    vertices = [np.asarray(p[0]).reshape(-1, 2) for p in polygons]
    for given in (flat, [[v] for v in vertices]):
        out = _with_output([])(image=image, instances=_instances(given, masks))
        np.testing.assert_array_equal(np.stack([i["mask"] for i in out["instances"]]), np.stack(masks))


def test_polygon_inputs_work_with_mosaic_and_copy_and_paste():
    image, polygons, masks = _polygon_scene()
    neighbour = {
        "image": image,
        "masks": np.stack(masks),
        "bboxes": np.stack([i["bbox"] for i in _instances(masks, masks)]),
        "bbox_labels": {f: [i["bbox_labels"][f] for i in _instances(masks, masks)] for f in FIELDS},
    }
    chain = [
        A.Mosaic(grid_yx=(2, 2), target_size=(96, 128), cell_shape=(96, 128), p=1.0),
        A.CopyAndPaste(p=1.0),
    ]
    base = {"image": image, "mosaic_metadata": [neighbour] * 3}
    donors = [{"image": image, "mask": m, "bbox_labels": {"class_name": "d", "color": 2}} for m in masks]
    for seed in range(4):
        given = dict(base, copy_paste_metadata=donors, invocation_seed=seed)
        ours = _with_output(chain)(**given, instances=_instances(polygons, masks))
        planes = _with_output(chain)(**given, instances=_instances(masks, masks))
        assert len(ours["instances"]) == len(planes["instances"])
        for a, b in zip(ours["instances"], planes["instances"]):
            np.testing.assert_array_equal(a["mask"], b["mask"])
            np.testing.assert_array_equal(a["bbox"], b["bbox"])


# --- what is refused, and how -------------------------------------------------------------------


def _one(mask):
    return [{"mask": mask, "bbox": [0, 0, 4, 4], "bbox_labels": {"class_name": "c", "color": 0}}]


@pytest.mark.parametrize(
    ("mask", "error", "words"),
    [
        ({"size": [8, 8], "counts": "P"}, ValueError, "ends inside a count"),
        ({"size": [8, 8], "counts": b"\x01"}, ValueError, "outside '0'..'o'"),
        ({"size": [9, 8], "counts": [64]}, ValueError, "differs from the image's"),
        ({"size": [8, 8], "counts": [10, 60]}, ValueError, "more than the 8 x 8 canvas"),
        ({"size": [8, 8], "counts": [-1, 65]}, ValueError, "non-negative"),
        ({"size": [8, 8], "counts": [1.5]}, TypeError, "list of run lengths"),
        ({"counts": "PP"}, ValueError, "needs 'size'"),
        ([[0, 0, 4, 0, 4]], ValueError, "odd count"),
        ([[0, 0, 4, 0]], ValueError, "at least 3 vertices"),
        ([[0, 0, 4, 0, float("nan"), 4]], ValueError, "finite"),
        ([["a", 0, 4, 0, 4, 4]], TypeError, "list of numbers"),
    ],
)
def test_bad_encoded_masks_are_refused_naming_the_instance(mask, error, words):
    image = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(error, match=words) as caught:
        _with_output([A.HorizontalFlip(p=1.0)])(image=image, instances=_one(mask))
    assert "instances[0]" in str(caught.value)


def test_encoded_masks_next_to_wider_planes_are_refused():
    image = np.zeros((8, 8, 3), np.uint8)
    instances = _one([[0, 0, 4, 0, 4, 4]]) + _one(np.zeros((8, 8), np.uint16))
    with pytest.raises(ValueError, match="share one dtype"):
        _with_output([])(image=image, instances=instances)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (
            {"mask_output": "stacked", "binding": ["bboxes", "keypoints"]},
            "needs instance_binding with 'masks'",
        ),
        ({"mask_output_ratio": 4}, "needs mask_output 'stacked' or 'index_map'"),
        ({"mask_output": "coco_rle", "mask_output_ratio": 2}, "needs mask_output 'stacked' or 'index_map'"),
        ({"mask_output": "planes"}, "mask_output"),
        ({"mask_output": "stacked", "mask_output_ratio": 0}, "mask_output_ratio"),
        ({"polygon_format": "voc"}, "polygon_format"),
    ],
)
def test_bad_mask_output_arguments_are_refused(kwargs, words):
    binding = kwargs.pop("binding", ["masks", "bboxes"])
    with pytest.raises(ValueError, match=words):
        A.Compose(
            [],
            bbox_params=A.BboxParams("pascal_voc"),
            keypoint_params=A.KeypointParams("xy"),
            instance_binding=binding,
            **kwargs,
        )


# --- the forms travel: files, batches ------------------------------------------------------------


def test_mask_output_is_saved_and_loaded_with_the_pipeline():
    pipeline = _with_output(SEED_CHAIN, mask_output="index_map", mask_output_ratio=4, polygon_format="yolo")
    loaded = A.from_dict(A.to_dict(pipeline))
    assert (loaded.mask_output, loaded.mask_output_ratio, loaded.polygon_format) == ("index_map", 4, "yolo")
    data = calls(1, seed=4, height=96, width=128)[0]
    np.testing.assert_array_equal(loaded(**data)["index_map"], pipeline(**data)["index_map"])


@pytest.mark.parametrize("form", ["stacked", "index_map", "coco_rle"])
def test_batches_give_the_forms_of_single_calls(form):
    data = calls(6, seed=5, height=96, width=128)
    one = compose(SEED_CHAIN, seed=8)
    pipeline = A.Compose(
        SEED_CHAIN,
        bbox_params=one.bbox_params,
        instance_binding=["masks", "bboxes"],
        seed=8,
        mask_output=form,
        mask_output_ratio=4 if form == "index_map" else 1,
    )
    batch = pipeline.batch(data, 2)
    pipeline.set_random_seed(8)
    for got, call in zip(batch, data):
        single = pipeline(**call)
        key = {"stacked": "masks", "index_map": "index_map"}.get(form)
        if key:
            np.testing.assert_array_equal(got[key], single[key])
        else:
            assert [i["mask"] for i in got["instances"]] == [i["mask"] for i in single["instances"]]


def test_neighbours_and_donors_may_give_encoded_masks():
    """Mosaic neighbours' and CopyAndPaste donors' masks as RLE or polygons: the same output as with
    the planes they stand for."""
    image, polygons, masks = _polygon_scene()
    boxes = np.stack([i["bbox"] for i in _instances(masks, masks)]).astype(np.float64)
    labels = {"class_name": ["n"] * len(masks), "color": [3] * len(masks)}
    rles = [coco_mask.encode(np.asfortranarray(m)) for m in masks]

    def call(neighbour_masks, donor_masks):
        neighbour = {"image": image, "masks": neighbour_masks, "bboxes": boxes, "bbox_labels": labels}
        donors = [
            {"image": image, "mask": m, "bbox_labels": {"class_name": "d", "color": 2}} for m in donor_masks
        ]
        return {
            "image": image,
            "instances": _instances(masks, masks),
            "mosaic_metadata": [neighbour] * 3,
            "copy_paste_metadata": donors,
        }

    chain = [
        A.Mosaic(grid_yx=(2, 2), target_size=(96, 128), cell_shape=(96, 128), p=1.0),
        A.CopyAndPaste(p=1.0),
    ]
    for seed in range(4):
        expected = _with_output(chain)(**call(np.stack(masks), masks), invocation_seed=seed)
        for given in (call(polygons, rles), call(rles, polygons)):
            out = _with_output(chain)(**given, invocation_seed=seed)
            assert len(out["instances"]) == len(expected["instances"])
            for a, b in zip(out["instances"], expected["instances"]):
                np.testing.assert_array_equal(a["mask"], b["mask"])
                np.testing.assert_array_equal(a["bbox"], b["bbox"])


def test_encoded_neighbour_masks_need_byte_masks():
    image, polygons, masks = _polygon_scene()
    instances = [dict(i, mask=i["mask"].astype(np.uint16)) for i in _instances(masks, masks)]
    neighbour = {
        "image": image,
        "masks": polygons,
        "bboxes": [i["bbox"] for i in instances],
        "bbox_labels": {"class_name": ["n"] * 6, "color": [0] * 6},
    }
    chain = [A.Mosaic(grid_yx=(2, 2), target_size=(96, 128), cell_shape=(96, 128), p=1.0)]
    with pytest.raises(
        ValueError, match=r"mosaic_metadata\[0\]\['masks'\]\[0\]: polygon and RLE masks are uint8"
    ):
        _with_output(chain)(image=image, instances=instances, mosaic_metadata=[neighbour])


def _runs_of(text: bytes) -> list[int]:
    """pycocotools' rleFrString in Python (its decode reads memory it never wrote when the runs do
    not cover the canvas, so it cannot judge strings made at random)."""
    counts, p = [], 0
    while p < len(text):
        x, k, more = 0, 0, True
        while more:
            c = text[p] - 48
            x |= (c & 0x1F) << (5 * k)
            more, p, k = bool(c & 0x20), p + 1, k + 1
            if not more and c & 0x10:
                x |= -1 << (5 * k)
        counts.append(x + (counts[-2] if len(counts) > 2 else 0))
    return counts


def test_any_rle_string_decodes_or_is_refused():
    """Arbitrary counts strings (truncated, huge runs, negative deltas) never read or write outside
    the canvas: each gives the mask its runs describe, or a ValueError when they describe none."""
    rng = np.random.default_rng(11)
    image = np.zeros((9, 7, 3), np.uint8)
    pipeline = _with_output([A.HorizontalFlip(p=1.0)], mask_output="coco_rle")
    decoded = 0
    for _ in range(400):
        text = bytes(rng.integers(48, 112, rng.integers(0, 12)).astype(np.uint8))
        try:
            runs = _runs_of(text)
        except IndexError:  # ends inside a count
            runs = None
        valid = runs is not None and min(runs, default=0) >= 0 and sum(runs) <= 63
        try:
            out = pipeline(image=image, instances=_one({"size": [9, 7], "counts": text}))
        except ValueError:
            assert not valid, text
            continue
        assert valid, text
        flat = np.zeros(63, np.uint8)
        position = 0
        for j, run in enumerate(runs):
            flat[position : position + run] = j % 2
            position += run
        expected = flat.reshape(7, 9).T[:, ::-1]
        got = coco_mask.decode(out["instances"][0]["mask"]) if out["instances"] else np.zeros((9, 7))
        np.testing.assert_array_equal(got, expected if out["instances"] else np.zeros((9, 7)))
        decoded += 1
    assert decoded > 20


@pytest.mark.parametrize("form", ["stacked", "index_map", "coco_rle"])
def test_to_tensor_takes_every_form(form):
    torch = import_reference("torch", needed_by="the ToTensorV2 mask-output tests")
    data = calls(1, seed=6, height=96, width=128)[0]
    kwargs = {"mask_output": form, "mask_output_ratio": 4 if form == "index_map" else 1}
    plain = _with_output(SEED_CHAIN, **kwargs)(**data)
    out = _with_output([*SEED_CHAIN, A.ToTensorV2(p=1.0)], **kwargs)(**data)
    if form == "stacked":
        assert isinstance(out["masks"], torch.Tensor) and out["masks"].shape == plain["masks"].shape
        assert all(torch.equal(i["mask"], out["masks"][r]) for r, i in enumerate(out["instances"]))
    elif form == "index_map":
        assert torch.equal(out["index_map"], torch.from_numpy(plain["index_map"]))
    else:
        assert [i["mask"] for i in out["instances"]] == [i["mask"] for i in plain["instances"]]
