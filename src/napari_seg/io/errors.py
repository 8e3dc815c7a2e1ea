"""Error types of the I/O package: one per concern, each naming the file."""

from __future__ import annotations

import os

__all__ = ["DecathlonError", "DicomError", "NiftiError", "NrrdError"]


class NiftiError(ValueError):
    """A NIfTI file that cannot be read or written; ``path`` and ``reason`` are kept."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class DecathlonError(ValueError):
    """A Medical Segmentation Decathlon task folder that is malformed or unsafe."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class NrrdError(ValueError):
    """A NRRD (``.nrrd``, ``.nhdr``, ``.seg.nrrd``) file that cannot be read or written."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class DicomError(ValueError):
    """A DICOM series, file, DICOMDIR or DICOM SEG that cannot be read or written."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
