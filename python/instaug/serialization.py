"""Pipelines as files, in albumentationsx's layout: to_dict, from_dict, save, load.

A file is {"__version__": ..., "transform": {"__class_fullname__": "Compose", "transforms": [...],
"bbox_params": {...}, ...}}. Reading one goes through the C++ core (`_core.read_pipeline_file`),
which checks every transform against its schema and names the place of an unknown transform or
argument in the file; the same reader serves C++ users. Transforms written in Python are the
Python side's: a Lambda is written by its `name` and found again in `nonserializable`, a subclass
of A.ImageOnlyTransform / A.DualTransform by its module path and its constructor's arguments.
Mappings with keys other than strings (label mappings) are written as the reference writes them.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from instaug import _core
from instaug.transforms.base import BaseTransform, is_registered
from instaug.transforms.compose import map_children

FILE_VERSION: str = _core.file_version

_MAPPING_TYPE_KEY = "__albumentations_serialized_type__"
_MAPPING_VERSION_KEY = "__albumentations_serialized_mapping_version__"
_ON_ERROR = ("raise", "warn")


def encode_mappings(value: Any) -> Any:
    """A value as a file holds it: a mapping whose keys are not all strings becomes the reference's
    {"__albumentations_serialized_type__": "mapping", "items": [[key, value], ...], ...}."""
    if isinstance(value, Mapping):
        items = [(encode_mappings(k), encode_mappings(v)) for k, v in value.items()]
        if all(isinstance(k, str) for k in value):
            return dict(items)
        return {_MAPPING_TYPE_KEY: "mapping", "items": [list(i) for i in items], _MAPPING_VERSION_KEY: 1}
    if isinstance(value, (list, tuple)):
        return [encode_mappings(v) for v in value]
    return value


def decode_mappings(value: Any) -> Any:
    if isinstance(value, Mapping):
        if value.get(_MAPPING_TYPE_KEY) == "mapping" and "items" in value:
            return {_hashable(decode_mappings(k)): decode_mappings(v) for k, v in value["items"]}
        return {k: decode_mappings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_mappings(v) for v in value]
    return value


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def _check_on_error(value: str) -> None:
    if value not in _ON_ERROR:
        raise ValueError(f"on_not_implemented_error must be one of {list(_ON_ERROR)}, got {value!r}")


def to_dict(transform: Any, on_not_implemented_error: str = "raise") -> dict[str, Any]:
    """The file content of a transform or a Compose: {"__version__": ..., "transform": {...}}."""
    _check_on_error(on_not_implemented_error)
    if not hasattr(transform, "to_dict_private"):
        raise TypeError(f"to_dict takes an instaug transform or Compose, got {type(transform).__name__}")
    body = transform.to_dict_private(on_not_implemented_error)
    return {"__version__": FILE_VERSION, "transform": encode_mappings(body)}


def python_transform_dict(transform: BaseTransform, on_not_implemented_error: str) -> dict[str, Any]:
    """A transform written in Python, as the reference writes it: a Lambda by its name, a class of
    the user's by its module path with the constructor arguments it keeps as attributes."""
    cls = type(transform)
    if cls.__name__ == "Lambda" and cls.__module__.startswith("instaug."):
        name = getattr(transform, "name", None)
        if name is None:
            raise ValueError(
                "To make a Lambda transform serializable you should provide the `name` argument, "
                "e.g. Lambda(image=fn, name='my_fn'); pass nonserializable={'my_fn': transform} to load it"
            )
        return {"__class_fullname__": "Lambda", "__name__": name, "p": transform.p}
    out: dict[str, Any] = {"__class_fullname__": python_class_name(cls), "p": transform.p}
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if name in ("self", "p") or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if not hasattr(transform, name):
            if on_not_implemented_error == "raise":
                raise NotImplementedError(
                    f"{cls.__name__} cannot be saved: its argument {name!r} is not kept as the attribute "
                    f"self.{name} (keep it, or save with on_not_implemented_error='warn')"
                )
            continue
        out[name] = getattr(transform, name)
    return out


