"""Makes the bundled sample scene from scikit-image's `coins` photograph: one instance per coin.

Run once by a developer (needs scikit-image); the outputs are committed under data/:
  data/coins.png         the photo as RGB
  data/coins_labels.png  instance ids (0 = background, 1..N = coins)
Segmentation follows scikit-image's region-based coin example: a Sobel elevation map flooded by
watershed from confident background/coin markers, holes filled, small specks dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage as ndi
from skimage import data, filters, measure, morphology, segmentation

OUT = Path(__file__).resolve().parent.parent / "data"


def segment_coins(gray: np.ndarray) -> np.ndarray:
    elevation = filters.sobel(gray)
    markers = np.zeros_like(gray, dtype=np.int32)
    markers[gray < 30] = 1
    markers[gray > 150] = 2
    coins = segmentation.watershed(elevation, markers) == 2
    coins = ndi.binary_fill_holes(coins)
    coins = morphology.remove_small_objects(coins, max_size=60)
    labels = measure.label(coins)
    return labels.astype(np.uint8)


def main() -> None:
    gray = data.coins()
    labels = segment_coins(gray)
    OUT.mkdir(exist_ok=True)
    Image.fromarray(np.stack([gray] * 3, axis=-1)).save(OUT / "coins.png")
    Image.fromarray(labels).save(OUT / "coins_labels.png")
    print(f"{labels.max()} coins in a {gray.shape[1]}x{gray.shape[0]} photo -> {OUT}")


if __name__ == "__main__":
    main()
