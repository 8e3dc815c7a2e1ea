"""Atomic file writes shared by every writer (NIfTI, checkpoints, training state, metrics)."""

from __future__ import annotations

import glob
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "refuse_overwriting_inputs", "sha256_of", "write_text"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success move it over ``path``.

    The temporary file is in the same folder (so :func:`os.replace` is atomic),
    named ``.<name>.<random><suffix>`` (writers that choose a format by the
    extension get the one they expect), and given the mode a plain ``open()``
    would (the existing file's mode when replacing one). The file and then the
    folder are fsynced around the rename, so a power loss leaves the old file
    or the new one, never an empty one. On any error it is removed and ``path``
    is left exactly as it was; temporaries of ``path`` older than
    :data:`STALE_SECONDS` (left by a killed writer) are deleted first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path, suffix)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp makes the file private; give it the mode a plain open() would
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        _fsync(tmp)  # the bytes are on disk before the name points at them
        os.replace(tmp, path)
        _fsync(path.parent)  # and the new name survives a power loss
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


#: A temporary file of ours older than this was left by a killed process.
STALE_SECONDS = 600.0


def _remove_stale(path: Path, suffix: str) -> None:
    """Delete temporaries of ``path`` left by a writer that was killed (kill -9, power loss)."""
    now = time.time()
    for old in path.parent.glob(f".{glob.escape(path.name)}.*{suffix}"):
        try:
            if now - old.stat().st_mtime > STALE_SECONDS:
                old.unlink()
        except OSError:  # another process removed or holds it: not ours to fight over
            continue


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a folder
        pass
    finally:
        os.close(fd)


def refuse_overwriting_inputs(
    output: str | os.PathLike[str],
    inputs: list[str | os.PathLike[str] | None],
    *,
    option: str = "output",
) -> None:
    """Raise ``ValueError`` if ``output`` is one of ``inputs`` (also through links).

    No input file is ever overwritten: a labels file written over the CT it came
    from, or a CSV over the ground truth, destroys the user's data. A folder input
    stands for its files, a Decathlon task for ``dataset.json`` and every file it
    names (see :class:`napari_seg._inputs.InputFiles`).
    """
    from ._inputs import InputFiles

    InputFiles().add_all(inputs).check_output(output, option=option)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`atomic_path`."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")
    return path


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks (a checkpoint's identity)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
