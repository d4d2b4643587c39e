"""Compositions with albumentationsx 2.5.1's names, signatures and probability rules: OneOf,
SomeOf, RandomOrder, Sequential, OneOrOther, SelectiveChannelTransform, and NoOp. They run inside
the C++ pipeline (GIL-free); geometry still fuses across their boundaries.

- OneOf: its own p, then exactly one child, chosen with weights proportional to the children's p
  and applied whatever its p (p acts as a weight).
- SomeOf / RandomOrder: their own p, then n children drawn uniformly (with or without
  replacement); each rolls its own p. SomeOf runs them in list order, RandomOrder as drawn.
- Sequential: its own p, then every child with its own p.
- OneOrOther: p picks the branch (first with probability p, else second), applied whatever its p.
  Given `transforms`, its first and last are the branches.
- SelectiveChannelTransform: its own p, then every child (pixel transforms only) on the chosen
  channels of the image.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from instaug.transforms.base import REPR_INDENT, BaseTransform, arguments_of, composition_repr

# Where a composition keeps its children, in the order the core walks them.
BRANCHES = ("first", "second", "transforms")


def map_children(description: Mapping[str, Any], fn: Callable[[Any, str], Any]) -> dict[str, Any]:
    """A copy of a description (a dict in the file layout) whose child transforms are fn(child,
    path), the path relative to the description (".transforms[2]", ".first")."""
    out = dict(description)
    for key in BRANCHES:
        child = description.get(key)
        if isinstance(child, list):
            out[key] = [fn(c, f".{key}[{i}]") for i, c in enumerate(child)]
        elif isinstance(child, Mapping):
            out[key] = fn(child, f".{key}")
    return out


def children_of(transform: Any) -> list[Any]:
    """A composition's children in the core's order (OneOrOther: first, second, then transforms)."""
    out: list[Any] = []
    for name in BRANCHES:
        value = getattr(transform, name, None)
        if isinstance(value, (list, tuple)):
            out += value
        elif value is not None:
            out.append(value)
    return out


class BaseCompose(BaseTransform):
    """A transform that runs other transforms."""

    transforms: list[Any]

    def __init__(self, **arguments: Any) -> None:
        for name in ("transforms", "first", "second"):
            if name in arguments:
                arguments[name] = _checked_children(type(self).__name__, name, arguments[name])
        super().__init__(**arguments)

    def describe(self, python_transforms: list[BaseTransform]) -> dict[str, Any]:
        out = self.to_core()
        for name in ("transforms", "first", "second"):
            children = out.get(name) and getattr(self, name)
            if isinstance(children, list):
                out[name] = [c.describe(python_transforms) for c in children]
            elif children:
                out[name] = children.describe(python_transforms)
        return out

    _children_keyword = ""

    def indented_repr(self, indent: int = REPR_INDENT) -> str:
        name = type(self).__name__ + "(" + self._children_keyword
        return composition_repr(name, children_of(self), self.repr_arguments(), indent)

    def __len__(self) -> int:
        return len(self.transforms)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.transforms)

    def __getitem__(self, index: int) -> Any:
        return self.transforms[index]


def _checked_children(owner: str, name: str, value: Any) -> Any:
    if value is None or hasattr(value, "to_core"):
        if name == "transforms" and value is not None:
            return [value]  # a single transform, as the reference accepts (with a warning)
        return value
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{owner}: {name} must be a list of transforms, got {type(value).__name__}")
    for i, t in enumerate(value):
        if not hasattr(t, "to_core"):
            raise TypeError(f"{owner}: {name}[{i}] must be an instaug transform, got {type(t).__name__}")
    return list(value)


class Sequential(BaseCompose):
    """Apply every transform in order (each with its own p), with probability p."""

    def __init__(self, transforms: Sequence[Any], p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class OneOf(BaseCompose):
    """With probability p, apply exactly one transform, chosen with weights proportional to their p."""

    def __init__(self, transforms: Sequence[Any], p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))


class SomeOf(BaseCompose):
    """With probability p, draw n transforms uniformly and apply them in list order, each with its own p."""

    def __init__(self, transforms: Sequence[Any], n: int = 1, replace: bool = False, p: float = 1) -> None:
        super().__init__(**arguments_of(locals()))


class RandomOrder(SomeOf):
    """With probability p, draw n transforms uniformly and apply them in the order drawn (each
    with its own p)."""


class OneOrOther(BaseCompose):
    """Apply `first` with probability p, else `second` (or the first and last of `transforms`)."""

    # repr shows the branches as `transforms` (the reference's OneOrOther([...]) would pass them as first).
    _children_keyword = "transforms="

    def __init__(
        self,
        first: Any = None,
        second: Any = None,
        transforms: Sequence[Any] | None = None,
        p: float = 0.5,
    ) -> None:
        super().__init__(**arguments_of(locals()))
        if not self.transforms:
            self.transforms = [t for t in (first, second) if t is not None]


class SelectiveChannelTransform(BaseCompose):
    """Apply pixel transforms to the chosen channels of the image only, with probability p."""

    def __init__(
        self, transforms: Sequence[Any], channels: Sequence[int] = (0, 1, 2), p: float = 1.0
    ) -> None:
        super().__init__(**arguments_of(locals()))


class NoOp(BaseTransform):
    """Does nothing (with probability p)."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(**arguments_of(locals()))
