"""What a batch segments: a folder of volumes or DICOM series, a Decathlon task, a path list."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from ..io import is_decathlon_path, is_volume_path, load_decathlon, volume_stem
from ..io.dicom_series import find_series, is_dicom_path

__all__ = ["batch_inputs"]

_VOLUME = (".nii", ".nii.gz", ".nrrd", ".nhdr")


def _is_nifti(p: Path) -> bool:
    """A NIfTI or NRRD image file (not a Slicer segmentation, not a macOS ``._`` file)."""
    name = p.name.lower()
    return (
        name.endswith(_VOLUME) and not name.endswith(".seg.nrrd") and not p.name.startswith("._")
    )


def _dicom_cases(folder: Path) -> list[tuple[str, Path]]:
    """One case per DICOM series: named after its description and number, read via one file."""
    cases = []
    for s in find_series(folder):
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", s.description).strip("_") or "series"
        cases.append((f"{stem}_{s.number or s.uid[-8:]}", s.files[0]))
    return cases


def batch_inputs(
    source: str | os.PathLike[str], *, split: Literal["test", "train"] = "test"
) -> list[tuple[str, Path]]:
    """``(case name, image path)`` for every volume of ``source``, in a stable order.

    Parameters
    ----------
    source : path-like
        A folder of ``.nii``/``.nii.gz``/``.nrrd``/``.nhdr`` files; a folder of DICOM
        series (one case per series, read through one of its files); a Decathlon task
        folder (its ``imagesTs`` cases, or with ``split="train"`` its training images);
        one volume file; or a text file with one path per line (relative paths from the
        file's folder; ``#`` comments).
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
        found = [(volume_stem(f), f) for f in sorted(p.iterdir()) if f.is_file() and _is_nifti(f)]
        if not found and is_dicom_path(p):
            found = _dicom_cases(p)
    elif p.is_file() and is_volume_path(p):
        found = _dicom_cases(p) if is_dicom_path(p) else [(volume_stem(p), p)]
    elif p.is_file():
        found = []
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            f = Path(text) if Path(text).is_absolute() else p.parent / text
            if not f.exists():
                raise ValueError(f"{p}:{n}: no such file {text!r}")
            found.append((volume_stem(f), f))
    else:
        raise ValueError(
            f"{p}: not a folder of volumes or DICOM series, a Decathlon task or a list of paths"
        )
    if not found:
        raise ValueError(
            f"{p}: nothing to segment (no .nii/.nii.gz/.nrrd/.nhdr or DICOM series, or an "
            f"empty {split} split)"
        )
    names = [name for name, _ in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"{p}: case names {twice[:5]} appear twice; their outputs would collide")
    return found
