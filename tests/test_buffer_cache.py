"""The buffer cache: big output and scratch buffers come back for reuse, and a reused buffer never
shows what it held before, even after the caller wrote into it."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import instaug as A

from test_batch import calls

# 640 x 640 masks are 400 KiB, above the size the cache starts at (256 KiB).
SIZE = 640


@pytest.fixture
def cache_limit():
    before = A.get_buffer_cache_limit()
    yield
    A.set_buffer_cache_limit(before)


PIPELINES = {
    "seed": lambda: [
        A.Mosaic(target_size=(SIZE, SIZE), cell_shape=(SIZE, SIZE), p=1.0),
        A.Affine(rotate=(-20, 20), scale=(0.6, 1.0), p=1.0),
        A.Perspective(scale=(0.05, 0.1), p=1.0),
        A.CopyAndPaste(scale_range=(0.5, 1.0), p=1.0),
        A.HorizontalFlip(p=0.5),
        A.HueSaturationValue(p=1.0),
        A.RandomBrightnessContrast(p=1.0),
    ],
    "others": lambda: [
        A.RandomResizedCrop(size=(600, 620), p=1.0),
        A.PadIfNeeded(min_height=700, min_width=700, p=1.0),
        A.Rotate(angle_range=(-30, 30), p=1.0),
        A.VerticalFlip(p=1.0),
        A.GaussianBlur(p=1.0),
        A.MedianBlur(p=1.0),
        A.CLAHE(p=1.0),
        A.ColorJitter(p=1.0),
        A.GaussNoise(p=1.0),
        A.ChannelShuffle(p=1.0),
        A.ToGray(p=1.0),
        A.Normalize(p=1.0),
    ],
}


def pipeline(name: str = "seed") -> A.Compose:
    return A.Compose(
        PIPELINES[name](),
        bbox_params=A.BboxParams("pascal_voc", label_fields=["class_name", "color"]),
        instance_binding=["masks", "bboxes"],
        seed=3,
    )


def scenes(count: int) -> list[dict]:
    return calls(count, seed=5, height=SIZE, width=SIZE, n=6)


def snapshot(out: dict) -> tuple:
    return (out["image"].copy(), [inst["mask"].copy() for inst in out["instances"]])


def scribble(out: dict) -> None:
    out["image"][:] = 77 if out["image"].dtype == np.uint8 else np.nan
    for inst in out["instances"]:
        inst["mask"][:] = 255


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_reused_buffers_carry_nothing_over(cache_limit, name) -> None:
    """Outputs made from recycled blocks (which the caller filled with junk) equal outputs made with
    the cache off, through every transform."""
    calls = scenes(4)
    A.set_buffer_cache_limit(0)
    uncached = pipeline(name)
    expected = [snapshot(uncached(**c)) for c in calls]
    A.set_buffer_cache_limit(256 << 20)
    compose = pipeline(name)
    got = []
    for c in calls:
        out = compose(**c)
        got.append(snapshot(out))
        scribble(out)  # written by the caller, then handed back to the cache
        del out
        gc.collect()
        assert A.buffer_cache_bytes() > 0
    for (image, masks), (want_image, want_masks) in zip(got, expected):
        assert np.array_equal(image, want_image)
        assert len(masks) == len(want_masks)
        assert all(np.array_equal(m, w) for m, w in zip(masks, want_masks))


def test_outputs_alive_together_never_share_memory(cache_limit) -> None:
    A.set_buffer_cache_limit(256 << 20)
    compose = pipeline()
    outs = compose.batch(scenes(4), num_threads=2)
    arrays = [o["image"] for o in outs] + [i["mask"] for o in outs for i in o["instances"]]
    for i, a in enumerate(arrays):
        for b in arrays[i + 1 :]:
            assert not np.shares_memory(a, b)


def test_limit_bounds_what_the_cache_keeps(cache_limit) -> None:
    compose = pipeline()
    A.set_buffer_cache_limit(1 << 20)
    outs = [compose(**c) for c in scenes(3)]
    del outs
    gc.collect()
    assert 0 < A.buffer_cache_bytes() <= 1 << 20
    A.set_buffer_cache_limit(0)
    assert A.buffer_cache_bytes() == 0
    assert A.get_buffer_cache_limit() == 0


def test_limit_must_be_a_non_negative_integer(cache_limit) -> None:
    with pytest.raises(ValueError, match="bytes must be >= 0"):
        A.set_buffer_cache_limit(-1)
    with pytest.raises(TypeError):
        A.set_buffer_cache_limit("1GB")  # type: ignore[arg-type]


@pytest.mark.parametrize("count", [6, 45])
def test_output_planes_from_the_cache_and_from_one_shared_block(cache_limit, count) -> None:
    """Few planes come from the cache one by one; past 16 MiB in all (45 x 400 KiB) they share one
    fresh block. Either way each is the flipped input, and a plane outlives its siblings."""
    rng = np.random.default_rng(9)
    masks = (rng.random((count, SIZE, SIZE)) < 0.001).astype(np.uint8)
    masks[:, 100:140, 200:260] = 1
    instances = [
        {"mask": m, "bbox": np.array([0, 0, SIZE, SIZE], np.float32), "bbox_labels": {"class_name": "x"}}
        for m in masks
    ]
    image = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
    compose = A.Compose(
        [A.HorizontalFlip(p=1.0)],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["class_name"]),
        instance_binding=["masks", "bboxes"],
    )
    A.set_buffer_cache_limit(256 << 20)
    for _ in range(2):  # the second call gets recycled planes where the first returned them
        out = compose(image=image, instances=instances)
        assert len(out["instances"]) == count
        for inst, mask in zip(out["instances"], masks):
            np.testing.assert_array_equal(inst["mask"], mask[:, ::-1])
        last = out["instances"][-1]["mask"]
        scribble(out)
        del out
        gc.collect()
        assert int(last.sum()) == 255 * SIZE * SIZE  # still readable after its siblings went


def test_forked_workers_use_the_cache_while_the_parent_is_busy(cache_limit) -> None:
    """DataLoader workers fork: children forked while another thread runs samples (and takes and
    returns cached blocks) run samples of their own. The cache holds its lock across a fork, so a
    child never inherits it held; that window is too narrow for this test to hit reliably."""
    import os
    import threading
    import time

    A.set_buffer_cache_limit(256 << 20)
    compose = pipeline()
    work = scenes(2)
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            compose.batch(work, num_threads=1)

    thread = threading.Thread(target=busy)
    thread.start()
    try:
        for _ in range(5):
            pid = os.fork()
            if pid == 0:  # the child: one call, then out without running the parent's cleanup
                ok = len(compose(**work[0])["instances"]) > 0
                os._exit(0 if ok else 1)
            deadline = time.monotonic() + 30
            while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            if done[0] == 0:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                pytest.fail("the forked child hung")
            assert os.waitstatus_to_exitcode(done[1]) == 0
    finally:
        stop.set()
        thread.join()
