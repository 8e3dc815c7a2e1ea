"""Label tables: what each label value means (name, colour, visible, locked), and where they live.

A :class:`LabelTable` is read from, and written to, the files clinicians' tools
use (see :mod:`._labelformats`): ITK-SNAP label descriptions, 3D Slicer colour
tables, FreeSurfer LUTs, MRIcron atlas names, and a Decathlon task's
``dataset.json`` (names only). :func:`table_for_volume` finds the table of a label
file: a sidecar of the same stem, else the ``dataset.json`` of the task folder
two levels up from a file in ``labelsTr/`` or ``labelsTs/``.
"""

from __future__ import annotations

import colorsys
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .._files import write_text
from . import _labelformats as fmt
from .nifti import nifti_stem

__all__ = ["LabelTable", "Segment", "default_color", "sidecar_path", "table_for_volume"]

RGBA = tuple[float, float, float, float]

#: ITK-SNAP's first label colours, then evenly spread hues (0..1 RGBA).
_PALETTE: tuple[RGBA, ...] = (
    (1.0, 0.0, 0.0, 1.0), (0.0, 1.0, 0.0, 1.0), (0.0, 0.0, 1.0, 1.0), (1.0, 1.0, 0.0, 1.0),
    (0.0, 1.0, 1.0, 1.0), (1.0, 0.0, 1.0, 1.0), (1.0, 0.94, 0.84, 1.0), (0.0, 0.0, 0.8, 1.0),
)  # fmt: skip


def default_color(value: int) -> RGBA:
    """The colour a label gets when its table gives none (transparent for 0)."""
    if value == 0:
        return (0.0, 0.0, 0.0, 0.0)
    if value <= len(_PALETTE):
        return _PALETTE[value - 1]
    r, g, b = colorsys.hsv_to_rgb((value * 0.618033988749895) % 1.0, 0.75, 0.95)
    return (r, g, b, 1.0)


def _rgba(color: Any) -> RGBA:
    """Four floats in 0..1 from 3 or 4 numbers in 0..1, or in 0..255 when any is above 1."""
    c = [float(x) for x in color]
    if len(c) not in (3, 4):
        raise ValueError(f"a colour has 3 or 4 components, got {color!r}")
    scale = 255.0 if max(c[:3]) > 1.0 or (len(c) == 4 and c[3] > 1.0) else 1.0
    c = [min(max(x / scale, 0.0), 1.0) for x in c]
    return (c[0], c[1], c[2], c[3] if len(c) == 4 else 1.0)


@dataclass(frozen=True)
class Segment:
    """One label value's meaning: ``name``, ``color`` (RGBA 0..1), ``visible``, ``locked``."""

    name: str
    color: RGBA
    visible: bool = True
    locked: bool = False


