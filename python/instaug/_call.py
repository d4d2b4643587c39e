"""One call of a Compose: what the caller passed, checked and turned into the core's SampleInput
(`read_call`), and the core's result turned back into the caller's shapes (`unpack`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from instaug import _core
from instaug._call_values import read_call_values, row_labels_json
from instaug._instances import BoundInstances
from instaug._label_mapping import KeypointLabelMapping
from instaug._metadata import MetadataReader, RowRegistry, read_metadata
from instaug._targets import as_float_rows, check_image, check_mask_plane, prepare_boxes, prepare_keypoints
from instaug.formats import bboxes_from_absolute, keypoints_from_internal

if TYPE_CHECKING:
    from instaug.compose import Compose

RESERVED = ("image", "mask", "masks", "bboxes", "keypoints", "instances")


@dataclass
class CallInputs:
    """A call's data as the core takes it, and what the way back needs."""

    sample: Any  # _core.SampleInput
    plane_groups: list[tuple[str, int]]  # (key, number of planes) of each plain mask target
    image_keys: list[str]  # additional image targets present, in the order of the extra images
    registry: RowRegistry
    bound: BoundInstances | None  # the rows of instances=, None in the plain call style
    plain_keypoints: np.ndarray | None  # keypoints= as given (their extra columns come back)


def _shape(data: dict[str, Any]) -> tuple[np.ndarray | None, int, int]:
    """The image (checked) and the sample's height and width."""
    if "image" in data:
        image = check_image(data["image"])
        return image, int(image.shape[0]), int(image.shape[1])
    for key in ("mask", "masks"):
        value = data.get(key)
        if value is not None and len(value) > 0:
            shape = np.shape(value if key == "mask" else value[0])
            if len(shape) >= 2:
                return None, int(shape[0]), int(shape[1])
    raise ValueError("pass image= (or a non-empty mask=/masks=) so that the sample has a shape")


def _check_call_style(compose: Compose, data: dict[str, Any], image: np.ndarray | None) -> bool:
    """Whether the call passes instances=; refuses what the pipeline cannot take."""
    binding = compose.instance_binding
    if "instances" in data and binding is None:
        raise ValueError("instances= needs Compose(instance_binding=[...])")
    use_instances = binding is not None and "instances" in data
    if use_instances:
        clash = sorted(k for k in binding if k in data)  # type: ignore[union-attr]
        if clash:
            raise ValueError(f"pass bound targets inside instances, not as {clash} next to instances=")
    if compose._mixing:
        names = ", ".join(sorted({type(t).__name__ for t in compose._mixing}))
        if image is None:
            raise ValueError(f"{names} need image= in the call")
        plain = sorted(k for k in ("masks", "keypoints") if k in data and not use_instances)
        if plain and any(t.brings_rows for t in compose._mixing):
            raise ValueError(
                f"{names} carry rows, not loose {plain}: bind them with "
                "Compose(instance_binding=[...]) and pass instances="
            )
    return use_instances


def _mask_planes(
    compose: Compose, data: dict[str, Any], bound_keys: frozenset[str], height: int, width: int
) -> tuple[list[np.ndarray], list[tuple[str, int]]]:
    """Every plain mask plane of the call, and which key each run of planes came from: mask= (one
    plane), masks= (one per object) and their additional targets."""
    planes: list[np.ndarray] = []
    groups: list[tuple[str, int]] = []
    for key, kind in [("mask", "mask"), ("masks", "masks"), *compose._mask_targets]:
        value = data.get(key)
        if value is None or key in bound_keys:
            continue
        if kind == "mask":
            found = [check_mask_plane(value, key, height, width)]
        elif isinstance(value, np.ndarray) and value.ndim != 3:
            raise ValueError(f"{key} must be (N, H, W) or a list of (H, W) arrays, got shape {value.shape}")
        else:
            found = [check_mask_plane(m, f"{key}[{i}]", height, width) for i, m in enumerate(value)]
        planes += found
        groups.append((key, len(found)))
    return planes, groups


