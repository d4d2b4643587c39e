"""Fused geometry: consecutive geometric steps resample the image once. Rows (boxes, masks,
survival) are exactly those of the step-by-step run; the image is closer to the exact warp."""

from __future__ import annotations

import fusion_quality
import numpy as np
import pytest

import instaug as A

from helpers import make_scene


@pytest.mark.parametrize("name", sorted(fusion_quality.chains()))
def test_fused_chain_is_closer_to_the_exact_warp(name: str) -> None:
    scores = fusion_quality.compare(A, fusion_quality.chains()[name], seed=0)
    assert scores["pixels"] > 20000
    # One bilinear resampling instead of two or more: several dB closer to the analytic answer.
    assert scores["fused"] > scores["step_by_step"] + 3.0


def geometric_chain() -> list:
    return [
        A.Affine(scale=(0.8, 1.2), rotate=(-25, 25), shear=(-5, 5), translate_percent=(-0.2, 0.2), p=0.8),
        A.Perspective(scale=(0.03, 0.08), keep_size=True, p=0.8),
        A.HorizontalFlip(p=0.5),
        A.Rotate(angle_range=(-30, 30), p=0.5),
        A.RandomCrop(80, 90, p=0.5),
    ]


def run(scene, seed: int, fused: bool, monkeypatch) -> dict:
    if fused:
        monkeypatch.delenv("INSTAUG_NO_FUSION", raising=False)
    else:
        monkeypatch.setenv("INSTAUG_NO_FUSION", "1")
    compose = A.Compose(
        geometric_chain(),
        bbox_params=A.BboxParams(coord_format="pascal_voc", label_fields=["class_name"], min_visibility=0.3),
        instance_binding=["masks", "bboxes"],
        seed=seed,
    )
    return compose(image=scene.image, instances=scene.instances)


@pytest.mark.parametrize("seed", range(12))
def test_fusion_keeps_rows_and_changes_pixels_little(seed: int, monkeypatch) -> None:
    scene = make_scene(np.random.default_rng(seed), n=8)
    fused = run(scene, seed, True, monkeypatch)
    stepwise = run(scene, seed, False, monkeypatch)
    assert [i["id"] for i in fused["instances"]] == [i["id"] for i in stepwise["instances"]]
    for a, b in zip(fused["instances"], stepwise["instances"]):
        np.testing.assert_array_equal(a["bbox"], b["bbox"])
        np.testing.assert_array_equal(a["mask"], b["mask"])
    assert fused["image"].shape == stepwise["image"].shape
    difference = np.abs(fused["image"].astype(int) - stepwise["image"].astype(int))
    # Interpolation differences, and canvas rims: hard in the fused output, blended step by step.
    assert difference.mean() < 4.0


def test_fusion_is_on_by_default_and_can_be_switched_off(monkeypatch) -> None:
    scene = make_scene(np.random.default_rng(1), n=3)
    chain = [A.Affine(rotate=(13, 13), p=1.0), A.Perspective(scale=(0.05, 0.05), p=1.0)]
    outputs = []
    for fused in (True, False):
        if fused:
            monkeypatch.delenv("INSTAUG_NO_FUSION", raising=False)
        else:
            monkeypatch.setenv("INSTAUG_NO_FUSION", "1")
        outputs.append(A.Compose(chain, seed=4)(image=scene.image)["image"])
    assert not np.array_equal(*outputs)
