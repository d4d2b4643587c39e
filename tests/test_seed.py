"""Seeding: same seed, same sequence; calls differ; set_random_seed restarts; threads do not matter."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

import instaug as A

IMAGE = np.random.default_rng(0).integers(0, 255, (64, 80, 3), dtype=np.uint8)


def pipeline(seed):
    return A.Compose(
        [
            A.RandomCrop(48, 64),
            A.Affine(rotate=(-30, 30), scale=(0.8, 1.2), p=0.7),
            A.Perspective(scale=(0.02, 0.08), p=0.5),
            A.HorizontalFlip(),
        ],
        seed=seed,
    )


def run(t, n):
    return [t(image=IMAGE)["image"] for _ in range(n)]


def test_same_seed_same_sequence() -> None:
    a, b = run(pipeline(5), 6), run(pipeline(5), 6)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_calls_differ() -> None:
    outs = run(pipeline(5), 6)
    assert len({o.tobytes() for o in outs}) > 3


def test_other_seed_other_sequence() -> None:
    a, b = run(pipeline(5), 4), run(pipeline(6), 4)
    assert not all(np.array_equal(x, y) for x, y in zip(a, b))


def test_set_random_seed_restarts() -> None:
    t = pipeline(5)
    first = run(t, 3)
    t.set_random_seed(5)
    assert all(np.array_equal(x, y) for x, y in zip(first, run(t, 3)))


def test_thread_count_does_not_change_the_outputs() -> None:
    sequential = {o.tobytes() for o in run(pipeline(9), 24)}
    t = pipeline(9)
    with ThreadPoolExecutor(4) as pool:
        threaded = {o.tobytes() for o in pool.map(lambda _: t(image=IMAGE)["image"], range(24))}
    assert threaded == sequential
