"""The buffer cache: big output and scratch buffers come back for reuse, and a reused buffer never
shows what it held before, even after the caller wrote into it."""

from __future__ import annotations

import gc
import json
import os
import platform
import signal
import subprocess
import sys

import numpy as np
import pytest

import instaug as A

from helpers import calls

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


# A fork while another thread holds the cache's lock, made certain rather than hoped for. In a
# subprocess: a thread takes the lock itself (ctypes: the std::mutex at the start of the State that
# BufferCache::state() returns), and the main thread forks through libc's fork() (ctypes releases
# the GIL; os.fork would keep it, and the holder could then never run). The holder waits until the
# lock's futex word says that someone waits for it (glibc: 0 free, 1 held, 2 held with waiters):
# only the fork's prepare handler can be waiting, so the fork is provably inside the window. Then it
# lets go inside pthread_cond_timedwait, which releases the lock and sleeps without taking the GIL,
# so no Python thread runs until the fork is done. The child then uses the cache (it would hang on a
# lock inherited held); the parent does too (the parent handler must have released it).
FORK_SCRIPT = r"""
import ctypes, json, os, sys, threading, time
import numpy as np
import instaug as A
import instaug._core

core = ctypes.CDLL(instaug._core.__file__)
libc = ctypes.CDLL(None, use_errno=True)
result = {}
try:
    instance = core["_ZN7instaug11BufferCache8instanceEv"]
    state = core["_ZNK7instaug11BufferCache5stateEv"]
except AttributeError as error:
    print(json.dumps({"error": f"the core no longer exports BufferCache::instance/state: {error}"}))
    sys.exit(0)
instance.restype = state.restype = ctypes.c_void_p
state.argtypes = [ctypes.c_void_p]
lock = state(instance())  # std::mutex is State's first member: a pthread_mutex_t
word = ctypes.c_int.from_address(lock)  # glibc's futex word, the mutex's first field
cond = ctypes.create_string_buffer(64)  # a pthread_cond_t, all zero: PTHREAD_COND_INITIALIZER

class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]

SIZE = 640  # 400 KiB planes: cached
image = np.zeros((SIZE, SIZE, 3), np.uint8)
mask = np.zeros((SIZE, SIZE), np.uint8)
mask[100:200, 150:300] = 1
compose = A.Compose([A.HorizontalFlip(p=1.0)], bbox_params=A.BboxParams("pascal_voc"),
                    instance_binding=["masks", "bboxes"])

def sample():
    # Takes blocks from the cache, returns them, and reads the cache's size: three times the lock.
    out = compose(image=image, instances=[{"mask": mask, "bbox": np.array([150, 100, 300, 200], np.float32)}])
    ok = np.array_equal(out["instances"][0]["mask"], mask[:, ::-1])
    del out
    return ok and A.buffer_cache_bytes() > 0

A.set_buffer_cache_limit(256 << 20)
result["before"] = sample()
result["free_word"] = word.value
held, forked = threading.Event(), threading.Event()

def holder():
    libc.pthread_mutex_lock(ctypes.c_void_p(lock))
    result["held_word"] = word.value
    held.set()
    deadline = time.monotonic() + 60
    while word.value != 2 and not forked.is_set() and time.monotonic() < deadline:
        time.sleep(0.001)
    result["fork_waited_for_the_lock"] = word.value == 2
    if result["fork_waited_for_the_lock"]:
        until = Timespec(int(time.time()) + 60, 0)
        libc.pthread_cond_timedwait(cond, ctypes.c_void_p(lock), ctypes.byref(until))  # takes it back
    libc.pthread_mutex_unlock(ctypes.c_void_p(lock))

thread = threading.Thread(target=holder)
thread.start()
held.wait()
start = time.monotonic()
pid = libc.fork()
if pid == 0:  # the child: one sample, then out without running the parent's cleanup
    code = 1
    try:
        code = 0 if sample() else 1
    finally:
        os._exit(code)
if pid < 0:
    raise OSError(ctypes.get_errno(), "fork failed")
result["fork_seconds"] = round(time.monotonic() - start, 3)
forked.set()
libc.pthread_cond_signal(cond)
thread.join()
deadline = time.monotonic() + 30
while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
    time.sleep(0.01)
if done[0] == 0:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    result["child"] = "hung"
else:
    result["child"] = os.waitstatus_to_exitcode(done[1])
result["parent_after"] = sample()
print(json.dumps(result))
"""


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="holds the cache's lock through glibc's pthread_mutex_t layout",
)
def test_fork_while_another_thread_holds_the_cache_lock() -> None:
    """DataLoader workers fork while other threads may be inside the cache. The cache holds its lock
    across a fork (pthread_atfork), so the fork waits for the holder and the child never inherits
    the lock held. Forked here while another thread provably holds it (see FORK_SCRIPT)."""
    process = subprocess.Popen(
        [sys.executable, "-c", FORK_SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a hung child goes with it
    )
    try:
        stdout, stderr = process.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        stdout = None
    if stdout is None:
        pytest.fail("the process hung: after the fork the parent's cache lock was never released?")
    assert process.returncode == 0, stderr
    result = json.loads(stdout.strip().splitlines()[-1])
    assert "error" not in result, result["error"]
    assert (result["free_word"], result["held_word"]) == (0, 1), f"not glibc's mutex layout: {result}"
    assert result["fork_waited_for_the_lock"], f"the fork went on while another thread held the lock {result}"
    assert result["child"] == 0, f"the forked child hung or failed {result}"
    assert result["before"] and result["parent_after"], result
