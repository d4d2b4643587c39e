"""instaug: fast, row-consistent augmentation for instance segmentation, detection and pose.

`import instaug as A` gives the names of albumentationsx's instance-binding API.
"""

from instaug._core import (
    buffer_cache_bytes,
    get_buffer_cache_limit,
    get_num_threads,
    set_buffer_cache_limit,
    set_num_threads,
)
from instaug.compose import Compose
from instaug.params import BboxParams, KeypointParams
from instaug.replay import ReplayCompose
from instaug.serialization import from_dict, load, save, to_dict
from instaug.transforms.base import DualTransform, ImageOnlyTransform
from instaug.transforms.compose import (
    NoOp,
    OneOf,
    OneOrOther,
    RandomOrder,
    SelectiveChannelTransform,
    Sequential,
    SomeOf,
)
from instaug.transforms.geometric import (
    D4,
    Affine,
    CenterCrop,
    Crop,
    HorizontalFlip,
    LongestMaxSize,
    PadIfNeeded,
    Perspective,
    RandomCrop,
    RandomResizedCrop,
    RandomRotate90,
    RandomScale,
    Resize,
    Rotate,
    SmallestMaxSize,
    SquareSymmetry,
    Transpose,
    VerticalFlip,
)
from instaug.transforms.mixing import CopyAndPaste, Mosaic
from instaug.transforms.pixel import (
    CLAHE,
    Blur,
    ChannelShuffle,
    ColorJitter,
    GaussianBlur,
    GaussNoise,
    HueSaturationValue,
    MedianBlur,
    MotionBlur,
    Normalize,
    RandomBrightnessContrast,
    RandomGamma,
    RGBShift,
    ToGray,
    ToTensorV2,
)
from instaug.transforms.python_transforms import Lambda

__version__ = "0.1.0"

__all__ = [
    "Affine",
    "BboxParams",
    "Blur",
    "CenterCrop",
    "ChannelShuffle",
    "CLAHE",
    "ColorJitter",
    "Compose",
    "CopyAndPaste",
    "DualTransform",
    "Crop",
    "D4",
    "GaussianBlur",
    "GaussNoise",
    "HorizontalFlip",
    "HueSaturationValue",
    "ImageOnlyTransform",
    "KeypointParams",
    "Lambda",
    "LongestMaxSize",
    "MedianBlur",
    "Mosaic",
    "MotionBlur",
    "NoOp",
    "Normalize",
    "OneOf",
    "OneOrOther",
    "PadIfNeeded",
    "Perspective",
    "RandomBrightnessContrast",
    "RandomCrop",
    "RandomGamma",
    "RandomOrder",
    "RandomResizedCrop",
    "RandomRotate90",
    "RandomScale",
    "ReplayCompose",
    "Resize",
    "RGBShift",
    "Rotate",
    "SelectiveChannelTransform",
    "Sequential",
    "buffer_cache_bytes",
    "from_dict",
    "get_buffer_cache_limit",
    "get_num_threads",
    "load",
    "save",
    "set_buffer_cache_limit",
    "set_num_threads",
    "SmallestMaxSize",
    "SomeOf",
    "SquareSymmetry",
    "ToGray",
    "ToTensorV2",
    "Transpose",
    "to_dict",
    "VerticalFlip",
]