@dataclass(frozen=True)
class LabelTable:
    """Label value -> :class:`Segment`, and the file format it came from (None: made here).

    Tables are immutable: ``renamed``, ``recoloured``, ``with_segment``, ``without``
    and ``with_flags`` return new tables (an undo step keeps the old one).
    """

    segments: Mapping[int, Segment] = field(default_factory=dict)
    source_format: str | None = None

    # -- constructors ---------------------------------------------------------------------
    @classmethod
    def from_dict(
        cls, table: Mapping[Any, Any], *, source_format: str | None = None
    ) -> LabelTable:
        """From ``{value: {"name": str, "color": (r, g, b[, a])}}`` (0..1 or 0..255).

        Also takes ``{value: name}``; a missing colour gets :func:`default_color`,
        and ``"visible"``/``"locked"`` keys are kept. This is the boundary form other
        readers (DICOM SEG, NRRD segmentations) hand over.
        """
        segments = {}
        for key, spec in table.items():
            v = int(key)
            if isinstance(spec, str):
                spec = {"name": spec}
            color = spec.get("color")
            segments[v] = Segment(
                name=str(spec.get("name", f"label {v}")),
                color=_rgba(color) if color is not None else default_color(v),
                visible=bool(spec.get("visible", True)),
                locked=bool(spec.get("locked", False)),
            )
        return cls(dict(sorted(segments.items())), source_format)

    @classmethod
    def from_names(
        cls, names: Mapping[int, str], *, source_format: str | None = None
    ) -> LabelTable:
        """Names only (``dataset.json``): colours from :func:`default_color`."""
        return cls.from_dict(
            {int(v): str(n) for v, n in names.items()}, source_format=source_format
        )

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> LabelTable:
        """Read an ITK-SNAP, Slicer, FreeSurfer or MRIcron table (the format is detected).

        Raises
        ------
        ValueError
            The file cannot be read or is in none of these formats (the message names it).
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
            kind = fmt.detect(text, name=path.name)
            entries = fmt.parse(text, kind)
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: cannot read the label table ({exc})") from exc
        if kind == "mricron":
            entries = _mricron_colours(path, entries)
        return cls({v: Segment(n, c, vis) for v, (n, c, vis) in sorted(entries.items())}, kind)

    # -- views ----------------------------------------------------------------------------
    @property
    def names(self) -> dict[int, str]:
        """``{value: name}``."""
        return {v: s.name for v, s in self.segments.items()}

    @property
    def locked(self) -> set[int]:
        """The values no tool may change."""
        return {v for v, s in self.segments.items() if s.locked}

    def to_dict(self) -> dict[int, dict[str, Any]]:
        """``{value: {"name", "color", "visible", "locked"}}`` (colours 0..1), JSON-friendly."""
        return {
            v: {"name": s.name, "color": list(s.color), "visible": s.visible, "locked": s.locked}
            for v, s in self.segments.items()
        }

    def color_of(self, value: int) -> RGBA:
        """The value's colour (its default when the table does not list it)."""
        seg = self.segments.get(int(value))
        return seg.color if seg is not None else default_color(int(value))

    # -- edits (new tables) ---------------------------------------------------------------
    def _with(self, value: int, segment: Segment | None) -> LabelTable:
        segs = dict(self.segments)
        if segment is None:
            segs.pop(int(value), None)
        else:
            segs[int(value)] = segment
        return replace(self, segments=dict(sorted(segs.items())))

    def _get(self, value: int) -> Segment:
        return self.segments.get(int(value)) or Segment(f"label {value}", default_color(value))

    def renamed(self, value: int, name: str) -> LabelTable:
        """A table where ``value`` is called ``name``."""
        if not name.strip():
            raise ValueError(f"label {value}: a name cannot be empty")
        return self._with(value, replace(self._get(value), name=name.strip()))

    def recoloured(self, value: int, color: Any) -> LabelTable:
        """A table where ``value`` has ``color`` (RGB(A), 0..1 or 0..255)."""
        return self._with(value, replace(self._get(value), color=_rgba(color)))

    def with_flags(self, value: int, *, visible: bool | None = None, locked: bool | None = None):
        """A table where ``value`` is shown/hidden and locked/unlocked as given."""
        seg = self._get(value)
        return self._with(value, replace(
            seg, visible=seg.visible if visible is None else visible,
            locked=seg.locked if locked is None else locked,
        ))  # fmt: skip

    def with_segment(self, value: int, name: str | None = None) -> LabelTable:
        """A table with ``value`` added (default name and colour unless given)."""
        return self._with(value, Segment(name or f"label {value}", default_color(int(value))))

    def without(self, value: int) -> LabelTable:
        """A table without ``value``."""
        return self._with(value, None)

    def next_free(self, used: set[int] | None = None) -> int:
        """The smallest value above 0 that neither the table nor ``used`` holds."""
        taken = set(self.segments) | (used or set())
        v = 1
        while v in taken:
            v += 1
        return v

    # -- writing ----------------------------------------------------------------------------
    def write(self, path: str | os.PathLike[str], *, format: str | None = None) -> Path:
        """Write the table atomically, in ``format`` (default: the one it came from, else
        ITK-SNAP's; a table from ``dataset.json`` is written as ITK-SNAP's)."""
        kind = format or self.source_format
        if kind not in fmt.FORMATS or kind == "mricron":
            kind = "itksnap" if kind != "mricron" else "slicer"
        entries = {v: (s.name, s.color, s.visible) for v, s in self.segments.items()}
        return write_text(path, fmt.write(entries, kind))

    def sidecar_for(self, volume: str | os.PathLike[str]) -> Path:
        """Where :meth:`write` puts this table beside the label file ``volume``."""
        kind = self.source_format if self.source_format in fmt.FORMATS else "itksnap"
        return sidecar_path(volume, fmt.FORMATS["slicer" if kind == "mricron" else kind])


def _mricron_colours(path: Path, entries: dict) -> dict:
    """MRIcron names take their colours from the binary ``.lut`` beside them, if any."""
    lut = path.with_suffix(".lut")
    palette = fmt.read_mricron_palette(lut.read_bytes()) if lut.is_file() else None

    def colour(v: int):
        # black in MRIcron's palette means "no colour" there (drawn as nothing), not black
        c = palette[v % 256] if palette and v else None
        return c if c is not None and max(c[:3]) > 0 else default_color(v)

    return {v: (n, colour(v), vis) for v, (n, _c, vis) in entries.items()}


def sidecar_path(volume: str | os.PathLike[str], suffix: str) -> Path:
    """``<folder>/<stem><suffix>`` for a label file (``liver_1.nii.gz`` -> ``liver_1.txt``)."""
    p = Path(volume)
    return p.with_name(nifti_stem(p) + suffix)


_SIDECAR_SUFFIXES = (".txt", ".ctbl", ".label", ".lut.txt")


def _sidecars(volume: Path) -> list[Path]:
    stem = nifti_stem(volume)
    names = [stem + s for s in _SIDECAR_SUFFIXES]
    names += [volume.name.removesuffix(".gz") + s for s in (".txt", ".ctbl")]  # aal.nii.txt
    return [volume.with_name(n) for n in dict.fromkeys(names)]


def _dataset_json_names(volume: Path) -> dict[int, str] | None:
    """The ``labels`` of the task two levels up from ``labelsTr/``/``labelsTs/`` files."""
    if volume.parent.name.lower() not in ("labelstr", "labelsts"):
        return None
    meta_path = volume.parent.parent / "dataset.json"
    try:
        labels = json.loads(meta_path.read_text(encoding="utf-8"))["labels"]
        items = labels.items()
        # Decathlon: {"0": "background"}; nnU-Net v2: {"background": 0} (regions: lists)
        if all(str(k).strip().lstrip("-").isdigit() for k, _ in items):
            return {int(k): str(v) for k, v in items}
        return {int(v): str(k) for k, v in items if isinstance(v, int)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def table_for_volume(volume: str | os.PathLike[str]) -> LabelTable | None:
    """The label table of a label file: a sidecar of the same stem, else ``dataset.json``.

    A sidecar that cannot be read is skipped (the next candidate is tried), so a
    stray ``notes.txt`` never stops a volume from opening.
    """
    p = Path(volume)
    for candidate in _sidecars(p):
        if candidate.is_file() and candidate.stat().st_size < 4_000_000:
            try:
                return LabelTable.read(candidate)
            except ValueError:
                continue
    names = _dataset_json_names(p)
    return LabelTable.from_names(names, source_format="dataset.json") if names else None
