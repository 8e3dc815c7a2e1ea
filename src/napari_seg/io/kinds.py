"""Decide whether a volume is a label map or an image, from its path and values."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

import numpy as np

from .errors import NiftiError
from .nifti import INTENT_LABEL, nifti_stem

__all__ = [
    "CT_WINDOWS",
    "MAX_LABEL_VALUES",
    "Kind",
    "as_labels",
    "guess_kind",
    "looks_like_ct",
    "window_limits",
]

Kind = Literal["image", "labels"]

#: An integer volume with at most this many distinct values counts as labels.
MAX_LABEL_VALUES = 64
_LABEL_DIRS = {"labelstr", "labelsts"}
_LABEL_NAME = re.compile(r"(^|[_\-.])(seg|segmentation|label|labels|mask)$", re.IGNORECASE)
_SAMPLE = 2_000_000


def guess_kind(path: str | os.PathLike[str] | None, data: np.ndarray, *, intent: int = 0) -> Kind:
    """``"labels"`` or ``"image"`` for a volume loaded from ``path``.

    Labels when the file says so (NIfTI ``intent`` code 1002, ``NIFTI_INTENT_LABEL``,
    whatever the number of values: a 116-region atlas is labels), when the file
    lives under ``labelsTr/`` or ``labelsTs/``, when its name ends in ``_seg``,
    ``_label(s)``, ``_mask`` (or ``-seg`` etc.), or when it holds integers with
    at most :data:`MAX_LABEL_VALUES` distinct non-negative values (checked on an
    evenly strided sample of up to 2M voxels, then on all voxels). Everything
    else is an image.

    Parameters
    ----------
    path : path-like or None
        Where the volume came from (only its name and folders are looked at).
    data : numpy.ndarray
        The voxels, any shape.
    intent : int, keyword-only
        The file's NIfTI intent code (0 when it has none).
    """
    if intent == INTENT_LABEL:
        return "labels"
    if path is not None:
        p = Path(path)
        if any(part.lower() in _LABEL_DIRS for part in p.parts[:-1]):
            return "labels"
        if _LABEL_NAME.search(nifti_stem(p)):
            return "labels"
    if not (np.issubdtype(data.dtype, np.integer) or data.dtype == bool) or data.size == 0:
        return "image"
    flat = data.reshape(-1)
    sample = flat[:: max(1, flat.size // _SAMPLE)]
    values = np.unique(sample)
    if values[0] < 0 or values.size > MAX_LABEL_VALUES:
        return "image"
    values = np.unique(flat)  # the sample can miss rare values: confirm on everything
    return "labels" if values[0] >= 0 and values.size <= MAX_LABEL_VALUES else "image"


#: Display windows for CT as (width, level) in HU, as radiology viewers name them.
CT_WINDOWS: dict[str, tuple[float, float]] = {
    "soft tissue": (400.0, 40.0),
    "liver": (150.0, 30.0),
    "bone": (1800.0, 400.0),
    "lung": (1500.0, -600.0),
    "brain": (80.0, 40.0),
}


def window_limits(width: float, level: float) -> tuple[float, float]:
    """Contrast limits ``(level - width / 2, level + width / 2)`` of a W/L window (HU)."""
    if not width > 0:
        raise ValueError(f"window width must be positive, got {width}")
    return (level - width / 2, level + width / 2)


def looks_like_ct(data: np.ndarray, *, modality: str | None = None) -> bool:
    """True for a volume in Hounsfield units: the modality says CT, or the values look like it.

    Without a modality: signed integers whose minimum (on a strided sample of up
    to 2M voxels) lies in -3100..-900 HU (air, or the scanner's padding outside the
    field of view: -1024, -2048, -3024) and whose maximum is above 100 HU (soft
    tissue, contrast, bone).
    """
    if modality is not None:
        return modality.strip().upper() == "CT"
    if data.size == 0 or not np.issubdtype(data.dtype, np.signedinteger):
        return False
    flat = data.reshape(-1)
    sample = flat[:: max(1, flat.size // _SAMPLE)]
    return -3100 <= int(sample.min()) <= -900 and int(sample.max()) > 100


def as_labels(data: np.ndarray, path: str | os.PathLike[str]) -> np.ndarray:
    """Integer labels from a label file, also one stored as floats (whole numbers only).

    Raises
    ------
    NiftiError
        Negative values (an image given as labels, such as a CT in HU), or float
        values that are not whole numbers, not finite, or beyond int32.
    """
    if np.issubdtype(data.dtype, np.integer) or data.dtype == bool:
        if np.issubdtype(data.dtype, np.signedinteger) and data.size and data.min() < 0:
            raise NiftiError(path, f"labels must be non-negative (found {data.min()}): "
                             "is this an image?")  # fmt: skip
        return data
    finite = np.isfinite(data)
    if not finite.all() or (data < 0).any() or (data > np.iinfo(np.int32).max).any():
        raise NiftiError(
            path, "labels stored as floats must be finite, non-negative whole numbers"
        )
    whole = np.rint(data)
    if not np.array_equal(whole, data):
        raise NiftiError(path, "labels stored as floats must be whole numbers (found fractions)")
    return whole.astype(np.int32)
