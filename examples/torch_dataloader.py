"""Feeding a PyTorch training loop with instaug: the DataLoader hands the collate function a list of
call dicts and one Compose.batch call augments them on several threads (the C++ core releases the
GIL), deterministically per sample whatever the thread count.

    python examples/torch_dataloader.py --batches 3 --threads 2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, str(Path(__file__).resolve().parent))
import instaug as A  # noqa: E402

import scenes  # noqa: E402
import seed_pipeline  # noqa: E402


class SceneDataset(Dataset):
    """Each item is the keyword dict of one Compose call: a primary scene, three Mosaic
    neighbours and a few CopyAndPaste donors from the pool."""

    def __init__(self, pool: list[tuple[np.ndarray, list[dict]]], length: int) -> None:
        self.pool = pool
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict[str, Any]:
        others = [self.pool[(index + k) % len(self.pool)] for k in (1, 2, 3)]
        return seed_pipeline.call(self.pool[index % len(self.pool)], others, others[0], 3)


def make_transform(seed: int) -> A.Compose:
    return A.Compose(
        [
            A.Mosaic(target_size=(640, 640), cell_shape=(640, 640), p=1.0),
            A.Affine(
                scale=(0.9, 1.1), rotate=(-10, 10), shear=(-2, 2), translate_percent=(-0.05, 0.05), p=0.5
            ),
            A.CopyAndPaste(scale_range=(0.4, 1.0), blend_mode="gaussian", p=0.7),
            A.HorizontalFlip(p=0.5),
            A.HueSaturationValue(p=1.0),
            A.Normalize(),
            A.ToTensorV2(),
        ],
        bbox_params=A.BboxParams(coord_format="pascal_voc", label_fields=["class_name"], min_visibility=0.1),
        instance_binding=["masks", "bboxes"],
        seed=seed,
    )


class BatchCollate:
    """collate_fn: augment the whole batch in one threaded call, then stack the images."""

    def __init__(self, transform: A.Compose, num_threads: int) -> None:
        self.transform = transform
        self.num_threads = num_threads

    def __call__(self, calls: list[dict[str, Any]]) -> dict[str, Any]:
        outputs = self.transform.batch(calls, num_threads=self.num_threads)
        return {
            "images": torch.stack([o["image"] for o in outputs]),
            "masks": [
                torch.stack([i["mask"] for i in o["instances"]]) if o["instances"] else None for o in outputs
            ],
            "boxes": [torch.as_tensor(np.array([i["bbox"] for i in o["instances"]])) for o in outputs],
            "labels": [[i["bbox_labels"]["class_name"] for i in o["instances"]] for o in outputs],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    pool = [scenes.synthetic(rng, 10, 640) for _ in range(4)] + [scenes.coins(640)]
    loader = DataLoader(
        SceneDataset(pool, args.batches * args.batch_size),
        batch_size=args.batch_size,
        collate_fn=BatchCollate(make_transform(seed=0), args.threads),
    )
    for step, batch in enumerate(loader):
        counts = [len(labels) for labels in batch["labels"]]
        print(f"batch {step}: images {tuple(batch['images'].shape)}, objects per sample {counts}")


if __name__ == "__main__":
    main()
