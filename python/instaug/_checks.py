"""Argument checks shared by the transforms: each error names the argument and what was expected."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

INTERPOLATIONS = {
    0: "INTER_NEAREST",
    1: "INTER_LINEAR",
    2: "INTER_CUBIC",
    3: "INTER_AREA",
    4: "INTER_LANCZOS4",
}
BORDER_MODES = {
    0: "BORDER_CONSTANT",
    1: "BORDER_REPLICATE",
    2: "BORDER_REFLECT",
    3: "BORDER_WRAP",
    4: "BORDER_REFLECT_101",
}
PAD_POSITIONS = ("center", "top_left", "top_right", "bottom_left", "bottom_right", "random")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_range(
    owner: str,
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
) -> tuple[float, float]:
    """A sampling range: a 2-tuple (a list is accepted) of numbers with a <= b inside [low, high]."""
    if not isinstance(value, (tuple, list)) or len(value) != 2 or not all(_is_number(v) for v in value):
        raise ValueError(f"{owner}: {name} must be a (min, max) tuple of two numbers, got {value!r}")
    a, b = value
    if integer and not all(float(v).is_integer() for v in value):
        raise ValueError(f"{owner}: {name} must hold integers, got {value!r}")
    if a > b:
        raise ValueError(f"{owner}: {name} must satisfy min <= max, got {value!r}")
    if low is not None and a < low:
        raise ValueError(f"{owner}: {name} values must be >= {low}, got {value!r}")
    if high is not None and b > high:
        raise ValueError(f"{owner}: {name} values must be <= {high}, got {value!r}")
    if integer:
        return (int(a), int(b))
    return (float(a), float(b))


def check_xy_range(owner: str, name: str, value: Any, **kwargs: Any) -> dict[str, tuple[float, float]]:
    """A range for both axes, or a dict {"x": range, "y": range} (a missing axis gets the neutral range)."""
    if isinstance(value, dict):
        unknown = set(value) - {"x", "y"}
        if unknown:
            raise ValueError(f"{owner}: {name} dict keys must be 'x' and/or 'y', got {sorted(unknown)}")
        neutral = kwargs.pop("neutral")
        return {
            axis: check_range(owner, f"{name}[{axis!r}]", value.get(axis, neutral), **kwargs)
            for axis in ("x", "y")
        }
    kwargs.pop("neutral", None)
    r = check_range(owner, name, value, **kwargs)
    return {"x": r, "y": r}


def check_probability(owner: str, p: Any) -> float:
    if not _is_number(p) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{owner}: p must be a number in [0, 1], got {p!r}")
    return float(p)


# The longest canvas side the core makes (OpenCV's remap needs sides below 32767); sizes past it
# are refused here, at construction, rather than at the first call.
MAX_CANVAS_SIDE = 32766
# The most pixels a canvas may have in all (2^28: 768 MiB of RGB bytes), as the core bounds it.
MAX_CANVAS_PIXELS = 2**28
# Window coordinates (Crop) must fit the core's 32-bit integers.
MAX_COORDINATE = 2**31 - 1


def check_int(
    owner: str,
    name: str,
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    allow_none: bool = False,
) -> Any:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{owner}: {name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{owner}: {name} must be <= {maximum}, got {value!r}")
    return int(value)


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


def check_choice(owner: str, name: str, value: Any, choices: Sequence[Any]) -> Any:
    if value not in choices:
        raise ValueError(f"{owner}: {name} must be one of {list(choices)}, got {value!r}")
    return value


def check_interpolation(owner: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or value not in INTERPOLATIONS:
        raise ValueError(
            f"{owner}: {name} must be an OpenCV interpolation flag {INTERPOLATIONS}, got {value!r}"
        )
    return int(value)


def check_border_mode(owner: str, value: Any) -> int:
    if isinstance(value, bool) or value not in BORDER_MODES:
        raise ValueError(f"{owner}: border_mode must be an OpenCV border flag {BORDER_MODES}, got {value!r}")
    return int(value)


def check_fill(owner: str, name: str, value: Any) -> list[float]:
    """A fill value: a number, or one number per channel."""
    if value is None:
        return [0.0]
    if _is_number(value):
        return [float(value)]
    if isinstance(value, (tuple, list)) and value and all(_is_number(v) for v in value):
        return [float(v) for v in value]
    raise ValueError(f"{owner}: {name} must be a number or a tuple of numbers, got {value!r}")