def _extra_images(
    compose: Compose, data: dict[str, Any], image: np.ndarray | None, height: int, width: int
) -> tuple[list[str], list[np.ndarray]]:
    """The additional image targets of the call (image2=...): their keys and checked arrays."""
    keys = [k for k in compose._image_targets if data.get(k) is not None]
    if keys and image is None:
        raise ValueError(f"Additional target {keys[0]!r} requires canonical target 'image' to be present.")
    extras = []
    for key in keys:
        extra = check_image(data[key], key)
        if extra.shape[:2] != (height, width):
            raise ValueError(
                f"{key} must have the image's height and width ({height}, {width}), got {extra.shape[:2]}"
            )
        extras.append(extra)
    return keys, extras


def _check_label_lists(data: dict[str, Any], fields: list[str], owner: str, count: int, what: str) -> None:
    for field in fields:
        if field not in data:
            raise ValueError(f"label field {field!r} of {owner} is missing from the call")
        labels = data[field]
        try:
            given = len(labels) if not isinstance(labels, (str, bytes)) else -1
        except TypeError:
            given = -1
        if given < 0:
            raise TypeError(
                f"label field {field!r} must be a list with one label per item of {what}, "
                f"got {type(labels).__name__}"
            )
        if given != count:
            raise ValueError(f"label field {field!r} has {given} labels for {count} {what}")


def _plain_boxes(compose: Compose, data: dict[str, Any]) -> np.ndarray | None:
    """bboxes= as given (float64, extra columns kept), its label lists checked."""
    params = compose.bbox_params
    if params is None:
        raise ValueError("bboxes= needs Compose(bbox_params=BboxParams(...))")
    boxes = as_float_rows(data["bboxes"], "bboxes", 4)
    _check_label_lists(data, params.label_fields, "BboxParams", len(boxes), "bboxes")
    return boxes


def _plain_keypoints(compose: Compose, data: dict[str, Any]) -> np.ndarray:
    params = compose.keypoint_params
    if params is None:
        raise ValueError("keypoints= needs Compose(keypoint_params=KeypointParams(...))")
    points = as_float_rows(data["keypoints"], "keypoints", len(params.coord_format))
    _check_label_lists(data, params.label_fields, "KeypointParams", len(points), "keypoints")
    return points


def _check_wide_masks(compose: Compose, dtypes: list[np.dtype]) -> None:
    if (
        any(d.itemsize == 8 and d.kind in "iu" for d in dtypes)
        and compose._pipeline.resamples_masks_smoothly()
    ):
        raise ValueError("masks of a 64-bit integer dtype work only with mask_interpolation=0 (nearest)")


@dataclass
class _Rows:
    """The rows of a call for the core (SampleInput's row arguments) and how to rebuild them."""

    arrays: dict[str, Any]
    registry: RowRegistry
    bound: BoundInstances | None = None
    plain_keypoints: np.ndarray | None = None


def _bound_rows(compose: Compose, data: dict[str, Any], height: int, width: int) -> _Rows:
    """instances=: one row per instance dict."""
    binding, boxes, points = compose.instance_binding, compose.bbox_params, compose.keypoint_params
    bound = BoundInstances(
        data["instances"],
        binding,  # type: ignore[arg-type]
        boxes,
        points,
        height,
        width,
        compose.polygon_format,
    )
    arrays = dict(
        boxes=bound.boxes,
        row_masks=bound.masks if bound.has_masks else None,
        encoded_masks=bound.encoded_masks,
        row_keypoints=bound.keypoints,
        keypoint_offsets=bound.offsets,
        source_ids=bound.source_ids,
    )
    return _Rows(arrays, RowRegistry(bound.templates, {}), bound=bound)


