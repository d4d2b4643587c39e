"""run.py's peers and memory suites: each library in its own process and environment, one table with
every peer (bench/results/peers.md, peers.png) and instaug's peak memory per mask_output form
(bench/results/memory.md)."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from typing import Any, Callable

import run

LIBRARIES = ("instaug", "albx", "ultralytics", "torchvision")
FORMS = ("per_row", "stacked", "index_map", "coco_rle")
ALONE = ", recipe alone"  # torchvision's recipe without the box refit (reported under the table)


def measured(table: dict, case: str) -> float | None:
    value = table.get(case)
    return value if isinstance(value, float) else None  # an error string when a library failed


def quotient(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b is not None else None


def collect(calls: int) -> dict[str, dict]:
    """Every library's JSON for the peers suite, one process each, one after another."""
    options = ("--calls", str(calls))
    return {
        "instaug": run.worker(sys.executable, "instaug", "--suite", "peers", *options),
        "albx": run.worker(run.ensure_reference("2.2.6"), "albumentations", "--suite", "peers", *options),
        "ultralytics": run.script(run.ensure_reference("ultralytics"), "peer_ultralytics.py", *options),
        "torchvision": run.script(run.ensure_reference("torchvision"), "peer_torchvision.py", *options),
    }


def cases(data: dict[str, dict]) -> list[str]:
    """Every timed case in a stable order: instaug's cases first, then any only a peer runs."""
    names: list[str] = []
    for library in LIBRARIES:
        names += [n for n in data[library]["median_ms"] if n not in names and not n.endswith(ALONE)]
    return names


def cell(value: Any) -> str:
    return "-" if value is None else run.fmt(value)


