"""Find the DICOM series under a path (folder, DICOMDIR or one file) and pick one.

Only headers are read here (``stop_before_pixels``); files that are not DICOM are
skipped in a folder. A series is identified by its ``SeriesInstanceUID``; users
pick one by its index in the listing or by its UID (or a unique UID prefix).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DicomError

__all__ = ["MAX_FILES", "SeriesInfo", "find_series", "is_dicom_path", "pick_series"]

#: A folder with more files than this is refused (a wrong folder, e.g. a home directory).
MAX_FILES = 100_000
_DICOM_SUFFIXES = (".dcm", ".dicom", ".ima")


@dataclass
class SeriesInfo:
    """One series: its UID, what the listing shows, and its files with their headers."""

    uid: str
    description: str = ""
    number: str = ""
    modality: str = ""
    headers: list = field(default_factory=list)  # pydicom Datasets, no pixel data
    files: list[Path] = field(default_factory=list)

    def label(self) -> str:
        """``'CT ABDOMEN' (series 2, CT, 120 files, UID 1.2.3...)`` for listings."""
        return (
            f"{self.description or 'no description'!r} (series {self.number or '?'}, "
            f"{self.modality or '?'}, {len(self.files)} files, UID {self.uid})"
        )


def _has_magic(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            f.seek(128)
            return f.read(4) == b"DICM"
    except OSError:
        return False


def is_dicom_path(path: str | os.PathLike[str]) -> bool:
    """True for a DICOMDIR, a DICOM file, or a folder holding DICOM files (first 50 looked at)."""
    p = Path(path)
    if p.is_file():
        return p.name.upper() == "DICOMDIR" or p.suffix.lower() in _DICOM_SUFFIXES or _has_magic(p)
    if not p.is_dir():
        return p.suffix.lower() in _DICOM_SUFFIXES or p.name.upper() == "DICOMDIR"
    if (p / "DICOMDIR").is_file():
        return True
    seen = 0
    for root, dirs, files in os.walk(p):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name == "dataset.json":
                continue
            seen += 1
            if _has_magic(Path(root) / name):
                return True
            if seen >= 50:
                return False
    return False


def _candidates(p: Path) -> tuple[list[Path], str | None]:
    """Files to look at and, for a single file, the series it belongs to."""
    import pydicom

    if p.is_file() and p.name.upper() != "DICOMDIR":
        ds = _header(p)
        if ds is None:
            raise DicomError(p, "not a DICOM file (no DICM preamble and no readable header)")
        uid = str(getattr(ds, "SeriesInstanceUID", ""))
        return sorted(f for f in p.parent.iterdir() if f.is_file()), uid
    dicomdir = p if p.is_file() else p / "DICOMDIR"
    if dicomdir.is_file():
        try:
            ds = pydicom.dcmread(dicomdir, force=True)
            records = ds.DirectoryRecordSequence
        except Exception as exc:  # pydicom raises many types for a damaged DICOMDIR
            raise DicomError(dicomdir, f"not a readable DICOMDIR ({exc})") from exc
        files = []
        for rec in records:
            parts = rec.get("ReferencedFileID")
            if parts is not None and rec.get("DirectoryRecordType", "") == "IMAGE":
                parts = [parts] if isinstance(parts, str) else list(parts)
                files.append(dicomdir.parent.joinpath(*[str(x) for x in parts]))
        return files, None
    files = []
    for root, dirs, names in os.walk(p):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files += [Path(root) / n for n in sorted(names) if not n.startswith(".")]
        if len(files) > MAX_FILES:
            raise DicomError(
                p, f"more than {MAX_FILES} files below this folder; pick a series folder"
            )
    return files, None


def _header(path: Path):
    """The header of a DICOM file, or None when it is not one."""
    import pydicom

    try:
        return pydicom.dcmread(path, stop_before_pixels=True)
    except Exception:  # not DICOM, or damaged beyond reading: skipped in a folder
        return None


def find_series(path: str | os.PathLike[str]) -> list[SeriesInfo]:
    """Every image series under ``path``, in (series number, UID) order.

    A single file gives only the series it belongs to (its folder is searched for
    the other files). DICOM SEG and other non-image objects are left out.

    Raises
    ------
    DicomError
        The path does not exist or holds no DICOM image.
    """
    p = Path(path)
    if not p.exists():
        raise DicomError(p, "no such file or folder")
    files, only = _candidates(p)
    series: dict[str, SeriesInfo] = {}
    for f in files:
        ds = _header(f) if f.is_file() else None
        try:  # pydicom parses lazily: a damaged element fails here, and the file is skipped
            keys = ("SeriesInstanceUID", "SeriesDescription", "SeriesNumber", "Modality")
            uid, text, number, modality = (str(ds.get(k, "")) for k in keys)
            image = "Rows" in ds and modality != "SEG"
        except Exception:
            continue
        if not image or (only is not None and uid != only):
            continue
        info = series.setdefault(uid, SeriesInfo(uid, text, number, modality))
        info.headers.append(ds)
        info.files.append(f)
    if not series:
        raise DicomError(p, "no DICOM image files found")
    return sorted(series.values(), key=lambda s: (_number(s.number), s.uid))


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("inf")


def pick_series(path: str | os.PathLike[str], series: str | int | None = None) -> SeriesInfo:
    """The one series under ``path``, or the one ``series`` names.

    ``series`` is an index in the listing, a UID, a unique UID prefix, or a series
    description (case-insensitive).

    Raises
    ------
    DicomError
        Several series and no choice (the message lists them, on one line), or a
        choice that matches none.
    """
    found = find_series(path)
    listing = "; ".join(f"[{i}] {s.label()}" for i, s in enumerate(found))
    if series is None or str(series) == "":
        if len(found) == 1:
            return found[0]
        raise DicomError(
            path,
            f"holds {len(found)} series; choose one with --series INDEX, UID or description, "
            f"or give one file of the series: {listing}",
        )
    text = str(series).strip()
    if text.isdigit() and int(text) < len(found):
        return found[int(text)]
    matches = (
        [s for s in found if s.uid == text]
        or [s for s in found if s.uid.startswith(text)]
        or [s for s in found if s.description.strip().lower() == text.lower()]
    )
    if len(matches) == 1:
        return matches[0]
    raise DicomError(path, f"--series {text} matches {len(matches)} of: {listing}")
