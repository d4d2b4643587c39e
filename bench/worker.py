"""Runs the workload with one library in the current environment; prints JSON medians (ms)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import workload  # noqa: E402


def load(library: str):
    if library == "instaug":
        import instaug as A

        A.set_num_threads(1)
        return A, A.__version__
    import cv2

    cv2.setNumThreads(1)
    import albumentations as A

    return A, A.__version__


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", choices=["instaug", "albumentations"], required=True)
    parser.add_argument("--objects", type=int, default=14)
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    A, version = load(args.library)
    samples = workload.make_scenes(args.objects)
    results = {}
    groups = [
        ("instances", workload.single_transform_cases(A)),
        ("image", workload.pixel_cases(A)),
        ("metadata", workload.mixing_cases(A)),
    ]
    cases = [(name, transforms, inputs) for inputs, group in groups for name, transforms in group.items()]
    for name, transforms, inputs in cases:
        try:
            times = workload.time_case(A, transforms, samples, args.calls, inputs=inputs)
            results[name] = 1000 * statistics.median(times)
        except Exception as exc:  # a library that cannot run a case reports why
            results[name] = f"error: {type(exc).__name__}: {str(exc)[:120]}"
    print(
        json.dumps(
            {"library": args.library, "version": version, "objects": args.objects, "median_ms": results}
        )
    )


if __name__ == "__main__":
    main()
