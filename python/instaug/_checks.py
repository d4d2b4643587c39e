"""Argument checks of the Python-only objects (BboxParams, KeypointParams): each error names the
argument and what was expected. Transform arguments are checked by the core against their schema."""

from __future__ import annotations

import numbers
from typing import Any


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_number(owner: str, name: str, value: Any, *, minimum: float | None = None) -> float:
    if not _is_number(value):
        raise ValueError(f"{owner}: {name} must be a number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value!r}")
    return float(value)


def check_bool(owner: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{owner}: {name} must be True or False, got {value!r}")
    return value
