"""What a batch segments: a folder of volumes or DICOM series, a Decathlon task, a path list."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from ..io import is_decathlon_path, is_volume_path, load_decathlon, volume_stem
from ..io.dicom_series import find_series, is_dicom_path

__all__ = ["batch_inputs", "channel_count", "check_channel"]

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


def channel_count(image: Path) -> int | None:
    """Channels of a volume file from its header alone (1 for a 3-D one); None if unknown.

    NIfTI: the 4th dimension; NRRD: the size of its one non-spatial axis; a DICOM
    series is one channel. A header that cannot be read gives None (the case's own
    load reports it).
    """
    from ..io._nrrd_read import read_nrrd_header
    from ..io.nifti import is_nifti_path
    from ..io.nrrd import is_nrrd_path, nrrd_geometry
    from ..io.slicer_seg import is_seg_nrrd_path
    from ..io.validate import read_header

    try:
        if is_seg_nrrd_path(image):
            return None
        if is_nrrd_path(image):
            header, _ = read_nrrd_header(image)
            _, others = nrrd_geometry(header, image)
            return int(header["sizes"][others[0]]) if len(others) == 1 else 1
        if not is_nifti_path(image) and is_dicom_path(image):
            return 1
        dims = read_header(image).get_data_shape()
    except Exception:  # any unreadable header: the case's own load says why
        return None
    return int(dims[3]) if len(dims) == 4 else 1


def check_channel(cases: list[tuple[str, Path]], channel: int) -> None:
    """Refuse ``--channel`` before a batch starts when an input has no such channel.

    Raises
    ------
    ValueError
        One line naming the first such file, its channel count and how many others lack it.
    """
    if channel == 0:  # every volume has a channel 0
        return
    short = []
    for _, image in cases:
        n = channel_count(Path(image))
        if n is not None and not 0 <= channel < n:
            short.append((image, n))
    if short:
        image, n = short[0]
        more = f" (and {len(short) - 1} more of the {len(cases)} inputs)" if len(short) > 1 else ""
        raise ValueError(f"--channel {channel}: {image} has {n} channel(s){more}")