def _plain_rows(compose: Compose, data: dict[str, Any], height: int, width: int) -> _Rows:
    """The plain call style: bboxes= with label fields are rows; keypoints= are free points."""
    raw = _plain_boxes(compose, data) if "bboxes" in data else None
    count = 0 if raw is None else len(raw)
    fields = compose.bbox_params.label_fields if raw is not None and compose.bbox_params else []
    extras = None if raw is None else raw[:, 4:]
    registry = RowRegistry([{} for _ in range(count)], {f: list(data[f]) for f in fields}, extras)
    boxes = None if raw is None else prepare_boxes(raw, compose.bbox_params, height, width, "bboxes")  # type: ignore[arg-type]
    rows = _Rows(dict(boxes=boxes, source_ids=np.arange(count, dtype=np.int64)), registry)
    if "keypoints" in data:
        rows.plain_keypoints = _plain_keypoints(compose, data)
        free = prepare_keypoints(rows.plain_keypoints, compose.keypoint_params)  # type: ignore[arg-type]
        rows.arrays.update(free_keypoints=free, free_ids=np.arange(len(free), dtype=np.int64))
    return rows


def read_call(compose: Compose, data: dict[str, Any]) -> CallInputs:
    """The call's data checked and converted for the core."""
    image, height, width = _shape(data)
    use_instances = _check_call_style(compose, data, image)
    bound_keys = frozenset(compose.instance_binding or ()) if use_instances else frozenset()
    planes, groups = _mask_planes(compose, data, bound_keys, height, width)
    image_keys, extras = _extra_images(compose, data, image, height, width)
    rows = (_bound_rows if use_instances else _plain_rows)(compose, data, height, width)
    row_masks = rows.bound.plane_masks if rows.bound is not None and rows.bound.has_masks else None
    row_dtype = rows.bound.mask_dtype() if rows.bound is not None and rows.bound.has_masks else None
    _check_wide_masks(compose, [p.dtype for p in planes] + ([row_dtype] if row_dtype is not None else []))
    has_boxes = rows.arrays.get("boxes") is not None
    metadata = _metadata(compose, data, image, use_instances, row_masks, row_dtype, rows.registry, has_boxes)
    call_numbers, call_images = read_call_values(compose._call_keys, data, height, width)
    # After the metadata: the rows Mosaic and CopyAndPaste bring have their labels registered.
    labels = row_labels_json(rows.registry, compose.bbox_params) if compose._reads_row_labels else ""
    sample = _core.SampleInput(
        width=width,
        height=height,
        image=image,
        extra_images=extras,
        mask_planes=planes,
        metadata=metadata,
        call_numbers=call_numbers,
        call_images=call_images,
        row_labels=labels,
        **rows.arrays,
    )
    return CallInputs(sample, groups, image_keys, rows.registry, rows.bound, rows.plain_keypoints)


def _metadata(
    compose: Compose,
    data: dict[str, Any],
    image: np.ndarray | None,
    use_instances: bool,
    row_masks: list[np.ndarray] | None,
    row_dtype: np.dtype | None,
    registry: RowRegistry,
    has_boxes: bool,
) -> dict[str, list[Any]]:
    if not compose._mixing:
        return {}
    reader = MetadataReader(
        image,  # type: ignore[arg-type]
        compose.instance_binding if use_instances else frozenset(),  # type: ignore[arg-type]
        compose.bbox_params,
        compose.keypoint_params,
        row_masks,
        registry,
        plain_bboxes=has_boxes and not use_instances,
        plain_mask="mask" in data and not use_instances,
        polygon_format=compose.polygon_format,
    )
    if row_dtype is not None:  # the rows' masks may all be encoded (uint8) and absent from row_masks
        reader.mask_dtype = row_dtype
    return read_metadata(data, compose._mixing, reader)


def _gather(values: Any, ids: np.ndarray) -> Any:
    """Labels of the surviving rows, in the caller's container type."""
    if isinstance(values, np.ndarray):
        return values[ids]
    return [values[i] for i in ids.tolist()]