def python_class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _python_classes() -> dict[str, type]:
    """Every class of transform written in Python that is loaded now, by module path."""
    found: dict[str, type] = {}
    pending = list(BaseTransform.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.registered_name() is None and not cls.__module__.startswith("instaug."):
            found[python_class_name(cls)] = cls
    return found


def from_dict(transform_dict: dict[str, Any], nonserializable: dict[str, Any] | None = None) -> Any:
    """The transform or Compose a file's content describes. An unknown transform or argument raises
    ValueError naming it and its place in the file ("transform.transforms[2]: ...")."""
    if not isinstance(transform_dict, Mapping) or "transform" not in transform_dict:
        raise ValueError(
            "from_dict expects a pipeline file's content {'__version__': ..., 'transform': {...}}, got "
            f"{type(transform_dict).__name__}"
        )
    python_made: list[BaseTransform] = []
    body = _swap_python_transforms(transform_dict["transform"], "transform", nonserializable, python_made)
    normal = _core.read_pipeline_file({**transform_dict, "transform": body})
    return _build(normal["transform"], "transform", python_made)


def _swap_python_transforms(
    node: Any, where: str, nonserializable: dict[str, Any] | None, made: list[BaseTransform]
) -> Any:
    """The description with every transform written in Python built here and standing as an
    ExternalTransform (its index in `made`), for the core to read the rest."""
    if not isinstance(node, Mapping):
        return node
    name = node.get("__class_fullname__")
    if name == "Lambda" or "__name__" in node:
        made.append(_nonserializable(node, where, nonserializable))
    elif isinstance(name, str) and not is_registered(name):
        cls = _python_classes().get(name)
        if cls is None:
            return node  # the core names it as unknown
        arguments = {k: v for k, v in node.items() if k != "__class_fullname__"}
        made.append(_built(lambda: cls(**arguments), where))
    else:
        return map_children(
            node, lambda child, path: _swap_python_transforms(child, where + path, nonserializable, made)
        )
    return {"__class_fullname__": "ExternalTransform", "key": len(made) - 1, "p": made[-1].p}


def _nonserializable(node: Mapping[str, Any], where: str, nonserializable: dict[str, Any] | None) -> Any:
    name = node.get("__name__")
    found = (nonserializable or {}).get(name)  # type: ignore[arg-type]
    if found is None:
        raise ValueError(
            f"{where}: the Lambda {name!r} is not saved in files: pass it to load or from_dict as "
            f"nonserializable={{{name!r}: the_transform}}"
        )
    if not isinstance(found, BaseTransform):
        raise TypeError(f"nonserializable[{name!r}] must be an instaug transform, got {type(found).__name__}")
    return found


def _built(make: Any, where: str) -> Any:
    """make(), with an error naming the place in the file."""
    try:
        return make()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from exc


def _build(node: dict[str, Any], where: str, python_made: list[BaseTransform]) -> Any:
    import instaug

    name = node["__class_fullname__"]
    if name == "ExternalTransform":
        return python_made[node["key"]]
    arguments = map_children(
        {k: v for k, v in node.items() if k != "__class_fullname__"},
        lambda child, path: _build(child, where + path, python_made),
    )
    for key in ("bbox_params", "keypoint_params"):
        if arguments.get(key) is not None:
            arguments[key] = decode_mappings(arguments[key])
    return _built(lambda: getattr(instaug, name)(**arguments), where)


def _check_format(data_format: str) -> None:
    if data_format not in ("json", "yaml"):
        raise ValueError(f"data_format must be 'json' or 'yaml', got {data_format!r}")


def _yaml() -> Any:
    try:
        import yaml
    except ImportError as exc:
        raise ImportError("YAML files need PyYAML: pip install pyyaml") from exc
    return yaml


def save(
    transform: Any,
    filepath_or_buffer: str | Path | TextIO,
    data_format: str = "json",
    on_not_implemented_error: str = "raise",
) -> None:
    """Writes the transform's file (JSON, or YAML through PyYAML) to a path or an open text file."""
    _check_format(data_format)
    content = to_dict(transform, on_not_implemented_error)
    if isinstance(filepath_or_buffer, (str, Path)):
        with open(filepath_or_buffer, "w") as f:
            _write(content, f, data_format)
    else:
        _write(content, filepath_or_buffer, data_format)


def _write(content: dict[str, Any], f: TextIO, data_format: str) -> None:
    if data_format == "yaml":
        _yaml().safe_dump(content, f, default_flow_style=False, sort_keys=False)
    else:
        json.dump(content, f, indent=2)


def load(
    filepath_or_buffer: str | Path | TextIO,
    data_format: str = "json",
    nonserializable: dict[str, Any] | None = None,
) -> Any:
    """Reads a file written by save (or by albumentationsx) from a path or an open text file."""
    _check_format(data_format)
    if isinstance(filepath_or_buffer, (str, Path)):
        with open(filepath_or_buffer) as f:
            content = _read(f, data_format)
    else:
        content = _read(filepath_or_buffer, data_format)
    return from_dict(content, nonserializable)


def _read(f: TextIO, data_format: str) -> Any:
    return _yaml().safe_load(f) if data_format == "yaml" else json.load(f)
