"""The defects of issue 12, one test (or a few) per case: each failed before its fix.

1/2: a step that changes the image's dtype or channels before a mixing transform; 3: outputs sized
by parameters; 4: padding after a crop; 5: input layouts; 6: forked DataLoader workers; 7: OpenCV
errors escaping; 8: silent surprises and unclear messages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import instaug as A
from instaug import _core

from helpers import import_reference, make_scene

ROOT = Path(__file__).resolve().parent.parent
BORDER_MODES = {
    "constant": 0,
    "replicate": 1,
    "reflect": 2,
    "wrap": 3,
    "reflect_101": 4,
}


def instance_compose(transforms, seed=0, **kwargs):
    return A.Compose(
        transforms,
        bbox_params=A.BboxParams("pascal_voc", label_fields=["class_name"]),
        instance_binding=["masks", "bboxes"],
        seed=seed,
        **kwargs,
    )


def run_script(script: str, timeout: int = 60) -> subprocess.CompletedProcess:
    """Runs Python code in a child process (what may abort or hang must not take pytest with it);
    the child must exit cleanly."""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return out


def scene_call(rng_seed=3, height=64, width=80, n=4, channels=3):
    scene = make_scene(np.random.default_rng(rng_seed), height, width, n)
    image = scene.image if channels == 3 else np.dstack([scene.image, scene.image[:, :, :1]])[:, :, :channels]
    instances = [
        {"mask": i["mask"], "bbox": i["bbox"], "bbox_labels": {"class_name": i["bbox_labels"]["class_name"]}}
        for i in scene.instances
    ]
    return image, instances


# -- 1 and 2: mixing after a dtype or channel change -----------------------------------------------


@pytest.mark.parametrize("step", [A.Normalize(), A.ToGray(num_output_channels=4, p=1), A.ToGray(1, p=1)])
@pytest.mark.parametrize("mixing", [A.CopyAndPaste(p=1), A.Mosaic(p=1)])
def test_format_change_before_mixing_refused_at_construction(step, mixing) -> None:
    name, mix = type(step).__name__, type(mixing).__name__
    with pytest.raises(ValueError, match=f"put {name} after {mix}"):
        instance_compose([A.HorizontalFlip(), step, A.VerticalFlip(), mixing])


def test_format_change_after_mixing_is_fine() -> None:
    image, instances = scene_call()
    out = instance_compose([A.CopyAndPaste(p=1), A.Normalize(), A.ToGray(1, p=1)])(
        image=image, instances=instances, copy_paste_metadata=[{**instances[0], "image": image}]
    )
    assert out["image"].dtype == np.float32 and out["image"].ndim == 2


def test_channel_change_the_facade_cannot_foresee_is_refused_by_the_core() -> None:
    # ToGray(3, "max") keeps an RGB image's channels, so construction allows it; on a 4-channel
    # image it makes 3: the donor's 4-channel pixels were read with the canvas's pixel size
    # (heap over-read under ASan, garbage in release).
    image, instances = scene_call(channels=4)
    donors = [{**instances[0], "image": image}]
    transform = instance_compose([A.ToGray(method="max", p=1), A.CopyAndPaste(p=1)])
    with pytest.raises(
        ValueError, match=r"CopyAndPaste: copy_paste_metadata\[0\]\['image'\] is uint8 with 4"
    ):
        transform(image=image, instances=instances, copy_paste_metadata=donors)


def test_mosaic_neighbour_of_another_format_is_refused_by_the_core() -> None:
    # The neighbour's cell stayed uninitialised memory (values like 1.6e19) before.
    image, instances = scene_call(channels=4)
    item = {
        "image": image,
        "masks": np.stack([i["mask"] for i in instances]),
        "bboxes": np.stack([i["bbox"] for i in instances]),
        "bbox_labels": {"class_name": [i["bbox_labels"]["class_name"] for i in instances]},
    }
    mosaic = A.Mosaic(target_size=(64, 80), cell_shape=(64, 80), p=1)
    transform = instance_compose([A.ToGray(method="max", p=1), mosaic])
    with pytest.raises(ValueError, match=r"Mosaic: mosaic_metadata\[0\]\['image'\] is uint8 with 4 channels"):
        transform(image=image, instances=instances, mosaic_metadata=[item] * 3)


# -- 3: outputs sized by parameters ----------------------------------------------------------------

BIG_OUTPUTS = [
    ("Affine", "A.Affine(shear=(89, 89), fit_output=True, p=1)", (640, 640)),
    ("Affine", "A.Affine(scale=(60, 60), fit_output=True, p=1)", (640, 640)),
    ("SmallestMaxSize", "A.SmallestMaxSize(max_size=30000, p=1)", (1, 8000)),
    ("LongestMaxSize", "A.LongestMaxSize(max_size=32000, p=1)", (16000, 8000)),
    ("LetterBox", "A.LetterBox(size=(30000, 30000), p=1)", (64, 64)),
]


@pytest.mark.skipif(
    os.environ.get("INSTAUG_SANITIZER") == "1", reason="ASan reserves terabytes of address space"
)
@pytest.mark.parametrize("name, transform, shape", BIG_OUTPUTS)
def test_outputs_sized_by_parameters_are_bounded_under_a_memory_cap(name, transform, shape) -> None:
    # Under a 3 GiB address-space cap: before the bound, Affine(fit_output=True) with a steep shear
    # grew the canvas until the process was killed (24 GB).
    script = textwrap.dedent(
        f"""
        import resource
        import numpy as np
        import instaug as A
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        image = np.zeros({shape} + (1,), np.uint8)
        try:
            A.Compose([{transform}])(image=image)
        except ValueError as exc:
            print("ValueError:", exc)
        """
    )
    out = run_script(script, timeout=120)
    assert f"ValueError: {name}: its output would be" in out.stdout
    assert "32766 pixels a side" in out.stdout


@pytest.mark.skipif(
    os.environ.get("INSTAUG_SANITIZER") == "1", reason="ASan reserves terabytes of address space"
)
def test_the_memory_cap_is_real() -> None:
    # A child that allocates past the cap fails with MemoryError instead of growing.
    script = "import resource, numpy as np\nresource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
    script += "np.ones(4 << 30, np.uint8)\n"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "MemoryError" in out.stderr


@pytest.mark.parametrize(
    "transform",
    [
        A.PadIfNeeded(min_height=8, min_width=4, p=1),
        A.Affine(rotate=(5, 5), p=1),
        A.Perspective(p=1),
        A.LongestMaxSize(max_size=100, p=1),
        A.HorizontalFlip(p=1),
        A.CenterCrop(4, 35000, p=1),
    ],
)
def test_inputs_already_past_the_bound_may_keep_their_size_or_shrink(transform) -> None:
    out = A.Compose([transform], seed=0)(image=np.zeros((4, 40000), np.uint8))
    assert out["image"].shape[1] <= 40001


def test_moderate_fit_output_still_works() -> None:
    image = np.zeros((64, 64, 3), np.uint8)
    out = A.Compose([A.Affine(shear=(60, 60), fit_output=True, p=1)])(image=image)
    assert out["image"].shape[1] > 64


@pytest.mark.parametrize(
    "make",
    [
        lambda: A.Mosaic(target_size=(40000, 512)),
        lambda: A.Mosaic(target_size=(20000, 20000), cell_shape=(20000, 20000)),
        lambda: A.Resize(height=40000, width=10),
        lambda: A.RandomResizedCrop(size=(10, 10**9)),
        lambda: A.PadIfNeeded(min_height=10**12, min_width=4),
        lambda: A.Crop(x_max=2**40, y_max=4),
        lambda: A.Mosaic(grid_yx=(16384, 16384), cell_shape=(1, 1), target_size=(16384, 16384)),
    ],
)
def test_sizes_past_the_canvas_bound_refused_at_construction(make) -> None:
    with pytest.raises(ValueError, match="must be|more than 268435456 pixels|at most 4096 are allowed"):
        make()


# -- 4: padding after a crop -------------------------------------------------------------------


@pytest.mark.parametrize("border", sorted(BORDER_MODES))
def test_pad_after_crop_pads_the_crop_alone(border) -> None:
    cv2 = import_reference("cv2", needed_by="test_reliability.py")
    image = np.random.default_rng(0).integers(0, 256, (50, 60, 3), dtype=np.uint8)
    mode = BORDER_MODES[border]
    transform = A.Compose(
        [A.CenterCrop(20, 30, p=1), A.PadIfNeeded(40, 50, border_mode=mode, fill=7, p=1)], seed=0
    )
    crop = np.ascontiguousarray(image[15:35, 15:45])
    expected = cv2.copyMakeBorder(crop, 10, 10, 10, 10, mode, value=(7, 7, 7))
    np.testing.assert_array_equal(transform(image=image)["image"], expected)


@pytest.mark.parametrize("border", sorted(BORDER_MODES))
def test_pad_after_crop_inside_a_fused_chain(border) -> None:
    # Flip and crop are deferred (fused) steps; the pad renders them first.
    cv2 = import_reference("cv2", needed_by="test_reliability.py")
    image = np.random.default_rng(1).integers(0, 256, (50, 60), dtype=np.uint8)
    mode = BORDER_MODES[border]
    transform = A.Compose(
        [A.HorizontalFlip(p=1), A.Crop(5, 6, 25, 36, p=1), A.PadIfNeeded(48, 40, border_mode=mode, p=1)]
    )
    crop = np.ascontiguousarray(image[:, ::-1][6:36, 5:25])
    expected = cv2.copyMakeBorder(crop, 9, 9, 10, 10, mode, value=0)
    np.testing.assert_array_equal(transform(image=image)["image"], expected)


FILTERS = {
    "Blur": lambda: A.Blur(blur_range=(5, 5), p=1),
    "MedianBlur": lambda: A.MedianBlur(blur_range=(7, 7), p=1),
    "GaussianBlur": lambda: A.GaussianBlur(blur_range=(7, 7), sigma_range=(2, 2), p=1),
    "MotionBlur": lambda: A.MotionBlur(blur_range=(9, 9), p=1),
    "CLAHE": lambda: A.CLAHE(p=1),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
@pytest.mark.parametrize("channels", [1, 3])
def test_filters_after_a_crop_see_the_crop_alone(name, channels) -> None:
    # OpenCV's filters took their borders from the pixels around the crop (a view). Both runs draw
    # the same numbers: a skipped first transform draws its coin as the crop does.
    image = np.random.default_rng(2).integers(0, 256, (50, 60, channels), dtype=np.uint8)
    crop = np.ascontiguousarray(image[15:35, 15:45])
    cropped = A.Compose([A.CenterCrop(20, 30, p=1), FILTERS[name]()], seed=4)(image=image)["image"]
    expected = A.Compose([A.HorizontalFlip(p=0), FILTERS[name]()], seed=4)(image=crop)["image"]
    np.testing.assert_array_equal(cropped, expected)


# -- 5: every input layout -------------------------------------------------------------------------


def _unaligned(a: np.ndarray) -> np.ndarray:
    raw = np.zeros(a.nbytes + 1, np.uint8)
    out = raw[1:].view(a.dtype).reshape(a.shape)
    out[...] = a
    assert not out.flags.aligned or a.itemsize == 1
    return out


def _read_only(a: np.ndarray) -> np.ndarray:
    out = a.copy()
    out.flags.writeable = False
    return out


LAYOUTS = {
    "negative row stride": lambda a: np.flipud(np.flipud(a).copy()),
    "negative column stride": lambda a: np.fliplr(np.fliplr(a).copy()),
    "fortran": np.asfortranarray,
    "read-only": _read_only,
    "column view": lambda a: np.repeat(a, 2, axis=1)[:, ::2],
    "unaligned": _unaligned,
    "padded rows": lambda a: np.pad(a, ((0, 0), (0, 3)) + ((0, 0),) * (a.ndim - 2))[:, : a.shape[1]],
}


def _layout_pipeline() -> list:
    return [
        A.CenterCrop(40, 50, p=1),
        A.PadIfNeeded(56, 64, border_mode=4, p=1),
        A.MotionBlur(blur_range=(31, 31), p=1),
        A.HorizontalFlip(p=1),
    ]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_every_image_layout_gives_the_contiguous_output(layout, dtype) -> None:
    image = np.random.default_rng(4).integers(0, 256, (48, 60, 3)).astype(dtype)
    if dtype == np.float32:
        image /= 255
    given = LAYOUTS[layout](image)
    np.testing.assert_array_equal(given, image)
    before = given.copy()
    expected = A.Compose(_layout_pipeline(), seed=5)(image=np.ascontiguousarray(image))["image"]
    np.testing.assert_array_equal(A.Compose(_layout_pipeline(), seed=5)(image=given)["image"], expected)
    np.testing.assert_array_equal(given, before)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_mask_layout_gives_the_contiguous_output(layout) -> None:
    image, instances = scene_call()
    transform = [A.Affine(rotate=(20, 20), p=1), A.CenterCrop(50, 60, p=1)]
    expected = instance_compose(transform)(image=image, instances=instances)
    moved = [{**i, "mask": LAYOUTS[layout](i["mask"])} for i in instances]
    got = instance_compose(transform)(image=LAYOUTS[layout](image), instances=moved)
    np.testing.assert_array_equal(got["image"], expected["image"])
    assert len(got["instances"]) == len(expected["instances"])
    for g, e in zip(got["instances"], expected["instances"]):
        np.testing.assert_array_equal(g["mask"], e["mask"])
        np.testing.assert_array_equal(g["bbox"], e["bbox"])


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_box_and_keypoint_layout_gives_the_contiguous_output(layout) -> None:
    # Unaligned boxes reached the core as they were and were read through double pointers
    # (undefined behaviour: UndefinedBehaviorSanitizer stopped make sanitize on it).
    image = np.random.default_rng(6).integers(0, 256, (60, 70, 3), dtype=np.uint8)
    boxes = np.array([[5, 6, 30, 40], [20, 10, 60, 50], [1, 1, 9, 12]], np.float64)
    points = np.array([[10, 12], [33.5, 20], [50, 44]], np.float64)

    def run(b: np.ndarray, k: np.ndarray) -> dict:
        return A.Compose(
            [A.Affine(rotate=(15, 15), p=1), A.RandomCrop(50, 56, p=1)],
            bbox_params=A.BboxParams(coord_format="pascal_voc", label_fields=[]),
            keypoint_params=A.KeypointParams(coord_format="xy"),
            seed=2,
        )(image=image, bboxes=b, keypoints=k)

    expected = run(boxes, points)
    got = run(LAYOUTS[layout](boxes), LAYOUTS[layout](points))
    np.testing.assert_array_equal(got["bboxes"], expected["bboxes"])
    np.testing.assert_array_equal(got["keypoints"], expected["keypoints"])


def test_the_core_refuses_rows_at_an_odd_byte_offset() -> None:
    """The binding's own check, behind the facade's copy: it never reads doubles at an odd address."""
    boxes = _unaligned(np.array([[1.0, 2.0, 5.0, 6.0]]))
    with pytest.raises(ValueError, match="boxes must be aligned to its element size"):
        _core.prepare_boxes(boxes, "pascal_voc", 10, 10, False, True, False, "boxes")
    aligned = _core.prepare_boxes(np.array(boxes), "pascal_voc", 10, 10, False, True, False, "boxes")
    np.testing.assert_array_equal(aligned, [[1.0, 2.0, 5.0, 6.0]])


def test_other_byte_orders_are_read_as_native() -> None:
    image, instances = scene_call()
    native = [{**i, "mask": i["mask"].astype(np.uint16)} for i in instances]
    swapped = [{**i, "mask": i["mask"].astype(">u2")} for i in instances]
    floats = image.astype(np.float32) / 255
    transform = [A.Affine(rotate=(10, 10), p=1)]
    expected = instance_compose(transform)(image=floats, instances=native)
    got = instance_compose(transform)(image=floats.astype(">f4"), instances=swapped)
    np.testing.assert_array_equal(got["image"], expected["image"])
    assert len(got["instances"]) == len(expected["instances"])
    for g, e in zip(got["instances"], expected["instances"]):
        np.testing.assert_array_equal(g["mask"], e["mask"])


@pytest.mark.parametrize("channels, dtype", [(0, np.uint8), (513, np.uint8), (65, np.int64)])
def test_mask_channel_counts_the_core_cannot_hold_are_refused(channels, dtype) -> None:
    # Zero channels crashed the process; past 512 bytes a pixel, channels were silently dropped.
    mask = np.zeros((4, 5, channels), dtype)
    with pytest.raises(ValueError, match="channels"):
        A.Compose([A.HorizontalFlip(p=1)])(image=np.zeros((4, 5, 3), np.uint8), mask=mask)


def test_pil_style_read_only_image() -> None:
    image = np.asarray(memoryview(np.zeros((8, 9, 3), np.uint8).tobytes())).reshape(8, 9, 3)
    assert not image.flags.writeable
    out = A.Compose([A.HorizontalFlip(p=1), A.Blur(p=1)])(image=image)
    assert out["image"].shape == (8, 9, 3)


# -- 6: forked DataLoader workers ----------------------------------------------------------------

WORKER_SCRIPT = """
import sys
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset
import instaug as A

