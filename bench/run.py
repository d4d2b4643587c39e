"""The benchmark: instaug and albumentationsx side by side in one run, one thread each, 640 px.

- transforms: every transform alone and the seed pipeline, 14 objects per image, outputs consumed
  as a collate function does, against albumentationsx 2.2.6 (the last release that runs the seed
  pipeline at 640 px) and 2.5.1 (the test reference, in the main environment);
- scaling: the seed pipeline and a detection (bboxes + keypoints) pipeline at 0, 10, 50 and 200
  objects per image and on the coins photo, against 2.2.6 and the latest albumentationsx (which
  cannot run the seed pipeline at 640 px: its error is reported);
- batch: instaug's Compose.batch throughput on 1 and 2 threads;
- fusion: PSNR of fused and step-by-step geometry against an exactly computed warp;
- peers: YOLO-seg (Mosaic, CopyAndPaste, Affine, HSV, flip -> 1/4 index map), Affine + HSV + flip
  and the seed pipeline at 10 and 50 objects against albumentationsx 2.2.6, Ultralytics (its own
  augment classes) and torchvision transforms v2, every timed output consumed and sanity-checked;
- memory: peak memory of a 64-sample Compose.batch per mask_output form.

Writes bench/results/*.md, scaling.png and peers.png. The references and peers live in their own
virtual environments (bench/.venv-ref, .venv-latest, .venv-ultralytics, .venv-torchvision), made on
first use with torch 2.13.0 and opencv-python-headless (and Pillow, for the coins photo).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TORCH = "torch==2.13.0"  # as in the main environment: one wheel in pip's cache
REFERENCES = {
    "2.2.6": (HERE / ".venv-ref", [TORCH, "albumentationsx==2.2.6"]),
    "latest": (HERE / ".venv-latest", [TORCH, "albumentationsx"]),
    "ultralytics": (HERE / ".venv-ultralytics", [TORCH, "ultralytics==8.4.190"]),
    # torchvision 0.28.0 is the release that requires torch 2.13.0 (0.29 wants a later torch). Its
    # wheel is linked against PyPI's torch build, so "===" asks for exactly that one: a local CPU
    # build (2.13.0+cpu, which "==" accepts) leaves torchvision unable to import.
    "torchvision": (HERE / ".venv-torchvision", ["torch===2.13.0", "torchvision==0.28.0"]),
}


def ensure_reference(which: str) -> str:
    """The environment's Python, made on first use (a marker file records a finished install, so an
    interrupted one is completed next time)."""
    venv, requirements = REFERENCES[which]
    python, done = venv / "bin" / "python", venv / ".installed"
    if not done.exists():
        start = time.perf_counter()
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = [str(python), "-m", "pip", "install", "-q", *requirements]
        subprocess.run([*install, "opencv-python-headless", "pillow"], check=True)
        done.write_text(f"{time.perf_counter() - start:.0f} s to build\n")
        print(f"{venv.name}: built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return str(python)


def worker(python: str, library: str, *options: str) -> dict:
    out = subprocess.run(
        [python, str(HERE / "worker.py"), "--library", library, *options],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def script(python: str, path: str, *options: str) -> dict:
    """Runs a bench script in an environment; its last stdout line is its JSON result."""
    out = subprocess.run([python, str(HERE / path), *options], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def two_processes_throughput() -> float:
    """samples/s of two separate processes running the batch suite on one thread each, at once: what
    this machine's two cores give when nothing (GIL, allocator, address space) is shared."""
    command = [sys.executable, str(HERE / "worker.py"), "--library", "instaug"]
    command += ["--suite", "batch", "--threads", "1"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    total = 0.0
    for run in runs:
        out, _ = run.communicate()
        if run.returncode:
            raise subprocess.CalledProcessError(run.returncode, command)
        total += json.loads(out.strip().splitlines()[-1])["samples_per_s"]["1 threads"]
    return total


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if str(value).startswith("error: AttributeError: module 'albumentations' has no attribute"):
        return "absent"  # a transform added to the reference later
    return str(value).replace("|", "/")


def ratio(reference, ours) -> str:
    return f"{reference / ours:.1f}x" if isinstance(reference, float) and isinstance(ours, float) else "n/a"


def header(title: str, command: str) -> list[str]:
    return [
        f"# {title}",
        "",
        f"One thread each, median per sample, 640x640 RGB. Machine: {platform.machine()}, "
        f"{platform.processor() or 'cpu'}. Command: `{command}`",
        "",
    ]


def transforms_table(args) -> str:
    ours = worker(sys.executable, "instaug", "--objects", str(args.objects), "--calls", str(args.calls))
    options = ("--objects", str(args.objects), "--calls", str(args.calls))
    old = worker(ensure_reference("2.2.6"), "albumentations", *options)
    # The behaviour reference of the test suite (albumentationsx 2.5.1) lives in this environment.
    new = worker(sys.executable, "albumentations", *options)
    lines = header(
        f"Transforms alone and the seed pipeline, {args.objects} objects per image",
        f"python bench/run.py --objects {args.objects} --calls {args.calls}",
    )
    lines += [
        f"instaug {ours['version']} vs albumentationsx {old['version']} and {new['version']}. Geometric, "
        "dropout and mixing transforms run with masks+bboxes bound; pixel transforms on the image alone "
        "(they never touch rows); the '(grey image)' and '(label mask)' rows on a grey image and on the "
        "image and a plain label mask. Each call's output is consumed as a collate function does (the "
        "image copied into a batch, the masks stacked), inside the timer.",
        "",
        f"| transform | albx {old['version']} ms | albx {new['version']} ms | instaug ms "
        f"| vs {old['version']} | vs {new['version']} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, mine in ours["median_ms"].items():
        a, b = old["median_ms"].get(name), new["median_ms"].get(name)
        lines.append(f"| {name} | {fmt(a)} | {fmt(b)} | {fmt(mine)} | {ratio(a, mine)} | {ratio(b, mine)} |")
    return "\n".join(lines) + "\n"


def scaling_table(args) -> tuple[str, dict]:
    options = [
        "--suite",
        "scaling",
        "--calls",
        str(args.calls),
        "--object-counts",
        *map(str, args.object_counts),
    ]
    batch = worker(sys.executable, "instaug", "--suite", "batch")  # first, on a machine not yet busy
    separate = two_processes_throughput()
    ours = worker(sys.executable, "instaug", *options)
    old = worker(ensure_reference("2.2.6"), "albumentations", *options)
    latest = worker(ensure_reference("latest"), "albumentations", *options)
    lines = header("Scaling with objects per image", "python bench/run.py")
    lines += [
        f"instaug {ours['version']}, albumentationsx {old['version']} and {latest['version']} (latest).",
        "",
        f"| case | albx {old['version']} ms | albx {latest['version']} ms | instaug ms "
        f"| vs {old['version']} | vs {latest['version']} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, mine in ours["median_ms"].items():
        a, b = old["median_ms"].get(name), latest["median_ms"].get(name)
        lines.append(f"| {name} | {fmt(a)} | {fmt(b)} | {fmt(mine)} | {ratio(a, mine)} | {ratio(b, mine)} |")
    one, two = batch["samples_per_s"].get("1 threads"), batch["samples_per_s"].get("2 threads")
    lines += [
        "",
        "## instaug batch throughput (Compose.batch, seed pipeline, 10 objects)",
        "",
        "| threads | samples/s |",
        "|---:|---:|",
        *[f"| {k.split()[0]} | {v:.1f} |" for k, v in batch["samples_per_s"].items()],
        "",
        f"2 threads / 1 thread: {two / one:.2f}x" if one and two else "",
        "",
        f"Two separate processes on one thread each, at the same time: {separate:.1f} samples/s together,"
        f" {separate / one:.2f}x one thread: the most this machine's two cores give this workload."
        if one
        else "",
    ]
    lines += targets(ours["median_ms"], old["median_ms"], old["version"], two / one if one and two else None)
    return "\n".join(lines) + "\n", {"instaug": ours, "old": old, "latest": latest}


def targets(ours: dict, reference: dict, version: str, batch_gain: float | None) -> list[str]:
    """The issue's targets, checked against this run's figures (missing cases: not measured)."""
    ten, fifty = "seed pipeline, 10 objects", "seed pipeline, 50 objects"

    def measured(table: dict, case: str) -> float | None:
        value = table.get(case)
        return value if isinstance(value, float) else None  # an error string when a library failed

    def quotient(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b is not None else None

    speedup = {case: quotient(measured(reference, case), measured(ours, case)) for case in (ten, fifty)}
    growth = quotient(measured(ours, fifty), measured(ours, ten))
    rows = [
        (f"seed pipeline, 10 objects, vs albx {version}", speedup[ten], ">= 20x", lambda v: v >= 20),
        (f"seed pipeline, 50 objects, vs albx {version}", speedup[fifty], ">= 40x", lambda v: v >= 40),
        ("instaug time, 50 objects / 10 objects", growth, "<= 2x", lambda v: v <= 2),
        ("batch throughput, 2 threads / 1 thread", batch_gain, ">= 1.8x", lambda v: v >= 1.8),
    ]
    return target_lines(rows)


def target_lines(rows: list) -> list[str]:
    """Rows of (target, measured value or None, goal text, test) as the Targets table."""
    lines = ["", "## Targets", "", "| target | measured | goal | met |", "|---|---:|---:|---|"]
    for name, value, goal, met in rows:
        shown = f"{value:.2f}x" if value is not None else "n/a"
        verdict = "n/a" if value is None else ("yes" if met(value) else "no")
        lines.append(f"| {name} | {shown} | {goal} | {verdict} |")
    return lines


def fusion_table() -> str:
    """PSNR of fused and step-by-step geometry against the exact (analytic) warp."""
    import fusion_quality

    import instaug

    lines = [
        "# Fused geometry: PSNR against the exact warp",
        "",
        "A smooth analytic 256 px picture through chains of geometric transforms (all applied), seeds 0-4;"
        " the exact output is the picture's function at the chain's inverse map. Pixels filled by either"
        " variant are left out. Command: `python bench/run.py --suite fusion`",
        "",
        "| chain | seed | fused dB | step by step dB | gain dB |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, chain in fusion_quality.chains().items():
        for seed in range(5):
            s = fusion_quality.compare(instaug, chain, seed)
            lines.append(
                f"| {name} | {seed} | {s['fused']:.2f} | {s['step_by_step']:.2f} "
                f"| {s['fused'] - s['step_by_step']:.2f} |"
            )
    return "\n".join(lines) + "\n"


def plot(data: dict, counts: list[int]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label in (
        ("old", "albumentationsx 2.2.6"),
        ("latest", "albumentationsx latest"),
        ("instaug", "instaug"),
    ):
        times = [data[key]["median_ms"].get(f"seed pipeline, {n} objects") for n in counts]
        points = [(n, t) for n, t in zip(counts, times) if isinstance(t, float)]
        if points:
            ax.plot(*zip(*points), marker="o", label=label)
    ax.set_xlabel("objects per image")
    ax.set_ylabel("ms per sample (median, one thread)")
    ax.set_yscale("log")
    ax.set_title("Seed YOLO-style pipeline at 640 px")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(RESULTS / "scaling.png", dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=14)
    parser.add_argument("--object-counts", type=int, nargs="+", default=[0, 10, 50, 200])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument(
        "--suite",
        choices=["all", "transforms", "scaling", "fusion", "peers", "memory", "coco_masks"],
        default="all",
    )
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.suite in ("all", "transforms"):
        table = transforms_table(args)
        (RESULTS / f"transforms_{args.objects}_objects.md").write_text(table)
        print(table)
    if args.suite in ("all", "fusion"):
        table = fusion_table()
        (RESULTS / "fusion_psnr.md").write_text(table)
        print(table)
    if args.suite in ("all", "scaling"):
        table, data = scaling_table(args)
        (RESULTS / "scaling.md").write_text(table)
        plot(data, args.object_counts)
        print(table)
    if args.suite in ("all", "peers"):
        import peer_report

        results = peer_report.collect(args.calls)
        table = peer_report.table(results, args.calls)
        (RESULTS / "peers.md").write_text(table)
        peer_report.plot(results)
        print(table)
    if args.suite in ("all", "coco_masks"):
        import coco_masks

        table = coco_masks.table()
        (RESULTS / "coco_masks.md").write_text(table)
        print(table)
    if args.suite in ("all", "memory"):
        import peer_report

        table = peer_report.memory_table()
        (RESULTS / "memory.md").write_text(table)
        print(table)


if __name__ == "__main__":
    main()
