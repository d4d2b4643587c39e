"""The base of every transform. A transform is declared once, in C++ (its schema: names, types,
defaults, bounds, choices); the Python class only gives it a signature. Its arguments are checked
against the schema by the core, and kept in their normal form as attributes."""

from __future__ import annotations

from typing import Any

from instaug import _core

_SCHEMAS: dict[str, dict[str, Any]] = {s["name"]: s for s in _core.transform_schemas()}


def schema_of(name: str) -> dict[str, Any]:
    """The schema of the registered transform `name`: {"name", "kind", "params": [...]}."""
    return _SCHEMAS[name]


def registered_names() -> list[str]:
    return list(_SCHEMAS)


def arguments_of(frame_locals: dict[str, Any]) -> dict[str, Any]:
    """A constructor's arguments from its locals(): what its class hands to the base."""
    return {k: v for k, v in frame_locals.items() if k not in ("self", "__class__")}


def _attribute(value: Any) -> Any:
    """Lists of the normal form become tuples (ranges are tuples); dicts keep their shape."""
    if isinstance(value, list):
        return tuple(_attribute(v) for v in value)
    if isinstance(value, dict):
        return {k: _attribute(v) for k, v in value.items()}
    return value


def _holds_transforms(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return bool(value) and all(hasattr(v, "to_core") for v in value)
    return hasattr(value, "to_core")


class BaseTransform:
    """A transform: its registered name (found through the class hierarchy, so subclasses of a
    transform work), its arguments in normal form, and its description for the core."""

    def __init__(self, **arguments: Any) -> None:
        name = self.registered_name()
        values = _core.validate_arguments(name, {k: self._describe(v) for k, v in arguments.items()})
        self._values = values
        for key, value in values.items():
            given = arguments.get(key)
            # Child transforms stay the caller's objects; everything else takes its normal form.
            if _holds_transforms(given):
                setattr(self, key, list(given) if isinstance(given, (list, tuple)) else given)
            else:
                setattr(self, key, _attribute(value))

    @classmethod
    def registered_name(cls) -> str:
        for klass in cls.__mro__:
            if klass.__module__.startswith("instaug.") and klass.__name__ in _SCHEMAS:
                return klass.__name__
        raise TypeError(f"{cls.__name__} derives from no registered instaug transform")

    @staticmethod
    def _describe(value: Any) -> Any:
        if hasattr(value, "to_core"):
            return value.to_core()
        if isinstance(value, (list, tuple)) and value and all(hasattr(v, "to_core") for v in value):
            return [v.to_core() for v in value]
        return value

    def to_core(self) -> dict[str, Any]:
        """The description the core builds the transform from (albumentations' file layout)."""
        return {"__class_fullname__": self.registered_name(), **self._values}

    def __repr__(self) -> str:
        public = {k: getattr(self, k) for k in self._values}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in public.items())})"