seed = None if sys.argv[1] == "none" else int(sys.argv[1])
image = (np.arange(32 * 32 * 3) % 251).astype(np.uint8).reshape(32, 32, 3)


def make():
    return A.Compose([A.Affine(rotate=(-90, 90), translate_px=(-20, 20), p=1), A.GaussNoise(p=1)], seed=seed)


# "parent": one Compose made before the workers fork; "worker": each worker makes its own.
transform = make() if sys.argv[3] == "parent" else None


class Images(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, index):
        global transform
        transform = transform or make()
        return transform(image=image)["image"]


torch.manual_seed(int(sys.argv[2]))
digests = []
for epoch in range(2):
    loader = DataLoader(Images(), batch_size=1, num_workers=2, collate_fn=lambda b: b[0])
    digests.append([hash(out.tobytes()) for out in loader])
print(repr(digests))
"""


def _run_workers(seed: str, torch_seed: int, made_in: str = "parent") -> list[list[int]]:
    import_reference("torch", needed_by="test_reliability.py")
    out = subprocess.run(
        [sys.executable, "-c", WORKER_SCRIPT, seed, str(torch_seed), made_in],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert out.returncode == 0, out.stderr
    return eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - our own script's repr


@pytest.mark.parametrize("made_in", ["parent", "worker"])
@pytest.mark.parametrize("seed", ["none", "137"])
def test_dataloader_workers_draw_their_own_streams(seed, made_in) -> None:
    # Before: worker k's n-th sample equalled worker 0's (4 distinct outputs of 8), seed or not.
    epochs = _run_workers(seed, torch_seed=0, made_in=made_in)
    for digests in epochs:
        assert len(set(digests)) == 8
    assert set(epochs[0]).isdisjoint(epochs[1]), "the second epoch repeated the first"


def test_a_seed_reproduces_the_epochs_run_after_run() -> None:
    assert _run_workers("137", torch_seed=0) == _run_workers("137", torch_seed=0)
    assert _run_workers("137", torch_seed=0) != _run_workers("137", torch_seed=1)


def test_unforked_process_keeps_its_sequence() -> None:
    image = np.arange(300, dtype=np.uint8).reshape(10, 10, 3)
    a, b = A.Compose([A.GaussNoise(p=1)], seed=3), A.Compose([A.GaussNoise(p=1)], seed=3)
    assert all(np.array_equal(a(image=image)["image"], b(image=image)["image"]) for _ in range(3))


# -- 7: OpenCV errors escaping -------------------------------------------------------------------


def test_median_blur_on_two_channels() -> None:
    cv2 = import_reference("cv2", needed_by="test_reliability.py")
    image = np.random.default_rng(5).integers(0, 256, (30, 40, 2), dtype=np.uint8)
    # OpenCV's median of sizes past 5 takes 1, 3 or 4 channels only (its error escaped before).
    out = A.Compose([A.MedianBlur(blur_range=(7, 7), p=1)])(image=image)["image"]
    expected = np.dstack([cv2.medianBlur(np.ascontiguousarray(image[:, :, c]), 7) for c in range(2)])
    np.testing.assert_array_equal(out, expected)


def test_median_blur_on_two_float_channels_with_a_large_kernel() -> None:
    image = np.random.default_rng(6).random((30, 40, 2), dtype=np.float32)
    out = A.Compose([A.MedianBlur(blur_range=(7, 7), p=1)])(image=image)["image"]
    assert out.shape == image.shape and out.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.int64, np.uint64, np.int32, np.uint16, bool])
def test_donor_given_by_its_box_with_any_mask_dtype(dtype) -> None:
    # int64 masks made OpenCV's setTo fail on the box-filled donor mask (8-byte elements).
    image, instances = scene_call()
    rows = [{**i, "mask": i["mask"].astype(dtype)} for i in instances]
    donor = {"image": image[:30, :30], "bbox": [2, 3, 12, 15], "bbox_labels": {"class_name": "box"}}
    out = instance_compose([A.CopyAndPaste(p=1)], seed=2)(
        image=image, instances=rows, copy_paste_metadata=[donor]
    )
    pasted = out["instances"][-1]
    assert pasted["bbox_labels"] == {"class_name": "box"}
    assert pasted["mask"].dtype == np.dtype(dtype)
    assert int(np.count_nonzero(pasted["mask"])) == 10 * 12


PARALLEL_ERROR_SCRIPT = """
import numpy as np
import instaug as A
from instaug import _core

