"""Mutated NIfTI headers and streams (fixed seed), each run through ``napari-seg segment``."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import nibabel as nib
import numpy as np

NIFTI_ERRORS = ["NiftiError", "SegmentationError"]  # a file problem; a readable but unusable image

# (field, value, must_fail): header fields at their edges. ``None`` for must_fail
# means "either answer is right" (the value is odd but legal).
FIELD_EDGES: list[tuple[str, object, bool]] = [
    ("dim0", 0, True),
    ("dim0", 8, True),
    ("dim0", -1, True),
    ("dim1", 0, True),
    ("dim1", -5, True),
    ("dim1", 32767, True),
    ("dim3", 30000, True),
    ("dim0", 4, False),
    ("datatype", 0, True),
    ("datatype", 99, True),
    ("datatype", 3, False),
    ("datatype", 1792, False),
    ("datatype", 128, False),
    ("datatype", 2304, False),
    ("bitpix", 0, False),
    ("bitpix", 64, False),
    ("pixdim1", 0.0, True),
    ("pixdim2", float("nan"), True),
    ("pixdim3", float("inf"), True),
    ("pixdim1", -1.0, False),
    ("pixdim1", 1e-30, False),
    ("pixdim3", 1e30, False),
    ("vox_offset", 0.0, True),
    ("vox_offset", 100.0, True),
    ("vox_offset", 347.0, True),
    ("vox_offset", float("nan"), True),
    ("vox_offset", -1.0, True),
    ("vox_offset", 1e12, True),
    ("vox_offset", 1e6, True),
    ("scl_slope", float("inf"), True),
    ("scl_slope", float("nan"), False),
    ("scl_slope", 0.0, False),
    ("scl_slope", -1.0, False),
    ("scl_slope", 1e38, True),
    ("scl_inter", float("inf"), False),
    ("scl_inter", float("nan"), False),
    ("sform_code", 99, False),
    ("sform_code", -1, False),
    ("qform_code", 99, False),
    ("srow_zero", 0, False),
    ("srow_nan", 0, False),
    ("quatern_b", float("nan"), False),
    ("quatern_b", 2.0, False),
    ("sizeof_hdr", 0, True),
    ("sizeof_hdr", 540, True),
    ("magic", b"ni1\x00", True),
    ("magic", b"xxxx", True),
    ("intent_code", 1007, False),
    ("xyzt_units", 255, False),
    ("cal_min", float("nan"), False),
    ("dim_info", 255, False),
    ("slice_code", 99, False),
]

_OFFSETS = {
    "sizeof_hdr": (0, "<i"),
    "dim_info": (39, "<B"),
    "vox_offset": (108, "<f"),
    "scl_slope": (112, "<f"),
    "scl_inter": (116, "<f"),
    "slice_code": (122, "<B"),
    "xyzt_units": (123, "<B"),
    "cal_min": (128, "<f"),
    "intent_code": (68, "<h"),
    "datatype": (70, "<h"),
    "bitpix": (72, "<h"),
    "qform_code": (252, "<h"),
    "sform_code": (254, "<h"),
    "quatern_b": (256, "<f"),
}


def _bases(folder: Path) -> list[Path]:
    """Small valid files of the dtypes and layouts users have."""
    rng = np.random.default_rng(0)
    arrays = {
        "i16.nii.gz": rng.integers(-1000, 1000, (10, 9, 8)).astype(np.int16),
        "f32.nii": rng.normal(size=(10, 9, 8)).astype(np.float32),
        "u8.nii.gz": rng.integers(0, 255, (10, 9, 8)).astype(np.uint8),
        "i8.nii": rng.integers(-100, 100, (10, 9, 8)).astype(np.int8),
        "be.nii": rng.integers(-1000, 1000, (10, 9, 8)).astype(">i2"),
    }
    paths = []
    for name, arr in arrays.items():
        img = nib.Nifti1Image(arr, np.diag([0.8, 0.8, 2.5, 1.0]))
        if arr.dtype.byteorder == ">":
            img = nib.Nifti1Image(arr, img.affine, nib.Nifti1Header(endianness=">"))
        img.header.set_data_dtype(arr.dtype)
        nib.save(img, folder / f"base-{name}")
        _save(_raw(folder / f"base-{name}"), folder / f"base-{name}")  # no file name in gzip
        paths.append(folder / f"base-{name}")
    return paths


def _raw(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def _save(raw: bytes, path: Path) -> None:
    path.write_bytes(gzip.compress(raw, 1, mtime=0) if path.name.endswith(".gz") else raw)


def _set_field(raw: bytearray, field: str, value) -> None:
    big = raw[:4] == struct.pack(">i", 348)

    def put(off, fmt, v):
        struct.pack_into((">" if big else "<") + fmt[1:], raw, off, v)

    if field.startswith("dim") and field[3:].isdigit():
        put(40 + 2 * int(field[3:]), "<h", value)
    elif field.startswith("pixdim"):
        put(76 + 4 * int(field[6:]), "<f", value)
    elif field == "magic":
        raw[344:348] = value
    elif field in ("srow_zero", "srow_nan"):
        put(254, "<h", 1)
        for i in range(12):
            put(280 + 4 * i, "<f", 0.0 if field == "srow_zero" else float("nan"))
    else:
        put(*_OFFSETS[field], value)


def nifti_cases(folder: Path, n: int, rng: np.random.Generator) -> list[dict]:
    """``n`` cases: every field edge on every base, then random header bytes and streams."""
    folder.mkdir(parents=True, exist_ok=True)
    bases = _bases(folder)
    specs: list[tuple[str, Path, object]] = []
    for base in bases:
        specs.append(("valid", base, None))
        for edge in FIELD_EDGES:
            specs.append(("edge", base, edge))
    while len(specs) < n:
        kind = rng.choice(
            ["header_byte", "truncate", "flip", "junk", "empty"], p=[0.5, 0.2, 0.2, 0.05, 0.05]
        )
        specs.append((str(kind), bases[int(rng.integers(len(bases)))], int(rng.integers(1 << 30))))
    cases = []
    for i, (kind, base, arg) in enumerate(specs[:n]):
        path = folder / f"{i:04d}-{base.name.removeprefix('base-')}"
        must_fail = _mutate(kind, base, path, arg)
        cases.append(
            {
                "id": f"nifti-{i:04d}-{kind}-{arg if kind == 'edge' else ''}",
                "concern": "nifti",
                "argv": [
                    "segment",
                    str(path),
                    "-o",
                    str(path) + ".out.nii.gz",
                    "--method",
                    "otsu",
                    "--quiet",
                ],
                "must_fail": must_fail,
                "allowed": NIFTI_ERRORS,
            }
        )
    return cases


def _mutate(kind: str, base: Path, path: Path, arg) -> bool:
    """Write the mutated file; True when the result is invalid (must fail)."""
    raw = bytearray(_raw(base))
    if kind == "valid":
        _save(bytes(raw), path)
        return False
    if kind == "edge":
        field, value, must_fail = arg
        _set_field(raw, field, value)
        _save(bytes(raw), path)
        return must_fail
    r = np.random.default_rng(arg)
    if kind == "header_byte":
        for _ in range(int(r.integers(1, 4))):
            raw[int(r.integers(0, 348))] = int(r.integers(0, 256))
        _save(bytes(raw), path)
        return False
    stored = bytearray(base.read_bytes())
    if kind == "truncate":  # anywhere before the last voxel byte
        path.write_bytes(bytes(stored[: int(r.integers(0, len(stored) - 1))]))
        return True
    if kind == "flip":
        gz = base.name.endswith(".gz")
        # in a gzip file: inside the deflate stream or its CRC/size trailer (not the
        # last deflate byte, whose padding bits may be unused); in a .nii: anywhere
        lo, hi = (10, len(stored) - 9) if gz else (0, len(stored))
        at = int(r.integers(lo, hi))
        if gz and at >= len(stored) - 10:
            at = len(stored) - 1 - int(r.integers(0, 8))
        stored[at] ^= 0xFF
        path.write_bytes(bytes(stored))
        return gz  # a .nii voxel flip is still a valid file; a header flip may be too
    if kind == "junk":
        path.write_bytes(bytes(stored) + r.bytes(int(r.integers(1, 4000))))
        return False
    path.write_bytes(b"")  # empty
    return True
