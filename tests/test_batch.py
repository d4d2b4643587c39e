"""Compose.batch: outputs in order, the same as calling one by one, whatever the thread count."""

from __future__ import annotations

import numpy as np
import pytest

import instaug as A

from helpers import calls


def pipeline(seed: int) -> A.Compose:
    return A.Compose(
        [
            A.Mosaic(target_size=(96, 128), cell_shape=(96, 128), p=0.8),
            A.Affine(rotate=(-20, 20), scale=(0.8, 1.2), p=0.7),
            A.CopyAndPaste(scale_range=(0.5, 1.0), p=0.7),
            A.HorizontalFlip(p=0.5),
            A.HueSaturationValue(p=0.8),
            A.RandomBrightnessContrast(p=0.5),
        ],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["class_name", "color"]),
        instance_binding=["masks", "bboxes"],
        seed=seed,
    )


def same(a: dict, b: dict) -> bool:
    if not np.array_equal(a["image"], b["image"]) or len(a["instances"]) != len(b["instances"]):
        return False
    return all(
        np.array_equal(x["mask"], y["mask"])
        and np.array_equal(x["bbox"], y["bbox"])
        and x["bbox_labels"] == y["bbox_labels"]
        for x, y in zip(a["instances"], b["instances"])
    )


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_batch_equals_calls_one_by_one(threads) -> None:
    work = calls(12)
    one_by_one = pipeline(7)
    expected = [one_by_one(**c) for c in work]
    got = pipeline(7).batch(work, num_threads=threads)
    assert len(got) == len(expected)
    assert all(same(a, b) for a, b in zip(got, expected))


def test_batch_continues_the_sequence() -> None:
    work = calls(4)
    t, u = pipeline(3), pipeline(3)
    first = t.batch(work[:2], num_threads=2) + [t(**work[2])] + t.batch(work[3:], num_threads=2)
    assert all(same(a, u(**c)) for a, c in zip(first, work))


def test_batch_restores_kernel_threads() -> None:
    before = A.get_num_threads()
    pipeline(1).batch(calls(3), num_threads=2)
    assert A.get_num_threads() == before


@pytest.mark.parametrize(("value", "error"), [({"image": 1}, TypeError), ([1], TypeError)])
def test_batch_argument_errors(value, error) -> None:
    with pytest.raises(error):
        pipeline(0).batch(value)
    with pytest.raises(ValueError, match="num_threads"):
        pipeline(0).batch([], num_threads=0)
