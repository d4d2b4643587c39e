"""Images read with Pillow (OpenCV's Python package is not a dependency) and a bounded cache of them
that stays per process."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path
from typing import Any, Callable

import numpy as np

# Ultralytics' image suffixes (HEIC aside: Pillow needs a plugin), so a folder lists what it trains on.
IMAGE_SUFFIXES = frozenset(
    {".bmp", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp", ".dng", ".mpo", ".pfm"}
)


def load_rgb(path: str | os.PathLike[str], exif_transpose: bool = True) -> np.ndarray:
    """An (H, W, 3) uint8 RGB array of the file. With `exif_transpose` the EXIF orientation is applied,
    as cv2.imread does (Ultralytics reads its images so, and its labels follow the turned image)."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        if exif_transpose:
            image = ImageOps.exif_transpose(image)
        return np.asarray(image.convert("RGB"))


class LruCache:
    """At most `capacity` values, the least recently used dropped first. Each process has its own:
    a forked DataLoader worker starts empty instead of sharing (and, through reference counts,
    copying page by page) what the parent held, and a pickled copy (spawn) carries no values, so the
    memory it can take is `capacity` values per worker. Values are made read-only: every caller
    shares them."""

    def __init__(self, capacity: int) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
            raise ValueError(f"cache capacity must be a non-negative integer, got {capacity!r}")
        self.capacity = capacity
        self._reset()

    def _reset(self) -> None:
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        # A lock a forked child inherits may be held by a thread that does not exist there: the
        # child makes its own (see _own).
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self.hits = 0
        self.misses = 0

    def _own(self) -> None:
        if self._pid != os.getpid():
            self._reset()

    def __len__(self) -> int:
        self._own()
        return len(self._values)

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value of `key`, made by `make()` (outside the lock: two threads may both make it)."""
        if self.capacity == 0:
            return make()
        self._own()
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                self.hits += 1
                return self._values[key]
            self.misses += 1
        value = make()
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.capacity:
                self._values.popitem(last=False)
        return value

    def __getstate__(self) -> dict[str, Any]:
        return {"capacity": self.capacity}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.capacity = state["capacity"]
        self._reset()


def image_files(directory: Path) -> list[Path]:
    """The image files under `directory` (its sub-folders too), in a stable order."""
    if not directory.is_dir():
        raise FileNotFoundError(f"image folder {str(directory)!r} does not exist")
    return sorted(p for p in directory.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
