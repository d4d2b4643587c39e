"""What the benchmark measures, written once for both libraries: `A` is either instaug or
albumentations (albumentationsx), imported by the worker in its own environment."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import scenes  # noqa: E402
import seed_pipeline  # noqa: E402

SIZE = 640


def make_scenes(n_objects: int, count: int = 4, seed: int = 0) -> list[tuple[np.ndarray, list[dict]]]:
    rng = np.random.default_rng(seed)
    return [scenes.synthetic(rng, n_objects, SIZE) for _ in range(count)]


def real_scenes() -> list[tuple[np.ndarray, list[dict]]]:
    """The coins photo at 640 px (24 objects), mirrored and flipped for four distinct samples."""
    image, instances = scenes.coins(SIZE)
    out = []
    for flip in (None, 1, 0, -1):
        if flip is None:
            out.append((image, instances))
            continue
        axes = {1: (1,), 0: (0,), -1: (0, 1)}[flip]
        flipped = [dict(i, mask=np.ascontiguousarray(np.flip(i["mask"], axes))) for i in instances]
        for i in flipped:
            ys, xs = np.nonzero(i["mask"])
            i["bbox"] = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], np.float32)
        out.append((np.ascontiguousarray(np.flip(image, axes)), flipped))
    return out


def seed_transforms(A: Any) -> list:
    return seed_pipeline.transforms(A)


def detection_pipeline(A: Any) -> list:
    """A detection / pose pipeline: boxes and keypoints bound, no masks."""
    return [
        A.RandomResizedCrop(size=(512, 512), scale=(0.5, 1.0), p=1.0),
        A.HorizontalFlip(p=0.5),
        A.Affine(scale=(0.9, 1.1), rotate=(-10, 10), p=0.5),
        A.RandomBrightnessContrast(p=0.5),
    ]


def pose_instances(instances: list[dict]) -> list[dict]:
    """Boxes with five keypoints each (corners and centre), labels per keypoint."""
    out = []
    for inst in instances:
        x1, y1, x2, y2 = (float(v) for v in inst["bbox"])
        points = np.array(
            [[x1, y1], [x2 - 1, y1], [x2 - 1, y2 - 1], [x1, y2 - 1], [(x1 + x2) / 2, (y1 + y2) / 2]],
            np.float32,
        )
        out.append(
            {
                "bbox": inst["bbox"],
                "keypoints": points,
                "bbox_labels": dict(inst["bbox_labels"]),
                "keypoint_labels": {"part": ["tl", "tr", "br", "bl", "c"]},
            }
        )
    return out


def time_detection(A: Any, samples: list, calls: int, warmup: int = 3) -> list[float]:
    compose = A.Compose(
        detection_pipeline(A),
        bbox_params=bbox_params(A),
        keypoint_params=A.KeypointParams(coord_format="xy", label_fields=["part"]),
        instance_binding=["bboxes", "keypoints"],
        seed=137,
    )
    arguments = [{"image": image, "instances": pose_instances(instances)} for image, instances in samples]
    return time_calls(compose, arguments, calls, warmup)


def consume(out: dict) -> None:
    """What a data loader's collate does with a sample: copies the image into the batch and stacks
    the masks (every byte read), so that no cost deferred by the library escapes the timer."""
    np.stack([out["image"]])
    if out.get("instances"):
        masks = [inst["mask"] for inst in out["instances"] if "mask" in inst]
    else:
        masks = [] if out.get("masks") is None else list(out["masks"])
        if out.get("mask") is not None:
            masks.append(out["mask"])
    if masks:
        np.stack(masks)


def time_calls(compose: Any, arguments: list[dict], calls: int, warmup: int) -> list[float]:
    """Seconds per call, output consumed, for `calls` calls cycling over the argument dicts, after a
    warm-up."""
    for i in range(warmup):
        consume(compose(**arguments[i % len(arguments)]))
    times = []
    for i in range(calls):
        start = time.perf_counter()
        consume(compose(**arguments[i % len(arguments)]))
        times.append(time.perf_counter() - start)
    return times


def _same(value: Any, **params: Any) -> Any:
    return value


def single_transform_cases(A: Any) -> dict[str, list]:
    return {
        "HorizontalFlip": [A.HorizontalFlip(p=1.0)],
        "VerticalFlip": [A.VerticalFlip(p=1.0)],
        "Transpose": [A.Transpose(p=1.0)],
        "RandomRotate90": [A.RandomRotate90(p=1.0)],
        "D4": [A.D4(p=1.0)],
        "RandomCrop 512": [A.RandomCrop(height=512, width=512, p=1.0)],
        "CenterCrop 512": [A.CenterCrop(height=512, width=512, p=1.0)],
        "Resize 512": [A.Resize(height=512, width=512, p=1.0)],
        "LongestMaxSize 1024": [A.LongestMaxSize(max_size=1024, p=1.0)],
        "LetterBox 512x384": [A.LetterBox(size=(384, 512), p=1.0)],
        "PadIfNeeded 800": [A.PadIfNeeded(min_height=800, min_width=800, p=1.0)],
        "Pad 32": [A.Pad(padding=32, p=1.0)],
        "CropAndPad": [A.CropAndPad(percent=(-0.1, 0.1), p=1.0)],
        "RandomCropFromBorders": [A.RandomCropFromBorders(p=1.0)],
        "BBoxSafeRandomCrop": [A.BBoxSafeRandomCrop(erosion_rate=0.2, p=1.0)],
        "RandomSizedBBoxSafeCrop 512": [A.RandomSizedBBoxSafeCrop(height=512, width=512, p=1.0)],
        "BBoxSubsetSafeRandomCrop": [A.BBoxSubsetSafeRandomCrop(p=1.0)],
        "AtLeastOneBBoxRandomCrop 512": [A.AtLeastOneBBoxRandomCrop(height=512, width=512, p=1.0)],
        "CropNonEmptyMaskIfExists 512": [A.CropNonEmptyMaskIfExists(height=512, width=512, p=1.0)],
        "RandomCropNearBBox": [A.RandomCropNearBBox(p=1.0)],
        "OverlayElements": [A.OverlayElements(p=1.0)],
        "RandomResizedCrop 512": [A.RandomResizedCrop(size=(512, 512), p=1.0)],
        "RandomSizedCrop 512": [A.RandomSizedCrop(min_max_height=(320, 640), size=(512, 512), p=1.0)],
        "Affine (seed)": [
            A.Affine(
                scale=(0.9, 1.1), rotate=(-10, 10), shear=(-2, 2), translate_percent=(-0.05, 0.05), p=1.0
            )
        ],
        "Rotate": [A.Rotate(angle_range=(-30, 30), p=1.0)],
        "SafeRotate": [A.SafeRotate(angle_range=(-30, 30), p=1.0)],
        "RandomGridShuffle 3x3": [A.RandomGridShuffle(grid=(3, 3), p=1.0)],
        "Morphological": [A.Morphological(p=1.0)],
        "ShiftScaleRotate": [A.ShiftScaleRotate(p=1.0)],
        "Perspective (seed)": [A.Perspective(scale=(0.02, 0.05), keep_size=True, p=1.0)],
        "RandomScale": [A.RandomScale(scale_range=(-0.2, 0.2), p=1.0)],
        "OpticalDistortion": [A.OpticalDistortion(p=1.0)],
        "GridDistortion": [A.GridDistortion(p=1.0)],
        "PiecewiseAffine": [A.PiecewiseAffine(p=1.0)],
        "ElasticTransform": [A.ElasticTransform(p=1.0)],
        "ThinPlateSpline": [A.ThinPlateSpline(p=1.0)],
        "WaterRefraction": [A.WaterRefraction(p=1.0)],
        "PixelSpread": [A.PixelSpread(p=1.0)],
        "CoarseDropout": [A.CoarseDropout(num_holes_range=(2, 6), p=1.0)],
        "Erasing": [A.Erasing(p=1.0)],
        "GridDropout": [A.GridDropout(p=1.0)],
        "XYMasking": [
            A.XYMasking(
                num_masks_x_range=(1, 3),
                num_masks_y_range=(1, 3),
                mask_x_length_range=(10, 40),
                mask_y_length_range=(10, 40),
                p=1.0,
            )
        ],
        "GridMask": [A.GridMask(p=1.0)],
        "PixelDropout": [A.PixelDropout(dropout_prob=0.05, p=1.0)],
        "ConstrainedCoarseDropout": [
            A.ConstrainedCoarseDropout(num_holes_range=(1, 3), bbox_labels=["disc"], fill_mask=0, p=1.0)
        ],
        "GuidedCoarseDropout": [A.GuidedCoarseDropout(num_holes_range=(2, 6), fill_mask=0, p=1.0)],
        "TimeMasking": [A.TimeMasking(p=1.0)],
        "OneOf(HorizontalFlip, VerticalFlip)": [
            A.OneOf([A.HorizontalFlip(p=1.0), A.VerticalFlip(p=1.0)], p=1.0)
        ],
        # A transform written in Python that does nothing: what crossing into Python costs (the
        # GIL, the sample handed over as arrays, instance masks as full planes and back).
        "Lambda (identity, in Python)": [
            A.Lambda(image=_same, mask=_same, bboxes=_same, keypoints=_same, p=1.0)
        ],
        "geometric part of the seed pipeline": [
            A.Affine(
                scale=(0.9, 1.1), rotate=(-10, 10), shear=(-2, 2), translate_percent=(-0.05, 0.05), p=0.5
            ),
            A.Perspective(scale=(0.02, 0.05), keep_size=True, p=0.3),
            A.HorizontalFlip(p=0.5),
        ],
    }


def pixel_cases(A: Any) -> dict[str, list]:
    """Pixel transforms alone (timed on the image only: they never touch rows)."""
    return {
        "HueSaturationValue": [A.HueSaturationValue(p=1.0)],
        "RandomBrightnessContrast": [A.RandomBrightnessContrast(brightness_by_max=False, p=1.0)],
        "RGBShift": [A.RGBShift(p=1.0)],
        "RandomGamma": [A.RandomGamma(p=1.0)],
        "RGBShift + RandomGamma + RandomBrightnessContrast": [
            A.RGBShift(p=1.0),
            A.RandomGamma(p=1.0),
            A.RandomBrightnessContrast(brightness_by_max=False, p=1.0),
        ],
        "ToGray": [A.ToGray(p=1.0)],
        "ChannelShuffle": [A.ChannelShuffle(p=1.0)],
        "InvertImg": [A.InvertImg(p=1.0)],
        "ChannelSwap": [A.ChannelSwap(p=1.0)],
        "ChannelDropout": [A.ChannelDropout(p=1.0)],
        "Solarize": [A.Solarize(threshold_range=(0.4, 0.6), p=1.0)],
        "Posterize": [A.Posterize(num_bits=(3, 5), p=1.0)],
        "Sharpen": [A.Sharpen(p=1.0)],
        "Emboss": [A.Emboss(p=1.0)],
        "ImageCompression (jpeg 50-90)": [A.ImageCompression(quality_range=(50, 90), p=1.0)],
        "Downscale": [A.Downscale(scale_range=(0.25, 0.5), p=1.0)],
        "PhotoMetricDistort": [A.PhotoMetricDistort(p=1.0)],
        "RandomShadow": [A.RandomShadow(p=1.0)],
        "CLAHE": [A.CLAHE(p=1.0)],
        "ColorJitter": [A.ColorJitter(p=1.0)],
        "Normalize": [A.Normalize(p=1.0)],
        "Blur": [A.Blur(p=1.0)],
        "GaussianBlur (blur_range 5)": [A.GaussianBlur(blur_range=(5, 5), p=1.0)],
        "MedianBlur": [A.MedianBlur(p=1.0)],
        "MotionBlur": [A.MotionBlur(p=1.0)],
        "GaussNoise": [A.GaussNoise(p=1.0)],
        "ISONoise": [A.ISONoise(p=1.0)],
        "MultiplicativeNoise (elementwise)": [A.MultiplicativeNoise(elementwise=True, p=1.0)],
        "SaltAndPepper": [A.SaltAndPepper(p=1.0)],
        "ShotNoise": [A.ShotNoise(p=1.0)],
        "AutoContrast": [A.AutoContrast(p=1.0)],
        "Equalize": [A.Equalize(p=1.0)],
        "ToSepia": [A.ToSepia(p=1.0)],
        "FancyPCA": [A.FancyPCA(p=1.0)],
        "UnsharpMask": [A.UnsharpMask(p=1.0)],
        "Defocus": [A.Defocus(p=1.0)],
        "ZoomBlur": [A.ZoomBlur(p=1.0)],
        "GlassBlur": [A.GlassBlur(p=1.0)],
        "AdvancedBlur": [A.AdvancedBlur(p=1.0)],
        "RingingOvershoot": [A.RingingOvershoot(p=1.0)],
        "ModeFilter": [A.ModeFilter(p=1.0)],
        "Enhance": [A.Enhance(p=1.0)],
        "Superpixels": [A.Superpixels(p=1.0)],
        "Dithering": [A.Dithering(p=1.0)],
        "Halftone": [A.Halftone(p=1.0)],
        "FilmGrain": [A.FilmGrain(p=1.0)],
        "StochasticConvolution": [A.StochasticConvolution(p=1.0)],
        "GibbsRinging": [A.GibbsRinging(p=1.0)],
        "RicianNoise": [A.RicianNoise(p=1.0)],
        "KSpaceSpikeNoise": [A.KSpaceSpikeNoise(p=1.0)],
        "BiasField": [A.BiasField(p=1.0)],
        "HEStain": [A.HEStain(p=1.0)],
        # Colour temperature, tone, lighting and lens fringes.
        **{name: [getattr(A, name)(p=1.0)] for name in COLOUR_AND_LIGHTING},
        "AnnotationArtifacts": [A.AnnotationArtifacts(p=1.0)],
        "RandomFog": [A.RandomFog(p=1.0)],
        "RandomRain": [A.RandomRain(p=1.0)],
        "RandomSnow": [A.RandomSnow(p=1.0)],
        "RandomSnow (texture)": [A.RandomSnow(method="texture", p=1.0)],
        "RandomSunFlare": [A.RandomSunFlare(p=1.0)],
        "RandomSunFlare (physics_based)": [A.RandomSunFlare(method="physics_based", p=1.0)],
        "RandomGravel": [A.RandomGravel(p=1.0)],
        "AtmosphericFog": [A.AtmosphericFog(p=1.0)],
        "LensFlare": [A.LensFlare(p=1.0)],
        "Spatter (rain)": [A.Spatter(p=1.0)],
        "Spatter (mud)": [A.Spatter(mode="mud", p=1.0)],
        # Domain adaptation towards the call's reference images (call_values).
        "HistogramMatching": [A.HistogramMatching(p=1.0)],
        "FDA": [A.FDA(p=1.0)],
        "PixelDistributionAdaptation (pca)": [A.PixelDistributionAdaptation(p=1.0)],
        "PixelDistributionAdaptation (standard)": [
            A.PixelDistributionAdaptation(transform_type="standard", p=1.0)
        ],
        "PixelDistributionAdaptation (minmax)": [
            A.PixelDistributionAdaptation(transform_type="minmax", p=1.0)
        ],
    }


COLOUR_AND_LIGHTING = (
    "PlanckianJitter",
    "RandomToneCurve",
    "Illumination",
    "Vignetting",
    "ChromaticAberration",
    "PlasmaBrightnessContrast",
    "PlasmaShadow",
    "ExposureMatching",
)


def grey_cases(A: Any) -> dict[str, list]:
    """Cases run on a grey (H, W) image: Colorize maps one channel (an RGB image passes as it is)."""
    return {"Colorize (grey image)": [A.Colorize(mid_range=((96, 0, 96), (160, 64, 160)), p=1.0)]}


def label_mask_cases(A: Any) -> dict[str, list]:
    """Cases run on the image and a plain label mask (one value per object): MaskDropout reads its
    objects from it, and the reference's GridElasticDeform fails on bound instance masks."""
    return {
        "GridElasticDeform (label mask)": [A.GridElasticDeform(num_grid_xy=(4, 4), magnitude=10, p=1.0)],
        "MaskDropout (label mask)": [A.MaskDropout(max_objects_range=(1, 3), p=1.0)],
    }


