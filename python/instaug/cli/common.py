"""What the commands share: the dataset arguments, the pipeline rebuilt for COCO instances, and a
progress line."""

from __future__ import annotations

import argparse
import inspect
import sys
import time
from typing import Any

import instaug as A
from instaug.compose import Compose
from instaug.datasets import AugmentedDataset, CocoInstances

# What the commands read the instances as: boxes in COCO's format with the category and crowd flag
# as labels, masks bound to their rows.
LABEL_FIELDS = ["category_id", "iscrowd"]


def add_dataset_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--images", required=True, help="the folder of the COCO file's images")
    command.add_argument("--annotations", required=True, help="a COCO instances file (JSON)")
    command.add_argument("--pipeline", required=True, help="a pipeline file saved by A.save")
    command.add_argument("--seed", type=int, default=0, help="the seed of every draw (default 0)")
    command.add_argument("--threads", type=int, default=1, help="threads running the pipeline (default 1)")


def coco_pipeline(path: str, mask_output: str, seed: int) -> Compose:
    """The file's pipeline with its transforms and box rules, bound to COCO instances: masks and
    boxes per row, COCO boxes, the category and crowd flag as labels."""
    loaded = A.load(path)
    if not isinstance(loaded, Compose):
        loaded = Compose([loaded])
    accepted = inspect.signature(Compose.__init__).parameters
    arguments: dict[str, Any] = {k: v for k, v in loaded._arguments.items() if k in accepted}
    rules = loaded.bbox_params.to_dict_private() if loaded.bbox_params is not None else {}
    rules.update(coord_format="coco", label_fields=LABEL_FIELDS)
    rules.setdefault("clip_bboxes_on_input", True)
    arguments.update(
        bbox_params=rules,
        keypoint_params=None,
        instance_binding=["masks", "bboxes"],
        mask_output=mask_output,
        mask_output_ratio=1,
        polygon_format="coco",
    )
    return Compose(**arguments, seed=seed)


def coco_dataset(arguments: argparse.Namespace, mask_output: str, cache_images: int = 0) -> AugmentedDataset:
    source = CocoInstances(arguments.annotations, arguments.images)
    compose = coco_pipeline(arguments.pipeline, mask_output, arguments.seed)
    return AugmentedDataset(source, compose, seed=arguments.seed, cache_images=cache_images or False)


def check_threads(threads: int) -> int:
    if threads < 1:
        raise ValueError(f"--threads must be at least 1, got {threads}")
    return threads


class Progress:
    """`done/total` with the rate, rewritten in place on a terminal, every tenth elsewhere."""

    def __init__(self, total: int, what: str) -> None:
        self.total, self.what, self.done = total, what, 0
        self.start = time.perf_counter()
        self.terminal = sys.stderr.isatty()
        self.step = max(total // 10, 1)

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.terminal or self.done % self.step == 0 or self.done == self.total:
            rate = self.done / max(time.perf_counter() - self.start, 1e-9)
            line = f"{self.done}/{self.total} {self.what}, {rate:.1f}/s"
            print(f"\r{line}" if self.terminal else line, end="" if self.terminal else "\n", file=sys.stderr)
        if self.terminal and self.done == self.total:
            print(file=sys.stderr)
