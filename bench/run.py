"""The benchmark: instaug and albumentationsx 2.2.6 side by side in one run, single thread,
640 px scenes. Writes bench/results/single_transforms.md and prints the table.

The reference runs in its own virtual environment (bench/.venv-ref), made on first use:
albumentationsx==2.2.6 (the last release that runs the seed pipeline at 640 px), torch==2.13.0 and
opencv-python-headless.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REF_VENV = HERE / ".venv-ref"
REF_PYTHON = REF_VENV / "bin" / "python"
REFERENCE = "albumentationsx==2.2.6"


def ensure_reference() -> None:
    if REF_PYTHON.exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(REF_VENV)], check=True)
    subprocess.run(
        [str(REF_PYTHON), "-m", "pip", "install", "-q", "torch==2.13.0", REFERENCE, "opencv-python-headless"],
        check=True,
    )


def worker(python: str, library: str, objects: int, calls: int) -> dict:
    out = subprocess.run(
        [
            python,
            str(HERE / "worker.py"),
            "--library",
            library,
            "--objects",
            str(objects),
            "--calls",
            str(calls),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=14)
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    ensure_reference()
    ours = worker(sys.executable, "instaug", args.objects, args.calls)
    theirs = worker(str(REF_PYTHON), "albumentations", args.objects, args.calls)
    lines = [
        f"# Transforms alone and the seed pipeline, 640x640 RGB, {args.objects} objects per image",
        "",
        "Geometric and mixing transforms run with masks+bboxes bound (instance_binding); pixel transforms "
        "on the image alone (they never touch rows).",
        "",
        f"instaug {ours['version']} vs albumentationsx {theirs['version']}, one thread each, median of "
        f"{args.calls} calls. Machine: {platform.machine()}, {platform.processor() or 'cpu'}. "
        f"Command: `python bench/run.py --objects {args.objects} --calls {args.calls}`",
        "",
        "| transform | albumentationsx ms | instaug ms | speed-up |",
        "|---|---:|---:|---:|",
    ]
    for name, mine in ours["median_ms"].items():
        ref = theirs["median_ms"].get(name)
        ratio = f"{ref / mine:.1f}x" if isinstance(ref, float) and isinstance(mine, float) else "n/a"
        lines.append(f"| {name} | {fmt(ref)} | {fmt(mine)} | {ratio} |")
    table = "\n".join(lines) + "\n"
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"transforms_{args.objects}_objects.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