def label_mask(instances: list[dict], shape: tuple[int, ...]) -> np.ndarray:
    """The objects as one uint8 label map (object k takes k + 1, later objects on top)."""
    labels = np.zeros(shape[:2], np.uint8)
    for k, inst in enumerate(instances):
        labels[np.asarray(inst["mask"]) > 0] = k % 255 + 1
    return labels


def mixing_cases(A: Any) -> dict[str, list]:
    """Cases that read neighbours (mosaic_metadata) and donors (copy_paste_metadata)."""
    return {
        "Mosaic 2x2 (seed)": [seed_pipeline.mosaic(A)],
        "CopyAndPaste (seed), 5 donors": [seed_pipeline.copy_and_paste(A, p=1.0)],
        "seed pipeline (YOLO-style, with colour)": seed_pipeline.transforms(A),
    }


def call_arguments(samples: list, i: int) -> dict:
    """Sample i with the other samples as Mosaic neighbours and five donor objects."""
    others = [samples[(i + k) % len(samples)] for k in range(1, len(samples))]
    return seed_pipeline.call(samples[i % len(samples)], others, others[0], 5)


def bbox_params(A: Any) -> Any:
    return A.BboxParams(
        coord_format="pascal_voc", label_fields=["class_name"], min_visibility=0.1, min_area=8.0
    )


