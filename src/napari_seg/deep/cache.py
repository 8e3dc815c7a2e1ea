"""Load each (checkpoint, device) once and keep it: a small, explicit cache its owner holds.

There is no process-wide cache: the U-Net widget owns one, each command run makes one.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

import torch

from .checkpoint import CheckpointMeta, load_checkpoint
from .device import select_device

__all__ = ["ModelCache"]


class ModelCache:
    """Networks keyed by (resolved path, file size, mtime, device), least recently used out.

    Parameters
    ----------
    size : int
        How many networks to keep (each holds its weights on its device).
    """

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self._items: OrderedDict[tuple, tuple[torch.nn.Module, CheckpointMeta]] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # how many times a file was actually read (for tests and logs)

    def get(
        self, path: str | os.PathLike[str], device: str | torch.device = "auto"
    ) -> tuple[torch.nn.Module, CheckpointMeta, torch.device]:
        """The network on ``device`` (loaded if needed), its metadata and the device."""
        dev = select_device(device)
        p = Path(path).resolve()
        st = p.stat() if p.exists() else None
        key = (str(p), st.st_size if st else -1, st.st_mtime_ns if st else -1, str(dev))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                model, meta = self._items[key]
                return model, meta, dev
        model, meta = load_checkpoint(p)  # raises CheckpointError; nothing is cached then
        model = model.to(dev).eval()
        with self._lock:
            self.loads += 1
            self._items[key] = (model, meta)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return model, meta, dev

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
