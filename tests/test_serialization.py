"""Pipelines across processes: pickling and deep copies of Compose and of every transform."""

from __future__ import annotations

import copy
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pytest

import instaug as A
from instaug.transforms.base import registered_names

from helpers import calls, compose, default_transform, import_reference, make_scene


@pytest.mark.parametrize(
    "name", sorted(set(registered_names()) - {"Compose", "ReplayCompose", "ExternalTransform"})
)
def test_every_transform_pickles(name: str) -> None:
    t = default_transform(name)
    again = pickle.loads(pickle.dumps(t))
    assert type(again) is type(t) and again.to_core() == t.to_core()


def _pipeline(seed: int) -> A.Compose:
    return A.Compose(
        [
            A.OneOf([A.HorizontalFlip(p=1), A.Affine(rotate=(-20, 20), p=1)], p=0.9),
            A.SomeOf([A.RandomBrightnessContrast(p=1), A.GaussNoise(p=1)], n=1),
            A.Mosaic(target_size=(96, 128), cell_shape=(96, 128), p=0.5),
        ],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["class_name"]),
        instance_binding=["masks", "bboxes"],
        seed=seed,
    )


def _call() -> dict[str, Any]:
    scene = make_scene(np.random.default_rng(4), n=5)
    return {"image": scene.image, "instances": scene.instances, "mosaic_metadata": []}


def _images(compose: A.Compose, calls: int = 6) -> list[np.ndarray]:
    data = _call()
    return [compose(**data)["image"] for _ in range(calls)]


def test_a_pickled_compose_gives_the_same_outputs() -> None:
    # pickle.dumps(compose) raised "cannot pickle 'Pipeline' object".
    original = _images(_pipeline(11))
    for copied in (pickle.loads(pickle.dumps(_pipeline(11))), copy.deepcopy(_pipeline(11))):
        assert all(np.array_equal(a, b) for a, b in zip(original, _images(copied)))


def test_an_unseeded_compose_pickles_with_its_own_seed() -> None:
    compose = A.Compose([A.Affine(rotate=(-30, 30), p=1)])
    image = np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    copied = pickle.loads(pickle.dumps(compose))
    assert np.array_equal(compose(image=image)["image"], copied(image=image)["image"])


def _run_in_worker(payload: bytes) -> list[bytes]:
    compose = pickle.loads(payload)
    return [image.tobytes() for image in _images(compose, 3)]


def test_a_compose_runs_in_a_spawned_process() -> None:
    # DataLoader workers started by spawn (macOS, Windows) get the Compose pickled.
    payload = pickle.dumps(_pipeline(5))
    # Not a multiprocessing.Pool: a child that cannot start (an import failing there) made it
    # respawn workers forever; here the test fails instead of hanging.
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    try:
        remote = pool.submit(_run_in_worker, payload).result(timeout=300)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    assert remote == [image.tobytes() for image in _images(_pipeline(5), 3)]


class _Scenes:
    """A dataset of the same call over and over: what differs between items is the augmentation."""

    def __init__(self, pipeline: A.Compose) -> None:
        self.pipeline = pipeline
        self.call = calls(1, height=48, width=64)[0]

    def __len__(self) -> int:
        return 8

    def __getitem__(self, index: int) -> bytes:
        return self.pipeline(**self.call)["image"].tobytes()


def _through_dataloader(context: str, pipeline: A.Compose) -> list[bytes]:
    torch = import_reference("torch", needed_by="the DataLoader tests")
    torch.manual_seed(0)
    loader = torch.utils.data.DataLoader(
        _Scenes(pipeline), batch_size=None, num_workers=2, multiprocessing_context=context
    )
    return list(loader)


@pytest.mark.parametrize("context", ["spawn", "forkserver"])
def test_dataloader_workers_started_by_spawn_or_forkserver_draw_their_own_streams(context: str) -> None:
    # Each worker unpickled the same seeded Compose before torch made it a worker: both drew the
    # same stream, so items 0 and 1 (one per worker) were the same augmentation.
    pipeline = compose(
        [
            A.Affine(rotate=(-30, 30), p=1),
            A.Mosaic(target_size=(48, 64), cell_shape=(48, 64), p=0.7),
            A.RandomBrightnessContrast(p=0.5),
        ],
        seed=8,
    )
    items = _through_dataloader(context, pipeline)
    assert len(items) == 8
    worker_0, worker_1 = items[0::2], items[1::2]
    assert worker_0 != worker_1
    assert len(set(items)) > 4
    assert _through_dataloader(context, pipeline) == items  # torch.manual_seed reproduces an epoch
