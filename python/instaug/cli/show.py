"""`instaug show`: a grid picture of augmented samples of a COCO dataset, each with its masks,
boxes and category names drawn (instaug.draw), to see what a pipeline does before training on it."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from instaug.cli.common import add_dataset_arguments, coco_dataset
from instaug.draw import draw_instances, grid


def add_show(commands: Any) -> None:
    command = commands.add_parser("show", help="draw augmented samples into one picture", description=__doc__)
    add_dataset_arguments(command)
    command.add_argument("--count", type=int, default=8, help="samples in the picture (default 8)")
    command.add_argument("--columns", type=int, default=None, help="columns of the grid (default: square)")
    command.add_argument("--original", action="store_true", help="put the unaugmented image first")
    command.add_argument("--out", required=True, help="the picture to write (PNG)")
    command.set_defaults(run=run)


def _named(instances: list[dict[str, Any]], names: dict[int, str]) -> list[dict[str, Any]]:
    """The instances with their category's name as the label drawn."""
    out = []
    for inst in instances:
        category = inst["bbox_labels"]["category_id"]
        out.append({**inst, "bbox_labels": {"category": names.get(category, str(category))}})
    return out


def run(arguments: argparse.Namespace) -> int:
    from PIL import Image

    if arguments.count < 1:
        raise ValueError(f"--count must be at least 1, got {arguments.count}")
    dataset = coco_dataset(arguments, mask_output="coco_rle")
    names = dataset.source.categories
    rng = np.random.default_rng(arguments.seed)
    samples = [dataset.source[0]] if arguments.original else []
    for k in range(arguments.count):
        dataset.set_epoch(k)
        samples.append(dataset[int(rng.integers(0, len(dataset)))])
    pictures = [
        draw_instances(s["image"], _named(s["instances"], names), bbox_format="coco") for s in samples
    ]
    Image.fromarray(grid(pictures, columns=arguments.columns)).save(arguments.out)
    print(f"{len(pictures)} samples -> {arguments.out}")
    return 0
