"""What a call applied, as the reference reports it: Compose(save_applied_params=True) puts
out["applied_transforms"] = [(name, config), ...], one entry per transform that ran, where config is
the transform's arguments with each range it drew from replaced by the value drawn (Blur's
blur_range by the kernel size, Affine's scale by {"x": ..., "y": ...}). The core notes the drawn
values (Random::note); this module pairs them with the transforms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from instaug.transforms.base import BaseTransform, _attribute, schema_of

# Schema types whose drawn value a config reports in place of the range.
_RANGE_TYPES = ("range", "axis_range", "ranges")


def applied_name(transform: BaseTransform) -> str:
    if transform.runs_in_python:
        return type(transform).__name__
    return transform.registered_name()  # type: ignore[return-value]


def applied_config(transform: BaseTransform, notes: dict[str, Any]) -> dict[str, Any]:
    config = transform.repr_arguments()
    config.update({key: _attribute(value) for key, value in notes.items()})
    return config


def applied_transforms(
    leaves: Sequence[BaseTransform], applied: Sequence[int], notes: Sequence[dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """(name, config) of each transform a call applied, in the order they ran."""
    return [(applied_name(leaves[i]), applied_config(leaves[i], n)) for i, n in zip(applied, notes)]


def _one_value_range(value: Any) -> Any:
    """A drawn value as the range that always draws it: v -> (v, v), per axis for dicts."""
    if isinstance(value, dict):
        return {axis: _one_value_range(v) for axis, v in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (value, value)
    return value


def _is_colour(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, int) for v in value)


def replay_arguments(name: str, config: dict[str, Any]) -> dict[str, Any]:
    """The constructor arguments that redo a config's draws: its drawn values as one-value ranges,
    p=1 (what the reference's Compose.from_applied_transforms does)."""
    kinds = {param["name"]: param["type"] for param in schema_of(name)["params"]}
    out = {}
    for key, value in config.items():
        if kinds.get(key) == "ranges" and isinstance(value, (list, tuple)):  # one drawn value per channel
            out[key] = [_one_value_range(v) for v in value]
        elif kinds.get(key) == "color_range" and _is_colour(value):  # a drawn colour
            out[key] = (tuple(value), tuple(value))
        else:
            out[key] = _one_value_range(value) if kinds.get(key) in _RANGE_TYPES else value
    return {**out, "p": 1.0}
