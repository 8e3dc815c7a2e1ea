"""Files a training run writes next to its best checkpoint: ``last.pt`` and ``metrics.json``.

``last.pt`` holds only tensors, numbers and a JSON string, so it is read back with
``torch.load(weights_only=True)``; both files are written atomically.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from .._files import atomic_path
from .checkpoint import CheckpointError

__all__ = ["load_state", "save_state", "write_metrics"]


def save_state(path: Path, model, opt, scaler, epoch: int, history, best: float) -> None:
    """Everything a resumed run needs to continue exactly (the RNGs are reseeded per epoch)."""
    state = {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "scaler": scaler.state_dict(),
        # plain Python numbers: a numpy scalar (a Dice from numpy) would make the file
        # unreadable with ``weights_only=True``, so the run could never be resumed
        "epoch": int(epoch),
        "best": float(best),
        "history": json.dumps(history),
    }
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def load_state(path, model, opt, scaler) -> tuple[list[dict[str, Any]], int, float]:
    """Restore a ``last.pt`` into ``model``, ``opt`` and ``scaler``; (history, epoch, best)."""
    if path is None:
        return [], 0, -1.0
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        if state.get("scaler"):
            scaler.load_state_dict(state["scaler"])
    except Exception as exc:
        raise CheckpointError(path, f"cannot resume from it ({exc})") from exc
    return json.loads(state["history"]), int(state["epoch"]), float(state["best"])


def write_metrics(path: Path, cfg: Any, meta: Any, history: list, parameters: int) -> None:
    """``metrics.json``: the config (a dataclass), network, parameter count, per-epoch records."""
    text = json.dumps(
        {
            "config": asdict(cfg),
            "network": meta.network,
            "parameters": parameters,
            "epochs": history,
        },
        indent=2,
    )
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
