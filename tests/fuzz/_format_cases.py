"""Mutated NRRD headers and payloads and mutated DICOM series (fixed seed), through ``segment``."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np

NRRD_ERRORS = ["NrrdError", "SegmentationError"]
DICOM_ERRORS = ["DicomError", "SegmentationError"]

# (field, value or None to delete, must_fail); None for must_fail: either answer is right
NRRD_EDGES: list[tuple[str, str | None, bool | None]] = [
    ("sizes", "0 8 9", True), ("sizes", "-1 8 9", True), ("sizes", "99999 99999 99999", True),
    ("sizes", "10 9", True), ("sizes", "x y z", True), ("sizes", None, True),
    ("type", "block", True), ("type", "quaternion", True), ("type", None, True),
    ("type", "double", True), ("dimension", "0", True), ("dimension", "7", True),
    ("encoding", "bzip2", True), ("encoding", "hex", True), ("encoding", "raw", True),
    ("endian", "middle", None), ("endian", "big", None), ("endian", None, None),
    ("space", "nowhere", True), ("space", "right-anterior-superior", False),
    ("space", "3D-right-handed", False),
    ("space directions", "(0,0,0) (0,1,0) (0,0,1)", True),
    ("space directions", "(nan,0,0) (0,1,0) (0,0,1)", True),
    ("space directions", "(1,0,0) (0,1,0)", True), ("space directions", "none none none", True),
    ("space directions", "(1,0,0) (0,1e300,0) (0,0,1e300)", None),
    ("space directions", None, False), ("space origin", "(nan,0,0)", True),
    ("space origin", "(1,2)", True), ("space origin", None, False),
    ("byte skip", "-5", True), ("byte skip", "99999999", True), ("line skip", "-1", True),
    ("data file", "missing.raw.gz", True), ("data file", "/dev/zero", True),
    ("kinds", "list domain domain", None), ("spacings", "0 0 0", None),
]  # fmt: skip
SEG_EDGES: list[tuple[str, str | None, bool | None]] = [
    ("Segment0_Color", "2 0 0", True), ("Segment0_Color", "a b c", True),
    ("Segment0_Layer", "5", True), ("Segment0_LabelValue", "-1", True),
    ("Segment0_LabelValue", "x", True), ("Segment0_Name", "", False),
    ("Segment0_Extent", "junk", False), ("Segment0_ID", None, False),
]  # fmt: skip
# (tag keyword, value or None to delete, which slices: "one"/"all", must_fail)
DICOM_EDGES: list[tuple[str, object, str, bool | None]] = [
    ("ImagePositionPatient", None, "one", True),
    ("ImagePositionPatient", ["nan", 0, 0], "one", True),
    ("ImagePositionPatient", [0, 0], "one", True), ("ImageOrientationPatient", None, "all", True),
    ("ImageOrientationPatient", [0, 0, 0, 0, 0, 0], "all", True),
    ("ImageOrientationPatient", [1, 0, 0, 1, 0, 0], "all", True),
    ("ImageOrientationPatient", [0, 1, 0, 1, 0, 0], "one", True),
    ("PixelSpacing", [0, 0], "all", True), ("PixelSpacing", [-1, 1], "all", True),
    ("PixelSpacing", None, "all", True), ("PixelSpacing", [1, 2], "one", True),
    ("Rows", 0, "all", True), ("Rows", 65535, "all", True), ("Rows", 4, "one", True),
    ("Columns", 65535, "one", True), ("BitsAllocated", 0, "all", True),
    ("BitsAllocated", 8, "all", True), ("BitsAllocated", 32, "all", True),
    ("PixelRepresentation", 0, "all", False), ("SamplesPerPixel", 3, "all", True),
    ("NumberOfFrames", 1000, "all", True), ("RescaleSlope", 0, "all", True),
    ("RescaleSlope", "nan", "one", True), ("RescaleSlope", 1e38, "all", None),
    ("RescaleSlope", 0.5, "one", False), ("RescaleIntercept", "inf", "all", True),
    ("SeriesInstanceUID", "1.2.3.4", "one", True), ("PixelData", None, "one", True),
    ("PixelData", b"\0" * 10, "one", True), ("PixelData", b"\0" * 1000, "one", True),
    ("Modality", "SEG", "all", True), ("SliceThickness", None, "all", False),
]  # fmt: skip


def _nrrd_bases(folder: Path) -> list[Path]:
    from napari_seg.io import Geometry
    from napari_seg.io.nrrd import save_nrrd
    from napari_seg.io.slicer_seg import save_seg_nrrd

    rng = np.random.default_rng(0)
    geo = Geometry.from_spacing((2.5, 0.8, 0.7), origin=(1.0, 2.0, 3.0))
    save_nrrd(rng.integers(-1000, 1000, (10, 9, 8)).astype(np.int16), geo, folder / "b-i16.nrrd")
    save_nrrd(rng.normal(size=(10, 9, 8)).astype(np.float32), geo, folder / "b-f32.nhdr")
    labels = (rng.random((10, 9, 8)) > 0.5).astype(np.uint8) * 2
    save_seg_nrrd(labels, geo, folder / "b-l.seg.nrrd", segments={2: {"name": "x"}})
    return [folder / "b-i16.nrrd", folder / "b-f32.nhdr", folder / "b-l.seg.nrrd"]


def _set_header(text: str, field: str, value: str | None) -> str:
    sep = ":=" if field.startswith("Segment") else ": "
    lines, done = [], False
    for line in text.split("\n"):
        if line.split(":", 1)[0] == field:
            done = True
            if value is not None:
                lines.append(f"{field}{sep}{value}")
            continue
        lines.append(line)
    if not done and value is not None:
        lines.insert(2, f"{field}{sep}{value}")
    return "\n".join(lines)


def _mutate_nrrd(kind: str, base: Path, path: Path, arg) -> bool | None:
    raw = base.read_bytes()
    cut = raw.index(b"\n\n") + 2 if base.suffix == ".nrrd" else len(raw)
    head, body = raw[:cut].decode("latin-1"), raw[cut:]
    if base.suffix == ".nhdr":
        shutil.copy(base.with_name("b-f32.raw.gz"), path.with_name("b-f32.raw.gz"))
    if kind == "valid":
        path.write_bytes(raw)
        return False
    if kind == "edge":
        field, value, must_fail = arg
        path.write_bytes(_set_header(head, field, value).encode("latin-1") + body)
        return must_fail
    r = np.random.default_rng(arg)
    if kind == "header_byte":
        b = bytearray(raw)
        for _ in range(int(r.integers(1, 4))):
            b[int(r.integers(0, cut - 1))] = int(r.integers(0, 256))
        path.write_bytes(bytes(b))
        return None
    if kind == "truncate" and base.suffix == ".nrrd":
        path.write_bytes(raw[: int(r.integers(0, len(raw) - 8))])
        return True
    if kind == "flip" and len(body) > 20:
        b = bytearray(raw)
        b[int(r.integers(cut, len(raw)))] ^= 0xFF
        path.write_bytes(bytes(b))
        return None
    if kind == "bomb":
        path.write_bytes(head.encode("latin-1") + gzip.compress(b"\0" * 20_000_000))
        return None
    path.write_bytes(b"" if kind == "empty" else raw + r.bytes(int(r.integers(1, 4000))))
    return kind == "empty" or None


def nrrd_cases(folder: Path, n: int, rng: np.random.Generator) -> list[dict]:
    """``n`` cases: each edge on each base (segment keys on the .seg.nrrd), then random ones."""
    folder.mkdir(parents=True, exist_ok=True)
    bases = _nrrd_bases(folder)
    specs: list[tuple[str, Path, object]] = [("valid", b, None) for b in bases]
    specs += [("edge", b, e) for b in bases for e in NRRD_EDGES]
    specs += [("edge", bases[2], e) for e in SEG_EDGES]
    kinds = ["header_byte", "truncate", "flip", "junk", "empty", "bomb"]
    while len(specs) < n:
        kind = str(rng.choice(kinds, p=[0.45, 0.2, 0.2, 0.05, 0.05, 0.05]))
        specs.append((kind, bases[int(rng.integers(len(bases)))], int(rng.integers(1 << 30))))
    cases = []
    for i, (kind, base, arg) in enumerate(specs[:n]):
        sub = folder / f"{i:04d}"
        sub.mkdir()
        path = sub / base.name.removeprefix("b-")
        must_fail = _mutate_nrrd(kind, base, path, arg)
        tag = f"{arg[0]}={arg[1]}" if kind == "edge" else ""
        cases.append(_case("nrrd", i, kind, tag, path, must_fail, NRRD_ERRORS))
    return cases


def _case(concern, i, kind, tag, path, must_fail, allowed) -> dict:
    return {
        "id": f"{concern}-{i:04d}-{kind}-{tag}",
        "concern": concern,
        "argv": ["segment", str(path), "-o", f"{path}.out.nii.gz", "--method", "otsu", "--quiet"],
        "must_fail": bool(must_fail),
        "allowed": allowed,
    }


def _dicom_base(folder: Path) -> list[Path]:
    from tests.io._dicom_writer import write_series

    stored = np.random.default_rng(1).integers(0, 2000, (5, 8, 8)).astype(np.int16)
    a = np.eye(4)
    a[:3, :3], a[:3, 3] = np.diag([-0.7, -0.8, 2.0]), [10, -20, 30]
    return sorted(write_series(folder / "base", stored, a))


def _mutate_dicom(kind: str, files: list[Path], sub: Path, arg) -> bool | None:
    import warnings

    import pydicom

    warnings.filterwarnings("ignore", message="Invalid value for VR", category=UserWarning)

    shutil.copytree(files[0].parent, sub)
    mine = sorted(sub.iterdir())
    if kind == "valid":
        return False
    if kind == "edge":
        key, value, which, must_fail = arg
        for f in mine[:1] if which == "one" else mine:
            ds = pydicom.dcmread(f)
            if value is None:
                delattr(ds, key) if key in ds else None
            else:
                setattr(ds, key, value)
            ds.save_as(f, enforce_file_format=False)
        return must_fail
    r = np.random.default_rng(arg)
    f = mine[int(r.integers(len(mine)))]
    raw = bytearray(f.read_bytes())
    if kind == "header_byte":
        for _ in range(int(r.integers(1, 4))):
            raw[int(r.integers(128, min(len(raw), 900)))] = int(r.integers(0, 256))
        f.write_bytes(bytes(raw))
        return None
    if kind == "truncate":
        f.write_bytes(bytes(raw[: int(r.integers(0, len(raw) - 1))]))
        return None  # a file cut before its pixels may be skipped as not DICOM (a gap or not)
    if kind == "remove":
        f.unlink()
        return None  # a missing end slice is a valid, shorter series
    if kind == "junk_file":
        (sub / "notes.bin").write_bytes(r.bytes(int(r.integers(0, 3000))))
        return False
    f.write_bytes(b"")
    return None


def dicom_cases(folder: Path, n: int, rng: np.random.Generator) -> list[dict]:
    """``n`` cases: each tag edge on a 5-slice series, then random damage to one file."""
    folder.mkdir(parents=True, exist_ok=True)
    files = _dicom_base(folder)
    specs: list[tuple[str, object]] = [("valid", None)] + [("edge", e) for e in DICOM_EDGES]
    kinds = ["header_byte", "truncate", "remove", "junk_file", "empty"]
    while len(specs) < n:
        kind = str(rng.choice(kinds, p=[0.5, 0.2, 0.1, 0.1, 0.1]))
        specs.append((kind, int(rng.integers(1 << 30))))
    cases = []
    for i, (kind, arg) in enumerate(specs[:n]):
        sub = folder / f"{i:04d}"
        must_fail = _mutate_dicom(kind, files, sub, arg)
        tag = f"{arg[0]}={arg[1]!s:.12}" if kind == "edge" else ""
        cases.append(_case("dicom", i, kind, tag, sub, must_fail, DICOM_ERRORS))
    return cases


def dicom_seg_cases(folder: Path, n: int, rng: np.random.Generator) -> list[dict]:
    """``n`` damaged DICOM SEG files (header bytes, truncation, flips), through ``stats``."""
    from napari_seg.io import load_volume, save_volume

    folder.mkdir(parents=True, exist_ok=True)
    src = load_volume(_dicom_base(folder)[0].parent)
    labels = (src.data > 0).astype(np.uint8) * 3
    base = save_volume(labels, src.geometry, folder / "base.dcm", source=src.source)
    raw = base.read_bytes()
    cases = []
    for i in range(n):
        r = np.random.default_rng(int(rng.integers(1 << 30)))
        b = bytearray(raw)
        kind = ["valid", "header_byte", "truncate", "flip"][0 if i == 0 else 1 + i % 3]
        if kind == "header_byte":
            for _ in range(int(r.integers(1, 4))):
                b[int(r.integers(128, min(len(b), 3000)))] = int(r.integers(0, 256))
        elif kind == "truncate":
            b = b[: int(r.integers(132, len(b) - 1))]
        elif kind == "flip":
            b[int(r.integers(128, len(b)))] ^= 0xFF
        path = folder / f"{i:04d}.dcm"
        path.write_bytes(bytes(b))
        cases.append(
            {
                "id": f"dicomseg-{i:04d}-{kind}-",
                "concern": "dicomseg",
                "argv": ["stats", str(path), "--no-surfaces"],
                "must_fail": kind == "truncate",
                "allowed": DICOM_ERRORS,
            }
        )
    return cases
