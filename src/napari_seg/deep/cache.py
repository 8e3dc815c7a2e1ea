"""Load each (checkpoint, device) once and keep it: the one model cache, its owner holds it.

There is no hidden process-wide cache: the U-Net widget owns one, each command run makes
one, and a batch worker keeps one for its lifetime. What counts as "the same checkpoint"
is a key function of the file:

* :func:`file_key` (default): resolved path, size and mtime; cheap, for a user's own
  files that change only when rewritten.
* :func:`content_key`: the file's SHA-256; for batch workers, where the same weights may
  come under several paths and a file replaced within one mtime tick must load again.

Importing this module does not import torch (a batch without the U-Net never needs it).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files import sha256_of

if TYPE_CHECKING:
    import torch

    from .checkpoint import CheckpointMeta

__all__ = ["ModelCache", "content_key", "file_key"]

KeyFunction = Callable[[Path], Hashable]


def file_key(path: Path) -> Hashable:
    """``(resolved path, size, mtime in ns)``; a missing file keys as size and mtime -1."""
    p = Path(path).resolve()
    st = p.stat() if p.exists() else None
    return (str(p), st.st_size if st else -1, st.st_mtime_ns if st else -1)


def content_key(path: Path) -> Hashable:
    """The file's SHA-256 (a missing file keys by its path, and then fails to load)."""
    p = Path(path)
    return sha256_of(p) if p.is_file() else ("missing", str(p.resolve()))


class ModelCache:
    """Networks keyed by ``key(path)`` and device, least recently used out.

    Parameters
    ----------
    size : int
        How many networks to keep (each holds its weights on its device).
    key : callable, optional
        ``key(path) -> hashable``: which files count as one checkpoint
        (default :func:`file_key`; :func:`content_key` hashes the bytes).
    """

    def __init__(self, size: int = 2, *, key: KeyFunction = file_key) -> None:
        if size < 1:
            raise ValueError(f"a model cache holds at least 1 network, got size={size}")
        self.size = size
        self.key = key
        self._items: OrderedDict[Hashable, tuple[Any, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # how many times a file was actually read (for tests and logs)

    def get(
        self, path: str | os.PathLike[str], device: str | torch.device = "auto"
    ) -> tuple[torch.nn.Module, CheckpointMeta, torch.device]:
        """The network on ``device`` (loaded if needed), its metadata and the device.

        Raises
        ------
        CheckpointError
            The file cannot be loaded; nothing is cached then.
        """
        from .checkpoint import load_checkpoint
        from .device import select_device

        dev = select_device(device)
        p = Path(path)
        key = (self.key(p), str(dev))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                model, meta = self._items[key]
                return model, meta, dev
        model, meta = load_checkpoint(p.resolve())
        model = model.to(dev).eval()
        with self._lock:
            self.loads += 1
            self._items[key] = (model, meta)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return model, meta, dev

    def clear(self) -> None:
        """Drop every network (their memory is freed when nothing else holds them)."""
        with self._lock:
            self._items.clear()
