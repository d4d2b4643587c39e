"""instaug: fast, row-consistent augmentation for instance segmentation, detection and pose.

`import instaug as A` gives the names of albumentationsx's instance-binding API.
"""

from instaug._core import set_num_threads
from instaug.compose import Compose
from instaug.geometric import (
    Affine,
    CenterCrop,
    Crop,
    HorizontalFlip,
    LongestMaxSize,
    PadIfNeeded,
    Perspective,
    RandomCrop,
    RandomResizedCrop,
    Resize,
    Rotate,
    SmallestMaxSize,
    VerticalFlip,
)
from instaug.mixing import CopyAndPaste, Mosaic
from instaug.params import BboxParams, KeypointParams

__version__ = "0.1.0"

__all__ = [
    "Affine",
    "BboxParams",
    "CenterCrop",
    "Compose",
    "CopyAndPaste",
    "Crop",
    "HorizontalFlip",
    "KeypointParams",
    "LongestMaxSize",
    "Mosaic",
    "PadIfNeeded",
    "Perspective",
    "RandomCrop",
    "RandomResizedCrop",
    "Resize",
    "Rotate",
    "SmallestMaxSize",
    "VerticalFlip",
    "set_num_threads",
]
