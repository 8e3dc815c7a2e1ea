"""The JSON Schema a Decathlon ``dataset.json`` is checked against.

Checked before any value is used, so a file of the wrong shape (a nested
object where a path belongs, ``"test": [{}]``, a label name that is a list)
is one :class:`~napari_seg.io.errors.DecathlonError` naming the key, not a
``KeyError`` or ``TypeError`` deep in the loader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from .errors import DecathlonError

__all__ = ["SCHEMA", "check_schema"]

_INDEX = {"type": "string", "pattern": "^[0-9]{1,5}$"}  # "0".."99999"
_PATH = {"type": "string", "minLength": 1, "maxLength": 4096}
_NAMES = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1024,
    "propertyNames": _INDEX,
    "additionalProperties": {"type": "string", "maxLength": 200},
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "modality", "labels", "training"],
    "properties": {
        "name": {"type": "string", "maxLength": 200},
        "description": {"type": "string"},
        "tensorImageSize": {"enum": ["3D", "4D"]},
        "modality": {**_NAMES, "maxProperties": 64},
        "labels": _NAMES,
        "numTraining": {"type": "integer", "minimum": 0},
        "numTest": {"type": "integer", "minimum": 0},
        "training": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["image"],
                "properties": {"image": _PATH, "label": {"anyOf": [_PATH, {"type": "null"}]}},
            },
        },
        "test": {
            "type": "array",
            "items": {
                "anyOf": [
                    _PATH,
                    {"type": "object", "required": ["image"], "properties": {"image": _PATH}},
                ]
            },
        },
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _where(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the top level"


def check_schema(meta: Any, path: Path) -> None:
    """Raise :class:`DecathlonError` naming the first key of ``meta`` breaking :data:`SCHEMA`."""
    error = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(meta))
    if error is None:
        return
    message = error.message
    if error.validator == "anyOf":  # a path entry of the wrong kind
        message = f"{error.instance!r} is not a relative path"
    if len(message) > 160:
        message = message[:157] + "..."
    raise DecathlonError(path, f"{_where(error.absolute_path)}: {message}")
