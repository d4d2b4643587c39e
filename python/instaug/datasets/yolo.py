"""Ultralytics' YOLO label folders (detect, segment, pose) as samples for Compose."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from instaug.datasets._images import image_files, load_rgb

TASKS = ("detect", "segment", "pose")
_EXIF_ORIENTATION = 0x0112
_TURNED = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height


def _stored_size(path: Path) -> tuple[int, int]:
    """(height, width) of the image as load_rgb gives it, from the file's header alone."""
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
        if image.getexif().get(_EXIF_ORIENTATION, 1) in _TURNED:
            width, height = height, width
    return height, width


def _box_of(polygon: np.ndarray) -> list[float]:
    """The normalised (cx, cy, w, h) box around a normalised polygon, kept inside the image."""
    points = np.clip(polygon.reshape(-1, 2), 0.0, 1.0)
    (x0, y0), (x1, y1) = points.min(0), points.max(0)
    return [float((x0 + x1) / 2), float((y0 + y1) / 2), float(x1 - x0), float(y1 - y0)]


class YoloDataset:
    """The images under `image_dir` with Ultralytics' txt labels (the same relative path under
    `label_dir`, suffix .txt; a missing file means no objects), each as
    `{"image": (H, W, 3) uint8 RGB, "instances": [...], "image_id": relative path without suffix}`.

    An instance is `{"bbox": [cx, cy, w, h] normalised (BboxParams("yolo")), "bbox_labels":
    {"class_id": int}, "id": its line number}`, and by `task`:
    - "detect": lines `cls cx cy w h`;
    - "segment": lines `cls x1 y1 x2 y2 ...` (a normalised polygon): `"mask"` is that flat list
      (Compose(polygon_format="yolo")), the box its extent, as Ultralytics' segments2boxes makes
      it; a line of a box alone becomes the box's rectangle;
    - "pose": lines `cls cx cy w h px py [v] ...` with `kpt_shape=(K, 2 or 3)`: `"keypoints"` (K, 2)
      in pixels (KeypointParams("xy")) and `"keypoint_labels": {"visibility": [...]}` (the file's
      third value, 1.0 where it has none).
    Images are read with their EXIF orientation applied, as Ultralytics (cv2.imread) reads them."""

    bbox_format = "yolo"
    polygon_format = "yolo"

    def __init__(
        self,
        image_dir: str | os.PathLike[str],
        label_dir: str | os.PathLike[str],
        task: str = "detect",
        kpt_shape: tuple[int, int] | None = None,
    ) -> None:
        if task not in TASKS:
            raise ValueError(f"task must be one of {list(TASKS)}, got {task!r}")
        if task == "pose":
            if kpt_shape is None or len(kpt_shape) != 2 or kpt_shape[1] not in (2, 3) or kpt_shape[0] < 1:
                raise ValueError(f"task='pose' needs kpt_shape=(K, 2 or 3), got {kpt_shape!r}")
            kpt_shape = (int(kpt_shape[0]), int(kpt_shape[1]))
        self.task = task
        self.kpt_shape = kpt_shape
        self.image_dir = Path(image_dir)
        self.label_dir = Path(label_dir)
        self._files = [str(p.relative_to(self.image_dir)) for p in image_files(self.image_dir)]

    def __len__(self) -> int:
        return len(self._files)

    def _file(self, index: int) -> str:
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} images")
        return self._files[index]

    def image_id(self, index: int) -> str:
        return str(Path(self._file(index)).with_suffix("").as_posix())

    def load_image(self, index: int) -> np.ndarray:
        return load_rgb(self.image_dir / self._file(index))

    def load_target(self, index: int) -> dict[str, Any]:
        """Everything of sample `index` but its image: {"instances": [...], "image_id": ...}."""
        relative = Path(self._file(index))
        label_file = self.label_dir / relative.with_suffix(".txt")
        lines = label_file.read_text().splitlines() if label_file.is_file() else []
        size = _stored_size(self.image_dir / relative) if self.task == "pose" else None
        instances = []
        for number, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                values = np.array(line.split(), dtype=np.float64)
            except ValueError as exc:
                raise ValueError(f"{label_file}:{number + 1}: not a line of numbers: {line!r}") from exc
            instances.append(self._instance(values, number, f"{label_file}:{number + 1}", size))
        return {"instances": instances, "image_id": self.image_id(index)}

    def _instance(
        self, values: np.ndarray, number: int, where: str, size: tuple[int, int] | None
    ) -> dict[str, Any]:
        inst: dict[str, Any] = {"bbox_labels": {"class_id": int(values[0])}, "id": number}
        coords = values[1:]
        if self.task == "segment":
            if len(coords) == 4:  # a box alone: its rectangle
                cx, cy, w, h = coords
                x0, y0, x1, y1 = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
                coords = np.array([x0, y0, x1, y0, x1, y1, x0, y1])
            if len(coords) < 6 or len(coords) % 2:
                raise ValueError(
                    f"{where}: a segment line is `cls x1 y1 x2 y2 x3 y3 ...`, got {len(values)} values"
                )
            inst["mask"] = coords.tolist()
            inst["bbox"] = _box_of(coords)
            return inst
        expected = 4 if self.task == "detect" else 4 + self.kpt_shape[0] * self.kpt_shape[1]  # type: ignore[index]
        if len(coords) != expected:
            raise ValueError(f"{where}: a {self.task} line has 1 + {expected} values here, got {len(values)}")
        inst["bbox"] = coords[:4].tolist()
        if self.task == "pose":
            height, width = size  # type: ignore[misc]
            points = coords[4:].reshape(self.kpt_shape)
            inst["keypoints"] = points[:, :2] * np.array([width, height], dtype=np.float64)
            visibility = points[:, 2] if points.shape[1] == 3 else np.ones(len(points))
            inst["keypoint_labels"] = {"visibility": visibility.tolist()}
        return inst

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {"image": self.load_image(index), **self.load_target(index)}
