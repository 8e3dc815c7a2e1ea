"""What a batch segments: a folder of NIfTI files, a Decathlon task, or a text file of paths."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from ..io import is_decathlon_path, load_decathlon, nifti_stem

__all__ = ["batch_inputs"]

_NIFTI = (".nii", ".nii.gz")


def _is_nifti(p: Path) -> bool:
    return p.name.lower().endswith(_NIFTI) and not p.name.startswith("._")


def batch_inputs(
    source: str | os.PathLike[str], *, split: Literal["test", "train"] = "test"
) -> list[tuple[str, Path]]:
    """``(case name, image path)`` for every volume of ``source``, in a stable order.

    Parameters
    ----------
    source : path-like
        A folder of ``.nii``/``.nii.gz`` files; a Decathlon task folder (its ``imagesTs``
        cases, or with ``split="train"`` its training images); or a text file with one
        path per line (relative paths from the file's folder; ``#`` comments).
    split : {"test", "train"}
        Which images of a Decathlon task.

    Raises
    ------
    ValueError
        Nothing to segment, a listed file missing, or two inputs with the same case name
        (their outputs would overwrite each other).
    """
    p = Path(source)
    if is_decathlon_path(p):
        task = load_decathlon(p)
        cases = task.test if split == "test" else task.training
        found = [(c.name, c.image) for c in cases]
    elif p.is_dir():
        found = [(nifti_stem(f), f) for f in sorted(p.iterdir()) if f.is_file() and _is_nifti(f)]
    elif p.is_file() and not _is_nifti(p):
        found = []
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            f = Path(text) if Path(text).is_absolute() else p.parent / text
            if not f.is_file():
                raise ValueError(f"{p}:{n}: no such file {text!r}")
            found.append((nifti_stem(f), f))
    else:
        raise ValueError(
            f"{p}: not a folder of NIfTI files, a Decathlon task or a text file of paths"
        )
    if not found:
        raise ValueError(f"{p}: nothing to segment (no .nii/.nii.gz, or an empty {split} split)")
    names = [name for name, _ in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"{p}: case names {twice[:5]} appear twice; their outputs would collide")
    return found