def table(data: dict[str, dict], calls: int) -> str:
    ours, albx = data["instaug"], data["albx"]
    ul, tv = data["ultralytics"], data["torchvision"]
    lines = run.header("instaug against its peers", f"python bench/run.py --suite peers --calls {calls}")
    lines += [
        f"instaug {ours['version']}, albumentationsx {albx['version']}, Ultralytics {ul['version']}, "
        f"torchvision {tv['version']} (transforms v2), each in its own process and environment, on the "
        f"same synthetic scenes (workload.make_scenes, 4 scenes cycled), median of {calls} calls after "
        "5 warm-up calls.",
        "",
        "How each library's output is had and consumed (inside the timer): **instaug** makes the form "
        'itself (`Compose(mask_output="index_map", mask_output_ratio=4)` -> `out["index_map"]`, or '
        '`mask_output="stacked"` -> `out["masks"]`), boxes and class ids gathered from the instance '
        "dicts; **albumentationsx** returns one mask per instance: they are stacked, or painted into the "
        "1/4 index map as Ultralytics' polygons2masks_overlap does (cv2.resize INTER_LINEAR to 160 px, "
        "areas, largest first, smaller on top; boxes and classes reordered to match); **Ultralytics** "
        "is `dataset[i]` on an in-memory dataset (get_image_and_label, its transforms, Format with "
        "mask_ratio=4 and overlap: `img`, `masks[0]`, `bboxes`, `cls`); **torchvision** returns "
        "tv_tensors (Image, Mask (N, H, W), BoundingBoxes, labels). Then every array - image, masks or "
        "index map, boxes, classes - is copied into a batch of one (np.stack, or for tensors "
        ".contiguous().unsqueeze(0).clone()): one consume function per form, for everyone.",
        "",
        "Every timed output (and every warm-up output) is checked after its timer stops: a 640x640 uint8 "
        "image, as many boxes as classes as masks (index-map values 0..N), masks binary, every "
        "instance non-empty and inside its box (2 px tolerance; for the index map one 1/4 pixel "
        "and the box's rounding to that grid). A failed check shows as the error instead of a time. "
        "The 1/4 map cannot show every object: a small one, or a sliver of one left by a crop or a "
        "paste, can fall between its samples (for every library, Ultralytics' own Format too); such "
        "absences are counted (below the table) and fail the check only when a tenth of a sample's "
        "objects are gone.",
        "",
        "| case | form | instaug ms | albx ms | Ultralytics ms | torchvision ms | vs albx | vs Ultralytics "
        "| vs torchvision | objects out (i / a / U / t) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in cases(data):
        form = "index map 1/4" if "YOLO-seg" in name or "(index map)" in name else "stacked"
        times = [data[lib]["median_ms"].get(name) for lib in LIBRARIES]
        mine = measured(ours["median_ms"], name)
        ratios = [quotient(measured(data[lib]["median_ms"], name), mine) for lib in LIBRARIES[1:]]
        counts = [data[lib].get("instances", {}).get(name) for lib in LIBRARIES]
        lines.append(
            f"| {name.replace(' (index map)', '').replace(' (stacked)', '')} | {form} | "
            + " | ".join(cell(t) for t in times)
            + " | "
            + " | ".join("-" if r is None else f"{r:.1f}x" for r in ratios)
            + " | "
            + " / ".join("-" if c is None else f"{c:.1f}" for c in counts)
            + " |"
        )
    lines += notes(data)
    lines += run.target_lines(target_rows(data))
    return "\n".join(lines) + "\n"


def notes(data: dict[str, dict]) -> list[str]:
    lines = ["", "Objects absent from the 1/4 index map (mean per output):", ""]
    for library in LIBRARIES:
        gone = {n: v for n, v in data[library].get("vanished", {}).items() if v}
        shown = ", ".join(f"{n}: {v:.2f}" for n, v in gone.items()) or "none"
        lines.append(f"- {library}: {shown}")
    failed = [
        f"- {library}, {name}: {ms:.2f} ms"
        for library in LIBRARIES
        for name, ms in data[library].get("passing_ms", {}).items()
        if not name.endswith(ALONE)
    ]
    if failed:
        lines += [
            "",
            "Cases whose outputs failed the checks (the table shows the first failure), the "
            "median of their passing calls, for orientation only:",
            "",
            *failed,
        ]
    alone = {n: v for n, v in data["torchvision"]["median_ms"].items() if n.endswith(ALONE)}
    passing = data["torchvision"].get("passing_ms", {})
    if alone:
        lines += [
            "",
            "torchvision's recipe alone (RandomAffine, ColorJitter, RandomHorizontalFlip, "
            "SanitizeBoundingBoxes) keeps each input box's affine image, so an object moved off the "
            "canvas while a corner of its turned box stays on it keeps a box and an empty mask. The "
            "table's torchvision times include the step that fixes it (boxes refitted to the masks "
            "with torchvision.ops.masks_to_boxes before SanitizeBoundingBoxes); without it:",
            "",
            *[
                f"- {n}: {cell(v)}"
                + (f" (passing calls' median {p:.2f} ms)" if (p := passing.get(n)) else "")
                for n, v in alone.items()
            ],
        ]
    return lines


def target_rows(data: dict[str, dict]) -> list[tuple[str, float | None, str, Callable[[float], bool]]]:
    """The issue's targets for this suite, measured in this run."""
    ours = data["instaug"]["median_ms"]

    def speedup(library: str, case: str) -> float | None:
        return quotient(measured(data[library]["median_ms"], case), measured(ours, case))

    version = data["albx"]["version"]
    at_least_5, at_least_25 = (">= 5x", lambda v: v >= 5), (">= 25x", lambda v: v >= 25)
    out = []
    for case, library, goal in (
        ("YOLO-seg", "ultralytics", at_least_5),
        ("seed pipeline", "albx", at_least_25),
        ("YOLO-seg", "albx", at_least_25),
    ):
        peer = "Ultralytics" if library == "ultralytics" else f"albx {version}"
        for n in (10, 50):
            value = speedup(library, f"{case}, {n} objects")
            out.append((f"{case}, {n} objects, vs {peer}", value, *goal))
    for case in ("YOLO-seg", "seed pipeline"):
        growth = quotient(measured(ours, f"{case}, 50 objects"), measured(ours, f"{case}, 10 objects"))
        out.append((f"instaug {case} time, 50 objects / 10 objects", growth, "<= 2x", lambda v: v <= 2))
    affine = "Affine + HSV + flip, 50 objects (stacked)"
    out.append((f"{affine}, vs torchvision v2", speedup("torchvision", affine), ">= 30x", lambda v: v >= 30))
    return out


def plot(data: dict[str, dict]) -> None:
    """Grouped bars, log scale: ms per library per case."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    names = cases(data)
    labels = {
        "instaug": "instaug",
        "albx": f"albumentationsx {data['albx']['version']}",
        "ultralytics": f"Ultralytics {data['ultralytics']['version']}",
        "torchvision": f"torchvision {data['torchvision']['version']}",
    }
    fig, ax = plt.subplots(figsize=(11, 5))
    width = 0.8 / len(LIBRARIES)
    for k, library in enumerate(LIBRARIES):
        times = [measured(data[library]["median_ms"], n) for n in names]
        xs = [i + (k - (len(LIBRARIES) - 1) / 2) * width for i, t in enumerate(times) if t is not None]
        ax.bar(xs, [t for t in times if t is not None], width, label=labels[library])
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels([n.replace(" objects", "").replace(", ", "\n", 1) for n in names], fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("ms per sample (median, one thread, output consumed)")
    ax.set_title("instaug and its peers at 640 px")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(run.RESULTS / "peers.png", dpi=110)


def memory_table() -> str:
    """Peak memory of a 64-sample Compose.batch per mask_output form, each in a fresh process."""
    lines = [
        "# Peak memory of Compose.batch per mask output form",
        "",
        f"instaug, one thread, 640x640 RGB. Machine: {platform.machine()}. Command: "
        "`python bench/run.py --suite memory`",
        "",
        "`compose.batch(calls, 1)` with 64 calls of the seed pipeline (Mosaic neighbours and five "
        "CopyAndPaste donors, workload.call_arguments; four distinct calls repeated), all 64 outputs "
        "kept alive until the peak is read. Peak: ru_maxrss of a fresh process after the batch minus "
        'its ru_maxrss before it (after imports, scene and call creation). "index_map" at ratio 4 '
        '(160x160); "coco_rle": each instance\'s "mask" a COCO RLE dict.',
        "",
        "The 64 output images alone take 75 MiB (64 x 1200 KiB): the floor of every form.",
        "",
        "| objects | mask_output | peak above baseline MiB | per sample KiB | objects per output |",
        "|---:|---|---:|---:|---:|",
    ]
    for n in (10, 50):
        for form in FORMS:
            command = [sys.executable, str(run.HERE / "worker.py"), "--library", "instaug"]
            command += ["--suite", "memory", "--objects", str(n), "--mask-output", form]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode:
                error = (result.stderr.strip().splitlines() or ["failed"])[-1][:160].replace("|", "/")
                lines.append(f"| {n} | {form} | error: {error} | | |")
                continue
            r = json.loads(result.stdout.strip().splitlines()[-1])
            peak = r["peak_kib"] - r["baseline_kib"]
            lines.append(
                f"| {n} | {form} | {peak / 1024:.1f} | {peak / r['samples']:.0f} | {r['instances']:.1f} |"
            )
    return "\n".join(lines) + "\n"
