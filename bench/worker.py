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
    import albumentations

    return workload.Lenient(albumentations), albumentations.__version__


def median_ms(run) -> float | str:
    try:
        return 1000 * statistics.median(run())
    except Exception as exc:  # a library that cannot run a case reports why
        return f"error: {type(exc).__name__}: {str(exc)[:120]}"


def scaling(A, args) -> dict:
    """The seed pipeline and the detection pipeline against objects per image, and a real scene."""
    out: dict = {}
    for n in args.object_counts:
        samples = workload.make_scenes(n)
        calls = max(5, args.calls // (1 + n // 50)) if args.library != "instaug" else args.calls
        out[f"seed pipeline, {n} objects"] = median_ms(
            lambda s=samples, c=calls: workload.time_case(
                A, workload.seed_transforms(A), s, c, inputs="metadata"
            )
        )
        out[f"detection pipeline (bboxes + keypoints), {n} objects"] = median_ms(
            lambda s=samples: workload.time_detection(A, s, args.calls)
        )
    real = workload.real_scenes()
    out["seed pipeline, coins photo (24 objects)"] = median_ms(
        lambda: workload.time_case(A, workload.seed_transforms(A), real, args.calls, inputs="metadata")
    )
    return out


def batch_throughput(A, args) -> dict:
    """instaug only: samples/s of Compose.batch on 1 and 2 threads, seed pipeline, 10 objects."""
    import time

    samples = workload.make_scenes(10)
    compose = A.Compose(
        workload.seed_transforms(A),
        bbox_params=workload.bbox_params(A),
        instance_binding=["masks", "bboxes"],
        seed=1,
    )
    calls = [workload.call_arguments(samples, i) for i in range(64)]
    compose.batch(calls[:8], 1)
    out = {}
    for threads in args.threads:
        best = float("inf")
        for _ in range(5):  # best of five: a shared machine's noise only ever slows a run down
            start = time.perf_counter()
            compose.batch(calls, threads)
            best = min(best, time.perf_counter() - start)
        out[f"{threads} threads"] = len(calls) / best
    return out


def memory_peak(A, args) -> dict:
    """instaug only: peak resident memory of one Compose.batch of 64 seed-pipeline calls (Mosaic
    neighbours and donors) with all 64 outputs alive, above this process's peak before the batch
    (after imports and scene creation), for one mask_output form."""
    import resource

    samples = workload.make_scenes(args.objects)
    form = args.mask_output
    compose = A.Compose(
        workload.seed_transforms(A),
        bbox_params=workload.bbox_params(A),
        instance_binding=["masks", "bboxes"],
        seed=1,
        mask_output=form,
        mask_output_ratio=4 if form == "index_map" else 1,
    )
    # Four distinct calls (one per scene) repeated: the inputs are shared, as a data set's would be,
    # and counted in the baseline.
    distinct = [workload.call_arguments(samples, i) for i in range(len(samples))]
    calls = [distinct[i % len(distinct)] for i in range(64)]
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    outputs = compose.batch(calls, 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    instances = sum(len(o["instances"]) for o in outputs) / len(outputs)
    return {"baseline_kib": baseline, "peak_kib": peak, "instances": instances, "samples": len(outputs)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", choices=["instaug", "albumentations"], required=True)
    parser.add_argument(
        "--suite", choices=["transforms", "scaling", "batch", "peers", "memory"], default="transforms"
    )
    parser.add_argument("--mask-output", default="per_row")
    parser.add_argument("--objects", type=int, default=14)
    parser.add_argument("--object-counts", type=int, nargs="+", default=[0, 10, 50, 200])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    A, version = load(args.library)
    if args.suite == "scaling":
        results = scaling(A, args)
        print(json.dumps({"library": args.library, "version": version, "median_ms": results}))
        return
    if args.suite == "memory":
        print(json.dumps({"library": args.library, "version": version, **memory_peak(A, args)}))
        return
    if args.suite == "peers":  # the libraries' chains against Ultralytics and torchvision (run.py)
        import peer_albumentations
        import peer_outputs

        results = peer_outputs.run_cases(peer_albumentations.cases(A, args.library == "instaug"), args.calls)
        print(json.dumps({"library": args.library, "version": version, **results}))
        return
    if args.suite == "batch":
        print(
            json.dumps(
                {"library": args.library, "version": version, "samples_per_s": batch_throughput(A, args)}
            )
        )
        return
    samples = workload.make_scenes(args.objects)
    results = {}
    groups = [
        ("instances", workload.single_transform_cases(A)),
        ("image", workload.pixel_cases(A)),
        ("grey", workload.grey_cases(A)),
        ("label_mask", workload.label_mask_cases(A)),
        ("metadata", workload.mixing_cases(A)),
    ]
    cases = [(name, transforms, inputs) for inputs, group in groups for name, transforms in group.items()]
    for name, transforms, inputs in cases:
        results[name] = median_ms(
            lambda t=transforms, i=inputs: workload.time_case(A, t, samples, args.calls, inputs=i)
        )
    print(
        json.dumps(
            {"library": args.library, "version": version, "objects": args.objects, "median_ms": results}
        )
    )


if __name__ == "__main__":
    main()
