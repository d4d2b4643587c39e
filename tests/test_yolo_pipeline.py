"""The seed's YOLO-style pipeline at 640 px on hundreds of random samples: it runs, and every
output row is whole (non-empty mask inside the canvas, box around it, its own labels)."""

from __future__ import annotations

import numpy as np

import instaug as A

import scenes
import seed_pipeline


def test_seed_pipeline_runs_on_hundreds_of_samples() -> None:
    rng = np.random.default_rng(0)
    pool = [scenes.synthetic(rng, int(rng.integers(0, 25)), 640) for _ in range(6)]
    pool.append(scenes.coins(640))
    transform = seed_pipeline.compose(A, seed=137)
    rows = 0
    for _ in range(200):
        picks = rng.choice(len(pool), size=4, replace=False)
        others = [pool[k] for k in picks[1:]]
        out = transform(**seed_pipeline.call(pool[picks[0]], others, others[0], int(rng.integers(0, 5))))
        assert out["image"].shape == (640, 640, 3)
        for inst in out["instances"]:
            assert inst["mask"].shape == (640, 640) and inst["mask"].any()
            ys, xs = np.nonzero(inst["mask"])
            x1, y1, x2, y2 = inst["bbox"]
            assert 0 <= x1 < x2 <= 640 and 0 <= y1 < y2 <= 640
            assert x1 <= xs.min() + 3 and y1 <= ys.min() + 3 and x2 >= xs.max() - 2 and y2 >= ys.max() - 2
            assert isinstance(inst["bbox_labels"]["class_name"], str)
        rows += len(out["instances"])
    assert rows > 1000
