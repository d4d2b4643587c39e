"""The bundled sample data (data/coins.png and its instance labels) as a small COCO dataset for
the command line: the photo and its three mirror images, one RLE-annotated "coin" per object.

    python examples/coins_coco.py --out build/demo/coco   # -> images/*.png, annotations.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image

import instaug as A

DATA = Path(__file__).resolve().parent.parent / "data"
# The photo as it is and mirrored: four images, so that Mosaic has neighbours to draw.
VARIANTS = {"coins": (), "coins_lr": (1,), "coins_ud": (0,), "coins_rot180": (0, 1)}


def _annotation(mask: np.ndarray, image_id: int, annotation_id: int) -> dict:
    ys, xs = np.nonzero(mask)
    x0, y0 = int(xs.min()), int(ys.min())
    rle = A.mask_to_rle(mask)
    return {
        "id": annotation_id,
        "image_id": image_id,
        "category_id": 1,
        "iscrowd": 0,
        "bbox": [x0, y0, int(xs.max()) + 1 - x0, int(ys.max()) + 1 - y0],
        "area": int(mask.sum()),
        "segmentation": {"size": rle["size"], "counts": rle["counts"].decode("ascii")},
    }


def write(out: Path) -> Path:
    photo = np.asarray(Image.open(DATA / "coins.png").convert("RGB"))
    labels = np.asarray(Image.open(DATA / "coins_labels.png"))
    (out / "images").mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    for image_id, (name, axes) in enumerate(VARIANTS.items(), start=1):
        image, label = (np.flip(photo, axes), np.flip(labels, axes)) if axes else (photo, labels)
        Image.fromarray(np.ascontiguousarray(image)).save(out / "images" / f"{name}.png")
        height, width = image.shape[:2]
        images.append({"id": image_id, "file_name": f"{name}.png", "height": height, "width": width})
        for value in range(1, int(label.max()) + 1):
            mask = np.ascontiguousarray(label == value, dtype=np.uint8)
            if mask.any():
                annotations.append(_annotation(mask, image_id, len(annotations) + 1))
    path = out / "annotations.json"
    content = {"images": images, "annotations": annotations, "categories": [{"id": 1, "name": "coin"}]}
    path.write_text(json.dumps(content))
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    print(f"sample COCO dataset -> {write(Path(parser.parse_args().out))}")