def _label_mapping(compose: Compose, applied: list[int]) -> KeypointLabelMapping | None:
    params = compose.keypoint_params
    if params is None or not params.label_mapping:
        return None
    names = compose._leaf_names
    mapping = KeypointLabelMapping(params.label_mapping, params.label_fields, [names[i] for i in applied])
    return mapping or None


def _passed_through(compose: Compose, data: dict[str, Any]) -> dict[str, Any]:
    """The call's keys the pipeline does not read: they come back as they were."""
    return {k: v for k, v in data.items() if k not in compose._read_keys}


def _unpack_planes(
    compose: Compose, data: dict[str, Any], inputs: CallInputs, result: dict[str, Any]
) -> dict:
    out: dict[str, Any] = dict(zip(inputs.image_keys, result["extra_images"]))
    planes = iter(result["mask_planes"])
    kinds = dict(compose._mask_targets)
    for key, count in inputs.plane_groups:
        group = [next(planes) for _ in range(count)]
        if kinds.get(key, key) == "mask":
            out[key] = group[0]
        elif isinstance(data[key], np.ndarray):
            out[key] = np.stack(group) if group else data[key][:0].copy()
        else:
            out[key] = group
    return out


def _unpack_plain_boxes(compose: Compose, data: dict[str, Any], inputs: CallInputs, result: dict) -> dict:
    params = compose.bbox_params
    ids, registry = result["source_ids"], inputs.registry
    boxes = bboxes_from_absolute(result["boxes"], params.coord_format, result["height"], result["width"])  # type: ignore[union-attr]
    extra = registry.plain_extras(ids)
    out = {"bboxes": np.concatenate([boxes, extra.astype(np.float32)], axis=1) if extra.shape[1] else boxes}
    for field in params.label_fields:  # type: ignore[union-attr]
        if registry.new_rows == 0:
            out[field] = _gather(data[field], ids)
            continue
        gathered = [registry.plain_labels[field][i] for i in ids.tolist()]
        out[field] = np.asarray(gathered) if isinstance(data[field], np.ndarray) else gathered
    return out


def _unpack_plain_keypoints(
    compose: Compose,
    data: dict[str, Any],
    inputs: CallInputs,
    result: dict,
    mapping: KeypointLabelMapping | None,
) -> dict:
    kp = compose.keypoint_params
    ids = result["free_ids"]
    points = keypoints_from_internal(result["free_keypoints"], kp.coord_format, kp.angle_in_degrees)  # type: ignore[union-attr]
    extra = inputs.plain_keypoints[ids, len(kp.coord_format) :]  # type: ignore[index, union-attr]
    points = np.concatenate([points, extra.astype(np.float32)], axis=1) if extra.shape[1] else points
    labels = {field: _gather(data[field], ids) for field in kp.label_fields}  # type: ignore[union-attr]
    if mapping is not None:
        points, labels = mapping.apply(points, labels)
    return {"keypoints": points, **labels}


def unpack(
    compose: Compose, data: dict[str, Any], inputs: CallInputs, result: dict[str, Any]
) -> dict[str, Any]:
    """The core's result in the shapes the caller passed."""
    out = _passed_through(compose, data)
    if result["image"] is not None:
        out["image"] = result["image"]
    out.update(_unpack_planes(compose, data, inputs, result))
    mapping = _label_mapping(compose, result["applied"])
    if inputs.bound is not None:
        out["instances"] = inputs.bound.unpack(result, mapping, inputs.registry.template)
        if "stacked_masks" in result:
            out["masks"] = result["stacked_masks"]
        if "index_map" in result:
            out["index_map"] = result["index_map"]
    elif "bboxes" in data:
        out.update(_unpack_plain_boxes(compose, data, inputs, result))
    if inputs.plain_keypoints is not None:
        out.update(_unpack_plain_keypoints(compose, data, inputs, result, mapping))
    return out