# Straight to the core (the facade refuses this pipeline): 80 rows take the OpenMP loop over rows,
# and each 64-bit mask tile throws there.
spec = A.Affine(rotate=(30, 30), mask_interpolation=2, p=1).to_core()
pipeline = _core.Pipeline([spec], {}, {}, 1.0)
n, h, w = 80, 32, 32
masks = [np.zeros((h, w), np.int64) for _ in range(n)]
for m in masks:
    m[4:20, 4:20] = 1
boxes = np.tile(np.array([[4.0, 4.0, 20.0, 20.0]]), (n, 1))
ids = np.arange(n, dtype=np.int64)
try:
    sample = _core.SampleInput(
        width=w, height=h, image=np.zeros((h, w, 3), np.uint8), extra_images=[], mask_planes=[], boxes=boxes,
        row_masks=masks, source_ids=ids, metadata={},
    )
    pipeline.run(1, 0, False, sample)
except ValueError as exc:
    print("ValueError:", exc)
"""


def test_an_error_inside_the_parallel_loop_over_rows_is_raised_not_an_abort() -> None:
    # An exception leaving an OpenMP region ended the process (std::terminate, seen by the fuzzer).
    out = run_script(PARALLEL_ERROR_SCRIPT)
    assert "ValueError: masks of a 64-bit integer dtype support only nearest" in out.stdout


def test_zero_boxes() -> None:
    out = A.Compose([A.HorizontalFlip(p=1)], bbox_params=A.BboxParams("pascal_voc"))(
        image=np.zeros((4, 5, 3), np.uint8), bboxes=np.zeros((0, 4))
    )
    assert out["bboxes"].shape == (0, 4)


# -- 8: silent surprises and unclear messages ------------------------------------------------------


@pytest.mark.parametrize("on, dtype", [(255, np.uint8), (1, np.uint8), (True, bool), (7, np.int64)])
def test_donor_given_by_its_box_pastes_the_samples_own_on_value(on, dtype) -> None:
    image, instances = scene_call()
    rows = [{**i, "mask": (i["mask"] * on).astype(dtype)} for i in instances]
    donor = {"image": image[:30, :30], "bbox": [2, 3, 12, 15], "bbox_labels": {"class_name": "box"}}
    out = instance_compose([A.CopyAndPaste(p=1)], seed=2)(
        image=image, instances=rows, copy_paste_metadata=[donor]
    )
    assert set(np.unique(out["instances"][-1]["mask"]).tolist()) == {0, on}


@pytest.mark.parametrize(
    "transforms", [[], [A.HorizontalFlip(p=0)], [A.HorizontalFlip(p=1)], [A.Affine(p=1)]]
)
def test_a_blank_mask_with_a_valid_box_is_kept(transforms) -> None:
    image, instances = scene_call()
    blank = {
        "mask": np.zeros_like(instances[0]["mask"]),
        "bbox": [30, 20, 50, 40],
        "bbox_labels": {"class_name": "x"},
    }
    out = instance_compose(transforms, seed=1)(image=image, instances=[blank, *instances])
    kept = [i for i in out["instances"] if i["bbox_labels"]["class_name"] == "x"]
    assert len(kept) >= 1
    assert not kept[0]["mask"].any()


@pytest.mark.parametrize("covered, kept", [(True, False), (False, True)])
def test_a_blank_row_under_a_paste_is_judged_by_its_box(covered, kept) -> None:
    image, instances = scene_call()
    donor_mask = np.zeros(image.shape[:2], np.uint8)
    donor_mask[:, :] = 1 if covered else 0
    donor_mask[0, 0] = 1
    blank = {"mask": np.zeros_like(donor_mask), "bbox": [30, 20, 50, 40], "bbox_labels": {"class_name": "x"}}
    donor = {"image": image, "mask": donor_mask, "bbox_labels": {"class_name": "donor"}}
    out = instance_compose([A.CopyAndPaste(p=1)], seed=0)(
        image=image, instances=[blank], copy_paste_metadata=[donor]
    )
    names = [i["bbox_labels"]["class_name"] for i in out["instances"]]
    assert ("x" in names) == kept
    if kept:
        np.testing.assert_array_equal(out["instances"][0]["bbox"], [30, 20, 50, 40])


def test_a_mask_emptied_by_a_transform_still_dies() -> None:
    image, instances = scene_call()
    inside = np.zeros_like(instances[0]["mask"])
    inside[0:10, 0:10] = 1
    row = {"mask": inside, "bbox": [0, 0, 80, 64], "bbox_labels": {"class_name": "x"}}
    out = instance_compose([A.Crop(40, 30, 80, 64, p=1)])(image=image, instances=[row])
    assert out["instances"] == []


@pytest.mark.parametrize("n", [-1, -5])
def test_negative_thread_counts_refused(n) -> None:
    with pytest.raises(ValueError, match="set_num_threads: n must be >= 0"):
        A.set_num_threads(n)


def test_scalar_label_field_named() -> None:
    transform = A.Compose([], bbox_params=A.BboxParams("pascal_voc", label_fields=["class_name"]))
    with pytest.raises(TypeError, match="label field 'class_name' must be a list"):
        transform(image=np.zeros((5, 5, 3), np.uint8), bboxes=[[0, 0, 2, 2]], class_name=3)


@pytest.mark.parametrize("threads", [1, 2])
def test_failing_batch_call_is_named(threads) -> None:
    transform = A.Compose([A.HorizontalFlip()])
    calls = [{"image": np.zeros((4, 4, 3), np.uint8)}] * 3 + [{"image": np.zeros((4, 4, 3), np.int16)}]
    with pytest.raises(ValueError, match=r"^calls\[3\]: image must be uint8 or float32"):
        transform.batch(calls, num_threads=threads)


def test_uint64_masks_become_tensors() -> None:
    torch = import_reference("torch", needed_by="test_reliability.py")
    image, instances = scene_call()
    rows = [{**i, "mask": i["mask"].astype(np.uint64)} for i in instances]
    out = instance_compose([A.HorizontalFlip(p=1), A.ToTensorV2()])(image=image, instances=rows)
    assert out["instances"][0]["mask"].dtype == torch.uint64


def test_calls_from_the_main_thread_at_exit_still_run() -> None:
    # An atexit callback registered before instaug is imported runs after instaug's gate closed.
    script = textwrap.dedent(
        """
        import atexit
        import numpy as np
        flip = lambda: A.Compose([A.HorizontalFlip(p=1)])(image=image)["image"].shape
        atexit.register(lambda: print("at exit:", flip()))
        import instaug as A
        image = np.zeros((4, 5, 3), np.uint8)
        """
    )
    out = run_script(script)
    assert "at exit: (4, 5, 3)" in out.stdout


def test_a_child_forked_while_a_call_is_in_flight_exits() -> None:
    # The child inherited the parent's count of calls in flight and waited for them at exit.
    script = textwrap.dedent(
        """
        import os, threading
        import numpy as np
        import instaug as A
        transform = A.Compose([A.Blur(blur_range=(15, 15), p=1)] * 20)
        image = np.zeros((512, 512, 3), np.uint8)
        busy = threading.Event()
        def loop():
            busy.set()
            while True:
                transform(image=image)
        threading.Thread(target=loop, daemon=True).start()
        busy.wait()
        pid = os.fork()
        if pid == 0:
            raise SystemExit(0)  # a normal exit: atexit handlers run in the child
        _, status = os.waitpid(pid, 0)
        print("child status", status)
        """
    )
    out = run_script(script)
    assert "child status 0" in out.stdout


def test_a_child_forked_after_the_parallel_loop_over_rows_runs_it_again() -> None:
    # GNU OpenMP's pool does not survive fork: a worker forked after the parent augmented a sample
    # of 64 rows or more hung in its first such sample.
    script = textwrap.dedent(
        """
        import os
        import numpy as np
        import instaug as A
        boxes = A.BboxParams("pascal_voc")
        binding = ["masks", "bboxes"]
        transform = A.Compose([A.Affine(rotate=(10, 10), p=1)], bbox_params=boxes, instance_binding=binding)
        image = np.zeros((64, 64, 3), np.uint8)
        rows = [{"mask": np.ones((64, 64), np.uint8), "bbox": [0, 0, 64, 64]}] * 100
        transform(image=image, instances=rows)
        pid = os.fork()
        if pid == 0:
            os._exit(0 if len(transform(image=image, instances=rows)["instances"]) == 100 else 1)
        _, status = os.waitpid(pid, 0)
        print("child status", status)
        """
    )
    out = run_script(script)
    assert "child status 0" in out.stdout


def test_no_leak_warning_at_exit_with_a_daemon_thread() -> None:
    script = textwrap.dedent(
        """
        import threading, time
        import numpy as np
        import instaug as A
        transform = A.Compose([A.HorizontalFlip(p=1)])
        def loop():
            while True:
                transform(image=np.zeros((8, 8, 3), np.uint8))
        threading.Thread(target=loop, daemon=True).start()
        time.sleep(0.2)
        """
    )
    out = run_script(script)
    assert "leaked" not in out.stderr


def test_keypoint_offsets_are_checked_at_the_boundary() -> None:
    # Decreasing offsets of a mixing item were taken as they came: a row's keypoints would have
    # been read from outside the array.
    pipeline = _core.Pipeline([{"__class_fullname__": "Mosaic", "p": 1.0}], {}, {}, 1.0)
    image = np.zeros((8, 8, 3), np.uint8)
    points, ids = np.zeros((2, 5)), np.arange(2, dtype=np.int64)
    item = _core.MixItem(
        image=image, keypoints=points, keypoint_offsets=np.array([0, 2, 1], np.int64), source_ids=ids
    )
    sample = _core.SampleInput(
        width=8, height=8, image=image, source_ids=ids[:0], metadata={"mosaic_metadata": [item]}
    )
    with pytest.raises(ValueError, match=r"mosaic_metadata\[0\]: keypoint offsets must run from 0"):
        pipeline.run(0, 0, False, sample)
    rows = _core.SampleInput(
        width=8,
        height=8,
        image=image,
        boxes=np.zeros((2, 4)),
        row_keypoints=points,
        keypoint_offsets=np.array([0, 3, 2], np.int64),
        source_ids=ids,
    )
    with pytest.raises(ValueError, match="instances: keypoint offsets must run from 0"):
        pipeline.run(0, 0, False, rows)
