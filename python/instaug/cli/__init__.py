"""The `instaug` command: augment a COCO dataset offline, picture what a pipeline does, time it.

    instaug augment --images DIR --annotations FILE --pipeline FILE --copies N --out DIR
    instaug show    --images DIR --annotations FILE --pipeline FILE --out PICTURE.png
    instaug bench   --images DIR --annotations FILE --pipeline FILE

The pipeline file is one A.save wrote; its transforms and box rules are run on the COCO instances
(masks and boxes bound per object, COCO boxes, category ids as labels).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from instaug.cli.augment import add_augment
from instaug.cli.bench import add_bench
from instaug.cli.show import add_show


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="instaug", description=__doc__.split("\n\n")[0])
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_augment(commands)
    add_show(commands)
    add_bench(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        return int(arguments.run(arguments) or 0)
    except (ValueError, TypeError, FileNotFoundError) as exc:
        print(f"instaug {arguments.command}: {exc}", file=sys.stderr)
        return 2
