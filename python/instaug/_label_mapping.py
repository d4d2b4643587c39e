"""KeypointParams(label_mapping=...): after each applied transform named in the mapping (a left/right
swap under HorizontalFlip), paired keypoints swap whole rows - coordinates and every label - so that
row i still means joint i, as albumentationsx does; a label whose partner is absent is renamed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class KeypointLabelMapping:
    """The mapping steps of one call: one per applied transform that the mapping names."""

    def __init__(
        self,
        mapping: dict[str, dict[str, dict[Any, Any]]],
        label_fields: Sequence[str],
        applied_names: Sequence[str],
    ) -> None:
        self.label_fields = list(label_fields)
        self.steps = [mapping[name] for name in applied_names if mapping.get(name)]

    def __bool__(self) -> bool:
        return bool(self.steps)

    def apply(self, points: np.ndarray, labels: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
        """The keypoints of one instance (or the free keypoints) and their labels, after the steps."""
        order = list(range(len(points)))
        columns = {field: list(values) for field, values in labels.items()}
        for step in self.steps:
            # Only the first label field that has a mapping takes part, as in the reference.
            field = next((f for f in self.label_fields if step.get(f) and f in columns), None)
            if field is not None:
                _apply_step(order, columns, field, step[field])
        return points[order], {field: _like(labels[field], values) for field, values in columns.items()}


def _apply_step(order: list[int], columns: dict[str, list[Any]], field: str, table: dict[Any, Any]) -> None:
    before = list(columns[field])  # positions are read from the labels as the step found them
    done: set[Any] = set()
    for source, target in table.items():
        if source in done or target in done:
            continue
        sources = [i for i, label in enumerate(before) if label == source]
        targets = [i for i, label in enumerate(before) if label == target]
        if sources and targets:
            for i, j in zip(sources, targets):
                _swap(order, columns, i, j)
            done |= {source, target}
        elif sources:
            for i in sources:
                columns[field][i] = target
            done.add(source)


def _swap(order: list[int], columns: dict[str, list[Any]], i: int, j: int) -> None:
    order[i], order[j] = order[j], order[i]
    for values in columns.values():
        values[i], values[j] = values[j], values[i]


def _like(original: Any, values: list[Any]) -> Any:
    """The labels in the caller's container type."""
    return np.asarray(values, dtype=original.dtype) if isinstance(original, np.ndarray) else values
