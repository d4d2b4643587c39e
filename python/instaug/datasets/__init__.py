"""Datasets for training with instaug: COCO instance files and Ultralytics' YOLO label folders as
samples, and AugmentedDataset, a (PyTorch-compatible) map-style dataset that runs a Compose on them,
feeding Mosaic and CopyAndPaste from the dataset itself; `collate` batches its outputs."""

from instaug.datasets.augmented import AugmentedDataset
from instaug.datasets.coco import CocoInstances
from instaug.datasets.collate import collate
from instaug.datasets.yolo import YoloDataset

__all__ = ["AugmentedDataset", "CocoInstances", "YoloDataset", "collate"]