class Absent:
    """A transform the library lacks (an older release): its case reports that instead of a time."""

    def __init__(self, name: str) -> None:
        self.name = name


class Lenient:
    """A library module whose missing transforms stand in as Absent, so that one table can list
    every case for every release."""

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self._module, name)
        except AttributeError:
            return lambda *args, **kwargs: Absent(name)


def time_case(
    A: Any, transforms: list, samples: list, calls: int, inputs: str = "instances", warmup: int = 5
) -> list[float]:
    """Seconds per call for `calls` calls cycling over the samples (after a warm-up). `inputs`:
    "image" (the image alone), "grey" (the image made grey, (H, W)), "label_mask" (the image and a
    plain label mask), "instances" (image and bound instances), "metadata" (also the Mosaic
    neighbours and CopyAndPaste donors)."""
    for t in transforms:
        if isinstance(t, Absent):
            raise AttributeError(f"module 'albumentations' has no attribute {t.name!r}")
    if inputs == "image":
        compose = A.Compose(transforms, seed=137)
        arguments = [{"image": image} for image, _ in samples]
    elif inputs == "grey":
        compose = A.Compose(transforms, seed=137)
        arguments = [
            {"image": np.ascontiguousarray(image.mean(axis=2).astype(np.uint8))} for image, _ in samples
        ]
    elif inputs == "label_mask":
        compose = A.Compose(transforms, seed=137)
        arguments = [
            {"image": image, "mask": label_mask(instances, image.shape)} for image, instances in samples
        ]
    else:
        compose = A.Compose(
            transforms, bbox_params=bbox_params(A), instance_binding=["masks", "bboxes"], seed=137
        )
        arguments = [call_arguments(samples, i) for i in range(len(samples))]
        if inputs == "instances":
            arguments = [{"image": a["image"], "instances": a["instances"]} for a in arguments]
    arguments = [{**a, **call_values(a["image"])} for a in arguments]
    return time_calls(compose, arguments, calls, warmup)


def call_values(image: np.ndarray) -> dict[str, Any]:
    """What the transforms that read a call key get (the others pass it through)."""
    height, width = image.shape[:2]
    region = np.zeros((height, width), np.uint8)
    region[height // 8 : height * 7 // 8, width // 4 : width * 3 // 4] = 1
    # The domain adaptations' reference images: the image itself at other sizes (resized to it).
    step = max(1, min(height, width) // 200)
    references = [np.ascontiguousarray(image[::step, ::-step]), np.ascontiguousarray(image[::-2, ::3])]
    return {
        "cropping_bbox": [width // 8, height // 4, width * 3 // 4, height * 7 // 8],
        "dropout_region": region,
        "overlay_metadata": [
            {"image": np.ascontiguousarray(image[::4, ::4]), "bbox": [0.1, 0.1, 0.5, 0.4]},
            {"image": np.ascontiguousarray(image[::5, ::5])},
        ],
        "hm_metadata": references,
        "fda_metadata": references,
        "pda_metadata": references,
    }
