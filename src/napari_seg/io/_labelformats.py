"""Text formats of label tables: ITK-SNAP, 3D Slicer, FreeSurfer, MRIcron (parse and write).

Each parser takes the text of a file and returns ``{value: (name, rgba, visible)}``
with ``rgba`` as four floats in 0..1; each writer takes the same and returns text.

* ITK-SNAP label descriptions: ``IDX -R- -G- -B- -A-- VIS MSH "LABEL"`` (colours
  0..255, alpha 0..1, visibility 0/1), ``#`` comments.
* 3D Slicer colour tables (``.ctbl``, ``.txt``): ``value name r g b a``, 0..255,
  alpha 255 opaque.
* FreeSurfer LUTs: ``value name r g b a``, the same columns, but ``a`` is
  transparency: 0 opaque (``FreeSurferColorLUT.txt``).
* MRIcron atlas names (``aal.nii.txt``): ``value name [code]``, no colours; its
  ``.lut`` is a binary 256-entry palette (256 reds, 256 greens, 256 blues).
"""

from __future__ import annotations

import re

__all__ = ["FORMATS", "LabelFormatError", "detect", "parse", "read_mricron_palette", "write"]

Entry = tuple[str, tuple[float, float, float, float], bool]

#: Formats we read and write, with the suffix a written sidecar gets.
FORMATS: dict[str, str] = {
    "itksnap": ".txt",
    "slicer": ".ctbl",
    "freesurfer": ".txt",
    "mricron": ".txt",
}

_ITK = re.compile(
    r'^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([0-9.eE+-]+)\s+(\d+)\s+(\d+)\s+"(.*)"\s*$'
)


class LabelFormatError(ValueError):
    """A label table file that none of the formats can read."""


def _lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def detect(text: str, *, name: str = "") -> str:
    """The format of a label table's text: ``itksnap``, ``slicer``, ``freesurfer``, ``mricron``.

    ITK-SNAP quotes its names. Six columns are Slicer's, or FreeSurfer's when
    the file is named like a LUT or every non-zero label has alpha 0 (FreeSurfer
    stores transparency, so 0 is opaque). Two or three columns are MRIcron's.
    """
    lines = _lines(text)
    if not lines:
        raise LabelFormatError("no label lines (empty or comments only)")
    if all(_ITK.match(ln) for ln in lines):
        return "itksnap"
    cols = [ln.split() for ln in lines]
    if all(len(c) >= 6 and c[0].isdigit() for c in cols):
        alphas = [c[5] for c in cols if c[0] != "0"]
        fs = "lut" in name.lower() or (alphas and all(float(a) == 0 for a in alphas))
        return "freesurfer" if fs else "slicer"
    if all(len(c) in (2, 3) and c[0].isdigit() for c in cols):
        return "mricron"
    bad = next(ln for ln in lines if not ln.split()[0].isdigit() or len(ln.split()) < 2)
    raise LabelFormatError(f"not a label table line: {bad.strip()[:60]!r}")


def _byte(v: str) -> float:
    return min(max(float(v), 0.0), 255.0) / 255.0


def parse(text: str, fmt: str) -> dict[int, Entry]:
    """``{value: (name, rgba, visible)}`` from a label table's text in format ``fmt``."""
    out: dict[int, Entry] = {}
    for line in _lines(text):
        if fmt == "itksnap":
            m = _ITK.match(line)
            if m is None:
                raise LabelFormatError(f"not an ITK-SNAP label line: {line.strip()[:60]!r}")
            v, r, g, b, a, vis, _msh, name = m.groups()
            out[int(v)] = (name, (_byte(r), _byte(g), _byte(b), float(a)), vis != "0")
            continue
        c = line.split()
        if fmt == "mricron":
            out[int(c[0])] = (c[1], (0.5, 0.5, 0.5, 1.0), True)
            continue
        r, g, b, a = (_byte(x) for x in c[2:6])
        alpha = 1.0 - a if fmt == "freesurfer" else a
        out[int(c[0])] = (c[1], (r, g, b, alpha), True)
    return out


def _b(x: float) -> int:
    return round(min(max(x, 0.0), 1.0) * 255)


def write(entries: dict[int, Entry], fmt: str) -> str:
    """The text of a label table in format ``fmt`` (MRIcron names are written as Slicer's)."""
    if fmt == "itksnap":
        head = ["# ITK-SNAP Label Description File (written by napari-seg)",
                "#    IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL"]  # fmt: skip
        rows = [
            f'{v:8d} {_b(c[0]):5d} {_b(c[1]):4d} {_b(c[2]):4d} {c[3]:5.3g} {int(vis):4d}  1  "'
            + name.replace('"', "'") + '"'
            for v, (name, c, vis) in sorted(entries.items())
        ]  # fmt: skip
        return "\n".join(head + rows) + "\n"
    fs = fmt == "freesurfer"
    rows = [f"# {'FreeSurfer' if fs else '3D Slicer'} colour table (written by napari-seg)"]
    for v, (name, c, _vis) in sorted(entries.items()):
        alpha = _b(1.0 - c[3]) if fs else _b(c[3])
        label = re.sub(r"\s+", "_", name.strip()) or f"label_{v}"
        rows.append(f"{v} {label} {_b(c[0])} {_b(c[1])} {_b(c[2])} {alpha}")
    return "\n".join(rows) + "\n"


def read_mricron_palette(data: bytes) -> list[tuple[float, float, float, float]] | None:
    """The 256 colours of an MRIcron binary ``.lut`` (768 bytes), else None."""
    if len(data) != 768:
        return None
    return [(data[i] / 255, data[256 + i] / 255, data[512 + i] / 255, 1.0) for i in range(256)]
