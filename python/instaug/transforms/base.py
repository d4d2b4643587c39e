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


def is_registered(name: str) -> bool:
    return name in _SCHEMAS


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


REPR_INDENT = 2


def format_arguments(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in arguments.items())


def composition_repr(opening: str, children: list[Any], arguments: dict[str, Any], indent: int) -> str:
    """The reference's layout: Name([ one child per line, indented by depth ], arguments); `opening`
    is "Name(" and what comes before the list."""
    lines = [f"{opening}["]
    for child in children:
        text = child.indented_repr(indent + REPR_INDENT) if hasattr(child, "indented_repr") else repr(child)
        lines.append(" " * indent + text + ",")
    lines.append(" " * (indent - REPR_INDENT) + f"], {format_arguments(arguments)})")
    return "\n".join(lines)


def _holds_transforms(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return bool(value) and all(hasattr(v, "to_core") for v in value)
    return hasattr(value, "to_core")


class BaseTransform:
    """A transform: its registered name (found through the class hierarchy, so subclasses of a
    transform work), its arguments in normal form, and its description for the core. A subclass
    of ImageOnlyTransform or DualTransform outside the registry is a transform written in Python
    (see python_transforms.py): it has a probability and its own methods."""

    _values: dict[str, Any] | None = None

    def __init__(self, **arguments: Any) -> None:
        name = self.registered_name()
        if name is None:
            self._init_python_transform(arguments)
            return
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
    def registered_name(cls) -> str | None:
        """The registered transform this class is or extends; None for a transform written in Python."""
        for klass in cls.__mro__:
            if klass.__module__.startswith("instaug.") and klass.__name__ in _SCHEMAS:
                return klass.__name__
        return None

    @property
    def runs_in_python(self) -> bool:
        return self._values is None

    def call_keys(self) -> dict[str, str]:
        """The call's keys this transform reads, each with what it holds ("box", "images" or
        "region", see instaug._call_values); none for most transforms."""
        return {}

    def reads_row_labels(self) -> bool:
        """Whether the transform picks rows by their first label (the core then gets them)."""
        return False

    def _init_python_transform(self, arguments: dict[str, Any]) -> None:
        if not isinstance(self, (ImageOnlyTransform, DualTransform)):
            raise TypeError(
                f"{type(self).__name__} derives from no registered instaug transform; a transform written in "
                "Python derives from A.ImageOnlyTransform or A.DualTransform"
            )
        unknown = sorted(set(arguments) - {"p"})
        if unknown:
            raise TypeError(f"{type(self).__name__}: the base class takes only p, got {unknown}")
        p = arguments.get("p", 0.5)
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"{type(self).__name__}: p must be a number in [0, 1], got {p!r}")
        self.p = float(p)

    def describe(self, python_transforms: list[BaseTransform]) -> dict[str, Any]:
        """The description for a pipeline: as to_core(), with each transform written in Python
        appended to `python_transforms` and named by its index there."""
        if self.runs_in_python:
            python_transforms.append(self)
            return {"__class_fullname__": "ExternalTransform", "key": len(python_transforms) - 1, "p": self.p}
        return self.to_core()

    @staticmethod
    def _describe(value: Any) -> Any:
        if hasattr(value, "to_core"):
            return value.to_core()
        if isinstance(value, (list, tuple)) and value and all(hasattr(v, "to_core") for v in value):
            return [v.to_core() for v in value]
        return value

    def to_core(self) -> dict[str, Any]:
        """The description the core builds the transform from (albumentations' file layout), from
        the attributes as they are now (a Compose built after `t.p = 1` uses p=1; the core checks
        them again); a transform written in Python stands as an ExternalTransform (its key set by
        the pipeline)."""
        if self._values is None:
            return self.describe([])
        current = {key: self._describe(getattr(self, key)) for key in self._values}
        return {"__class_fullname__": self.registered_name(), **current}

    def to_dict_private(self, on_not_implemented_error: str = "raise") -> dict[str, Any]:
        """This transform (children included) as a pipeline file holds it."""
        from instaug.serialization import python_transform_dict

        if self._values is None:
            return python_transform_dict(self, on_not_implemented_error)
        out: dict[str, Any] = {"__class_fullname__": self.registered_name()}
        for key in self._values:
            value = getattr(self, key)
            if _holds_transforms(value):
                value = (
                    [v.to_dict_private(on_not_implemented_error) for v in value]
                    if isinstance(value, (list, tuple))
                    else value.to_dict_private(on_not_implemented_error)
                )
            out[key] = value
        return out

    def to_dict(self, on_not_implemented_error: str = "raise") -> dict[str, Any]:
        """The file content of this transform, as A.to_dict(self)."""
        from instaug.serialization import to_dict

        return to_dict(self, on_not_implemented_error)

    def repr_arguments(self) -> dict[str, Any]:
        """The arguments repr shows, as the reference shows them: p first, the others by name (child
        transforms are shown as a list before them)."""
        if self._values is None:
            return {"p": self.p}
        names = sorted(k for k in self._values if k != "p" and not _holds_transforms(getattr(self, k)))
        return {"p": self.p, **{k: getattr(self, k) for k in names}}

    def indented_repr(self, indent: int = REPR_INDENT) -> str:
        return f"{type(self).__name__}({format_arguments(self.repr_arguments())})"

    def __repr__(self) -> str:
        return self.indented_repr()


class ImageOnlyTransform(BaseTransform):
    """A transform of the image alone. Subclass it to write one in Python: define
    `apply(self, img, **params)` (and optionally `get_params`, `get_params_dependent_on_data`)."""

    def __init__(self, p: float = 0.5, **arguments: Any) -> None:
        super().__init__(p=p, **arguments)


class DualTransform(BaseTransform):
    """A transform of the image and of every spatial target with it. Subclass it to write one in
    Python: `apply`, `apply_to_mask` (default: apply), `apply_to_bboxes`, `apply_to_keypoints`."""

    def __init__(self, p: float = 0.5, **arguments: Any) -> None:
        super().__init__(p=p, **arguments)

    def apply_to_mask(self, mask: Any, **params: Any) -> Any:
        return self.apply(mask, **params)  # type: ignore[attr-defined]
