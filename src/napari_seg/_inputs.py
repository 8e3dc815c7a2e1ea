"""Every file a command reads, and the check that no output is one of them.

A command collects its inputs first (:meth:`InputFiles.add`: a file, a folder's
files, a Decathlon task's ``dataset.json`` and every file it names, a checkpoint),
then checks each output against them *before* any work starts
(:meth:`InputFiles.check_output`, :meth:`InputFiles.check_output_folder`). Files
are compared by device and inode (so a symlink or a hard link to an input is the
input) and by resolved path. ``--overwrite`` replaces earlier outputs, never an
input: it does not reach this check.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["InputFiles", "task_files"]

#: Files looked at in one input folder (a folder of a million files is not a batch input).
MAX_FOLDER_FILES = 200_000


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()  # follows symlinks: a link to an input is the input
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare it as written
        return path.absolute()


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def task_files(root: Path) -> list[Path]:
    """``dataset.json`` and every file it names (read leniently: a malformed file names none).

    The folders ``imagesTr``, ``labelsTr`` and ``imagesTs`` are included as they are
    on disk too (a task without a ``test`` list reads ``imagesTs``).
    """
    meta_path = root / "dataset.json"
    out = [meta_path]
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        meta = {}
    if isinstance(meta, dict):
        for key in ("training", "test"):
            for rel in _strings(meta.get(key)):
                if rel and not os.path.isabs(rel):
                    out.append(root / rel)
    for sub in ("imagesTr", "labelsTr", "imagesTs"):
        out.extend(_folder_files(root / sub))
    return out


def _folder_files(folder: Path) -> list[Path]:
    try:
        entries = sorted(folder.iterdir())[:MAX_FOLDER_FILES]
    except OSError:
        return []
    return [p for p in entries if not p.is_dir()]


class InputFiles:
    """The set of files (and folders) a command reads."""

    def __init__(self) -> None:
        self._ids: dict[tuple[int, int], Path] = {}
        self._paths: dict[Path, Path] = {}
        self._folders: dict[Path, Path] = {}

    def add_file(self, path: str | os.PathLike[str] | None) -> None:
        """One input file (kept also when it does not exist: it may by the time we write)."""
        if path is None:
            return
        p = Path(path)
        ident = _identity(p)
        if ident is not None:
            self._ids.setdefault(ident, p)
        self._paths.setdefault(_resolved(p), p)

    def add(self, path: str | os.PathLike[str] | None) -> InputFiles:
        """An input as a command takes it: a file, a folder of files, or a Decathlon task."""
        if path is None:
            return self
        p = Path(path)
        if p.name == "dataset.json" and not p.is_dir():
            p = p.parent
        if p.is_dir():
            self._folders.setdefault(_resolved(p), p)
            files = task_files(p) if (p / "dataset.json").exists() else _folder_files(p)
            for f in files:
                self.add_file(f)
            if (p / "dataset.json").exists() or (p / "dataset.json").is_symlink():
                self.add_file(p / "dataset.json")
        else:
            self.add_file(p)
        return self

    def add_all(self, paths: Iterable[str | os.PathLike[str] | None]) -> InputFiles:
        for p in paths:
            self.add(p)
        return self

    def clash(self, output: str | os.PathLike[str]) -> Path | None:
        """The input ``output`` would overwrite, or None."""
        out = Path(output)
        ident = _identity(out)
        if ident is not None and ident in self._ids:
            return self._ids[ident]
        return self._paths.get(_resolved(out))

    def check_output(self, output: str | os.PathLike[str] | None, *, option: str) -> None:
        """Raise ``ValueError`` (one line naming both) if ``output`` is an input."""
        if output is None:
            return
        hit = self.clash(output)
        if hit is not None:
            raise ValueError(
                f"{option} {output}: this is the input file {hit}; choose another output "
                "(inputs are never overwritten, not even with --overwrite)"
            )

    def check_output_folder(self, folder: str | os.PathLike[str], *, option: str) -> None:
        """Raise ``ValueError`` if ``folder`` is an input folder or holds an input file."""
        out = _resolved(Path(folder))
        if out in self._folders:
            raise ValueError(
                f"{option} {folder}: this is the input folder {self._folders[out]}; "
                "choose another output folder"
            )
        for resolved, given in self._paths.items():
            if resolved.is_relative_to(out):
                raise ValueError(
                    f"{option} {folder}: it holds the input file {given}; "
                    "choose another output folder"
                )
        ident = _identity(Path(folder))
        if ident is not None:
            for f in self._folders:
                if _identity(f) == ident:
                    raise ValueError(
                        f"{option} {folder}: this is the input folder {self._folders[f]}; "
                        "choose another output folder"
                    )
