"""Atomic file writes shared by every writer (NIfTI, checkpoints, training state, metrics)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "refuse_overwriting_inputs"]


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
    would (the existing file's mode when replacing one). On any error it is
    removed and ``path`` is left exactly as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp makes the file private; give it the mode a plain open() would
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def refuse_overwriting_inputs(
    output: str | os.PathLike[str], inputs: list[str | os.PathLike[str] | None]
) -> None:
    """Raise ``ValueError`` if ``output`` is one of ``inputs`` (also through links).

    No input file is ever overwritten: a labels file written over the CT it came
    from, or a CSV over the ground truth, destroys the user's data.
    """
    out = Path(output)
    for given in inputs:
        if given is None:
            continue
        src = Path(given)
        same = out.exists() and src.exists() and os.path.samefile(out, src)
        if same or out.resolve() == src.resolve():
            raise ValueError(f"{out}: this is the input file {src}; choose another output")
