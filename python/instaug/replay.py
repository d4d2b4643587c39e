"""ReplayCompose: a Compose whose every output carries, under `save_key` ("replay"), the record of
the call - the pipeline in its file layout with, on each transform, "applied" and the values it drew
("params") - and `ReplayCompose.replay(record, **data)`, which redoes that call exactly.

A call's randomness is a pure function of (seed, call index) (see _streams.py), so the record keeps
that pair ("draw") and replay runs the recorded pipeline with it: the same data gives the same
output, bit for bit; other data of the same size gets the same draws. Unlike the reference, editing
"params" or "applied" in a record does not change what replay does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from instaug._streams import Draw
from instaug.compose import Compose
from instaug.params import BboxParams, KeypointParams
from instaug.transforms.base import BaseTransform, registered_names, schema_of
from instaug.transforms.compose import BRANCHES, map_children

_RECORD_KEYS = ("params", "applied", "draw")


_COMPOSITIONS = frozenset(n for n in registered_names() if schema_of(n)["kind"] == "composition")


def _is_composition(node: dict[str, Any]) -> bool:
    return node.get("__class_fullname__") in _COMPOSITIONS


class _Marker:
    """Walks a record's transforms in the core's leaf order, marking each with what the call did."""

    def __init__(self, applied: Sequence[int], notes: Sequence[dict[str, Any]]) -> None:
        self.notes = {index: n for index, n in zip(applied, notes)}
        self.next_leaf = 0

    def mark(self, node: dict[str, Any]) -> bool:
        if not _is_composition(node):
            index, self.next_leaf = self.next_leaf, self.next_leaf + 1
            node["params"] = self.notes.get(index)
            node["applied"] = index in self.notes
            return node["applied"]
        applied = False
        for key in BRANCHES:
            child = node.get(key)
            for c in child if isinstance(child, list) else [child] if isinstance(child, dict) else []:
                applied = self.mark(c) or applied
        node["params"] = None
        node["applied"] = applied
        return applied


def _without_record(node: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in node.items() if k not in _RECORD_KEYS}
    return map_children(kept, lambda child, _: _without_record(child))


class ReplayCompose(Compose):
    """A Compose that records each call under `save_key` so that `replay` can redo it."""

    def __init__(
        self,
        transforms: Sequence[BaseTransform],
        bbox_params: BboxParams | dict[str, Any] | None = None,
        keypoint_params: KeypointParams | dict[str, Any] | None = None,
        additional_targets: dict[str, str] | None = None,
        p: float = 1.0,
        is_check_shapes: bool = True,
        save_key: str = "replay",
        seed: int | None = None,
        instance_binding: Sequence[str] | None = None,
        frame_binding: Sequence[str] | None = None,
        semantic_mask_label_mappings: dict[str, dict[int, int]] | None = None,
        strict: bool = False,
        mask_interpolation: int | None = None,
        save_applied_params: bool = False,
        telemetry: bool = True,
        mask_output: str = "per_row",
        mask_output_ratio: int = 1,
        polygon_format: str = "coco",
        save_geometry: bool = False,
    ) -> None:
        arguments = {k: v for k, v in locals().items() if k not in ("self", "__class__", "seed")}
        self.save_key = save_key
        self._init(arguments, seed)
        self.to_dict_private()  # every call records the pipeline: what cannot be written fails now

    _records_replay = True

    def _record_replay(self, out: dict[str, Any], result: dict[str, Any], draw: Draw) -> None:
        record = self.to_dict_private()
        _Marker(result["applied"], result["notes"]).mark(record)
        record["draw"] = {"seed": draw.seed, "call_index": draw.index, "force_apply": draw.force_apply}
        out[self.save_key] = record

    @staticmethod
    def replay(saved_augmentations: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Redoes the call `saved_augmentations` (an output's record) on `kwargs`."""
        from instaug.serialization import from_dict

        draw = saved_augmentations.get("draw") if isinstance(saved_augmentations, dict) else None
        if not isinstance(draw, dict) or not {"seed", "call_index", "force_apply"} <= set(draw):
            raise ValueError(
                "replay needs the record of a ReplayCompose call: out['replay'] (its 'draw' is missing)"
            )
        compose = from_dict({"transform": _without_record(saved_augmentations)})
        if not isinstance(compose, ReplayCompose):
            raise ValueError(f"replay needs a ReplayCompose record, got {type(compose).__name__}")
        return compose._run_one(
            kwargs, Draw(int(draw["seed"]), int(draw["call_index"]), bool(draw["force_apply"]))
        )
