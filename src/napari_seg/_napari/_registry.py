"""Checkpoints trained in this napari session, offered at once to the U-Net widget."""

from __future__ import annotations

from pathlib import Path

from psygnal import Signal


class _Checkpoints:
    """Remembers trained checkpoints and tells listeners about each new one."""

    added = Signal(object)

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def add(self, path: Path) -> None:
        self.paths.append(Path(path))
        self.added.emit(Path(path))

    @property
    def latest(self) -> Path | None:
        return self.paths[-1] if self.paths else None


trained_checkpoints = _Checkpoints()
