"""`instaug bench`: the pipeline's speed on the user's own COCO data - samples per second on one
thread and on --threads, images decoded beforehand (the pipeline alone) and with the outputs
consumed as a training loader consumes them (masks stacked into one array per sample)."""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from instaug.cli.common import add_dataset_arguments, check_threads, coco_dataset


def add_bench(commands: Any) -> None:
    command = commands.add_parser("bench", help="time the pipeline on a COCO dataset", description=__doc__)
    add_dataset_arguments(command)
    command.add_argument("--count", type=int, default=64, help="samples timed per run (default 64)")
    command.set_defaults(run=run)


def _consumed(sample: dict[str, Any]) -> int:
    """What a loader does with a sample: the image and the stacked masks read into a batch."""
    image = np.ascontiguousarray(sample["image"])
    masks = sample.get("masks")
    return int(image.nbytes + (0 if masks is None else np.ascontiguousarray(masks).nbytes))


def _rate(dataset: Any, indices: list[int], threads: int) -> float:
    def one(i: int) -> int:
        return _consumed(dataset[i])

    start = time.perf_counter()
    if threads == 1:
        for i in indices:
            one(i)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, indices))
    return len(indices) / (time.perf_counter() - start)


def run(arguments: argparse.Namespace) -> int:
    threads = check_threads(arguments.threads)
    if arguments.count < 1:
        raise ValueError(f"--count must be at least 1, got {arguments.count}")
    # The cache holds every timed image: they are decoded once, outside the timer.
    dataset = coco_dataset(arguments, mask_output="stacked", cache_images=arguments.count)
    indices = [i % len(dataset) for i in range(arguments.count)]
    for i in sorted(set(indices)):
        dataset[i]  # decode every image once (the cache keeps them) and warm the pipeline
    objects = np.mean([len(dataset.source[i]["instances"]) for i in sorted(set(indices))])
    print(f"{arguments.pipeline} on {len(set(indices))} images ({objects:.1f} objects each on average)")
    for count in sorted({1, threads}):
        rate = _rate(dataset, indices, count)
        threads_word = "thread " if count == 1 else "threads"
        print(f"  {count} {threads_word}: {rate:8.1f} samples/s  ({1000 / rate:.2f} ms/sample)")
    return 0
