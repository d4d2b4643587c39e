"""What more than one test file uses, in one place (test files import it `from helpers import ...`,
never from one another): scenes whose objects carry their identity in their pixels, so that a
mixed-up row cannot pass; the import of the behaviour reference (albumentationsx) and what comes
with it; the call builders of the mixing transforms (Mosaic, CopyAndPaste) and of batches; and the
pixel transforms, one of each."""

from __future__ import annotations

import importlib
import os
import warnings
from dataclasses import dataclass
from types import ModuleType

import numpy as np
import pytest

import instaug as A

# --- scenes --------------------------------------------------------------------------------------


def color_of(ident: int) -> np.ndarray:
    """A colour unique to each object id (blue 200 marks objects; the background is black)."""
    return np.array([50 + ident % 200, 50 + (ident // 200) % 200, 200], dtype=np.uint8)


@dataclass
class Scene:
    image: np.ndarray
    instances: list[dict]

    @property
    def colors(self) -> dict[int, np.ndarray]:
        return {inst["id"]: color_of(inst["id"]) for inst in self.instances}


def make_scene(
    rng: np.random.Generator, height: int = 96, width: int = 128, n: int = 8, first_id: int = 0
) -> Scene:
    """Objects painted in colours unique to their id on a black background; later objects occlude
    earlier ones, and each mask is exactly the pixels its object owns."""
    owner = np.full((height, width), -1, dtype=np.int64)
    yy, xx = np.mgrid[0:height, 0:width]
    for i in range(n):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        ry, rx = rng.uniform(4, height / 4), rng.uniform(4, width / 4)
        if i % 2:
            shape = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        else:
            shape = (abs(yy - cy) <= ry) & (abs(xx - cx) <= rx)
        owner[shape] = i
    image = np.zeros((height, width, 3), dtype=np.uint8)
    instances = []
    for i in range(n):
        mask = (owner == i).astype(np.uint8)
        if not mask.any():
            continue
        ident = first_id + i
        image[mask.astype(bool)] = color_of(ident)
        ys, xs = np.nonzero(mask)
        bbox = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float32)
        center = np.array([[xs.mean(), ys.mean()]], dtype=np.float32)
        instances.append(
            {
                "mask": mask,
                "bbox": bbox,
                "keypoints": np.concatenate([center, bbox[None, :2]]),
                "bbox_labels": {"class_name": f"object-{ident}", "color": ident},
                "keypoint_labels": {"kp_kind": ["center", "top_left"]},
                "id": ident,
            }
        )
    return Scene(image, instances)


# --- the behaviour reference ---------------------------------------------------------------------

# The behaviour reference and what `make reference` installs with it (PyTorch, OpenCV's Python
# package). With INSTAUG_REQUIRE_REFERENCE=1 (for CI, which installs them) a missing one is an
# error: the tests that need it must run there. Without it (an offline developer machine) those
# tests are skipped, loudly: the skip reason says that they did NOT run, a warning is issued, and
# the terminal summary ends with a section listing them (conftest.py's pytest_terminal_summary).
REQUIRE_REFERENCE = "INSTAUG_REQUIRE_REFERENCE"
INSTALL_HINT = "install it with `make reference`"
REFERENCE_PACKAGES = {
    "albumentations": "albumentationsx 2.5.1 (the behaviour reference)",
    "cv2": "OpenCV's Python package (opencv-python-headless)",
    "torch": "PyTorch (torch)",
}
skipped_for_reference: list[str] = []


class ReferenceMissingError(RuntimeError):
    """A package that INSTAUG_REQUIRE_REFERENCE=1 requires cannot be imported."""


def reference_required() -> bool:
    value = os.environ.get(REQUIRE_REFERENCE, "")
    if value not in ("", "0", "1"):
        raise ValueError(f"{REQUIRE_REFERENCE} must be 1 (require the reference) or 0, not {value!r}")
    return value == "1"


def import_reference(module: str = "albumentations", *, needed_by: str = "these tests") -> ModuleType:
    """`module` imported; where it cannot be, ReferenceMissingError if the reference is required,
    else a loud skip (of the calling module when called at its import, else of the calling test)."""
    what = REFERENCE_PACKAGES.get(module, module)
    try:
        return importlib.import_module(module)
    except ImportError as error:
        cause = f"{type(error).__name__}: {error}"
        if reference_required():
            raise ReferenceMissingError(
                f"{REQUIRE_REFERENCE}=1 but {what} cannot be imported ({cause}), so {needed_by} cannot "
                f"run; {INSTALL_HINT}"
            ) from error
        message = f"{needed_by} did NOT run: {what} cannot be imported ({cause}); {INSTALL_HINT}"
        skipped_for_reference.append(message)
        warnings.warn(message, UserWarning, stacklevel=2)
        pytest.skip(message, allow_module_level=True)


def pin_reference_kernels() -> None:
    """The reference's albucore computes some blends and conversions with numkong, which picks its
    kernels by CPU: on AVX-512 machines (its "sapphire" FP16 kernels and up) the rounding differs
    from its AVX2 ("haswell") kernels by a grey level here and there, so the reference's own output
    depends on the machine. The byte-exact tests compare against the AVX2 kernels, on every x86
    machine that has them: the ones above are switched off before any test runs."""
    try:
        import numkong
    except ImportError:
        return  # no reference installed (its tests skip or fail on their own), or an older one
    for capability, enabled in numkong.get_capabilities().items():
        if enabled and capability not in ("serial", "haswell"):
            numkong.disable_capability(capability)


# --- a transform of each name ------------------------------------------------------------------

REQUIRED_ARGUMENTS: dict[str, dict] = {
    "RandomCrop": {"height": 8, "width": 8},
    "Crop": {"x_max": 8, "y_max": 8},
    "CenterCrop": {"height": 8, "width": 8},
    "Resize": {"height": 8, "width": 8},
    "RandomResizedCrop": {"size": (8, 8)},
    "RandomSizedCrop": {"min_max_height": (4, 8), "size": (8, 8)},
    "LongestMaxSize": {"max_size": 16},
    "LetterBox": {"size": (16, 24)},
    "SmallestMaxSize": {"max_size": 16},
    "XYMasking": {"num_masks_x_range": (1, 2), "mask_x_length_range": (0.1, 0.3)},
    "TimeMasking": {"time_mask_param": 4},
    "FrequencyMasking": {"freq_mask_param": 4},
    "CropAndPad": {"px": (-4, 4)},
    "RandomSizedBBoxSafeCrop": {"height": 8, "width": 8},
    "AtLeastOneBBoxRandomCrop": {"height": 8, "width": 8},
    "CropNonEmptyMaskIfExists": {"height": 8, "width": 8},
    "GridElasticDeform": {"num_grid_xy": (4, 4), "magnitude": 3},
}


def default_transform(name: str, **arguments):
    """The registered transform `name` with its defaults (compositions over Blur and RGBShift)."""
    from instaug.transforms.base import schema_of

    cls = getattr(A, name)
    if name == "OneOrOther":
        return cls(A.NoOp(), A.Blur(), **arguments)
    if schema_of(name)["kind"] == "composition":
        return cls([A.Blur(), A.RGBShift()], **arguments)
    return cls(**{**REQUIRED_ARGUMENTS.get(name, {}), **arguments})


# --- mixing calls (Mosaic, CopyAndPaste) ---------------------------------------------------------

FIELDS = ["class_name", "color"]


def mosaic_item(scene, binding=("masks", "bboxes")):
    insts = scene.instances
    item = {
        "image": scene.image,
        "bboxes": np.stack([i["bbox"] for i in insts]) if insts else np.zeros((0, 4), np.float32),
        "bbox_labels": {f: [i["bbox_labels"][f] for i in insts] for f in FIELDS},
    }
    stack = np.stack([i["mask"] for i in insts]) if insts else np.zeros((0, *scene.image.shape[:2]), np.uint8)
    if "mask" in binding:
        item["mask"] = np.moveaxis(stack, 0, -1)
    else:
        item["masks"] = stack
    if "keypoints" in binding:
        item["keypoints"] = [i["keypoints"] for i in insts]
        item["keypoint_labels"] = {"kp_kind": [i["keypoint_labels"]["kp_kind"] for i in insts]}
    return item


def donor(scene, inst, **extra):
    return {"image": scene.image, "mask": inst["mask"], "bbox_labels": dict(inst["bbox_labels"]), **extra}


def compose(transforms, binding=("masks", "bboxes"), seed=0, **bbox_kwargs):
    return A.Compose(
        transforms,
        bbox_params=A.BboxParams("pascal_voc", label_fields=FIELDS, **bbox_kwargs),
        keypoint_params=A.KeypointParams("xy", label_fields=["kp_kind"]) if "keypoints" in binding else None,
        instance_binding=list(binding),
        seed=seed,
    )


# --- batches -------------------------------------------------------------------------------------


def calls(count: int, seed: int = 0, **scene: int) -> list[dict]:
    """Call dicts cycling over four scenes (`scene`: make_scene's size and object count), each with
    the other three as Mosaic neighbours and the objects of the next as CopyAndPaste donors."""
    rng = np.random.default_rng(seed)
    pool = [make_scene(rng, first_id=100 * k, **{"n": 5, **scene}) for k in range(4)]
    out = []
    for i in range(count):
        primary = pool[i % 4]
        others = [pool[(i + k) % 4] for k in range(1, 4)]
        out.append(
            {
                "image": primary.image,
                "instances": primary.instances,
                "mosaic_metadata": [mosaic_item(o) for o in others],
                "copy_paste_metadata": [donor(others[0], inst) for inst in others[0].instances],
            }
        )
    return out


# --- pixel transforms ----------------------------------------------------------------------------

PIXEL = [
    A.HueSaturationValue(p=1),
    A.RandomBrightnessContrast(p=1),
    A.RGBShift(p=1),
    A.RandomGamma(p=1),
    A.ToGray(p=1),
    A.ChannelShuffle(p=1),
    A.CLAHE(p=1),
    A.ColorJitter(p=1),
    A.Normalize(),
    A.Blur(p=1),
    A.GaussianBlur(p=1),
    A.MedianBlur(p=1),
    A.MotionBlur(p=1),
    A.GaussNoise(p=1),
    A.InvertImg(p=1),
    A.Solarize(p=1),
    A.Posterize(p=1),
    A.Sharpen(p=1),
    A.Emboss(p=1),
    A.ImageCompression(quality_range=(30, 60), p=1),
    A.Downscale(p=1),
    A.PhotoMetricDistort(p=1),
    A.ChannelSwap(p=1),
    A.ChannelDropout(p=1),
    A.RandomShadow(p=1),
    A.ISONoise(p=1),
    A.MultiplicativeNoise(p=1),
    A.SaltAndPepper(p=1),
    A.ShotNoise(p=1),
    A.AutoContrast(p=1),
    A.Equalize(p=1),
    A.ToSepia(p=1),
    A.FancyPCA(p=1),
    A.UnsharpMask(p=1),
    A.Defocus(p=1),
    A.ZoomBlur(p=1),
    A.GlassBlur(p=1),
    A.AdvancedBlur(p=1),
    A.RingingOvershoot(p=1),
    A.ModeFilter(p=1),
    A.Enhance(p=1),
    A.Superpixels(p=1),
    A.Dithering(p=1),
    A.Halftone(p=1),
    A.FilmGrain(p=1),
    A.StochasticConvolution(strength_range=(0.2, 1.0), p=1),
    A.GibbsRinging(p=1),
    A.RicianNoise(p=1),
    A.KSpaceSpikeNoise(p=1),
    A.BiasField(std_range=(0.1, 0.5), p=1),
    A.AdditiveNoise(noise_type="gaussian", spatial_mode="per_pixel", p=1),
    A.HEStain(p=1),
    A.PlanckianJitter(p=1),
    A.RandomToneCurve(per_channel=True, p=1),
    A.Illumination(p=1),
    A.Illumination(mode="gaussian", num_spots_range=(1, 3), p=1),
    A.Vignetting(p=1),
    A.ChromaticAberration(p=1),
    A.PlasmaBrightnessContrast(p=1),
    A.PlasmaShadow(p=1),
    A.ToRGB(p=1),
    A.ExposureMatching(p=1),
    A.Colorize(p=1),
    A.AnnotationArtifacts(count_range=(2, 4), p=1),
    A.RandomFog(p=1),
    A.RandomRain(p=1),
    A.RandomSnow(p=1),
    A.RandomSunFlare(p=1),
    A.RandomGravel(p=1),
    A.AtmosphericFog(p=1),
    A.LensFlare(p=1),
    A.Spatter(p=1),
]


def call_values(pipeline: A.Compose, height: int, width: int, channels: int = 3) -> dict:
    """Values for the keys the pipeline's transforms read from the call (instaug._call_values)."""
    reference = (height // 2 + 1, width + 3, channels)
    made = {
        "box": [width / 8, height / 4, width * 3 / 4, height * 7 / 8],
        "region": np.indices((height, width)).sum(0) % 3 == 0,
        "images": [np.random.default_rng(0).integers(0, 256, reference, np.uint8)],
    }
    out = {key: made[kind] for key, kind in pipeline._call_keys.items()}
    element = np.random.default_rng(1).integers(0, 256, (height // 3 + 1, width // 4 + 1, channels), np.uint8)
    for t in pipeline._mixing:
        if isinstance(t, A.OverlayElements):
            out[t.metadata_key] = [{"image": element, "bbox": [0.1, 0.2, 0.7, 0.6]}, {"image": element}]
    return out
