"""Start a training run from a checkpoint's weights (``train --init``), checked first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from .._files import sha256_of
from .checkpoint import CheckpointError, CheckpointMeta, load_checkpoint, load_weights

__all__ = ["load_init"]


#: Metadata an --init checkpoint must share with the run, and the option that sets each.
_INIT_FIELDS = {
    "network": "--model", "config": "--size", "overrides": "--model", "in_channels":
    "the task's modalities", "out_channels": "the task's labels", "intensity_window":
    "--intensity-window", "target_spacing": "--spacing", "orientation": "the orientation",
}  # fmt: skip


def load_init(model: torch.nn.Module, meta: CheckpointMeta, path) -> dict[str, Any]:
    """Copy an ``--init`` checkpoint's weights into ``model``; its provenance for the metadata.

    Raises
    ------
    CheckpointError
        The checkpoint's network or preprocessing differs from the run's (each
        difference named with the option that sets it).
    """
    start, theirs = load_checkpoint(path)
    diffs = [
        f"{field} {getattr(theirs, field)!r} (this run {getattr(meta, field)!r}: {option})"
        for field, option in _INIT_FIELDS.items()
        if _norm(getattr(theirs, field)) != _norm(getattr(meta, field))
    ]
    if diffs:
        raise CheckpointError(path, "--init does not fit this run: " + "; ".join(diffs))
    load_weights(model, start.state_dict(), Path(path))
    return {"checkpoint": str(path), "sha256": sha256_of(path)}


def _norm(value: Any) -> Any:
    return json.loads(json.dumps(value))  # tuples and lists, ints and floats compare alike
