"""Real scans that packages ship, for the benchmarks' real-scan rows (held-out evaluation only).

* **MRI**: Debian's ``mricron-data`` (``apt-get download`` + ``dpkg -x``): the Colin27 T1
  brain (``ch2``, 181x217x181 at 1 mm), its skull-stripped copy (``ch2bet``, whose
  non-zero voxels are the brain mask) and the 116-region AAL atlas on the same grid.
* **CT**: the PyRadiomics source distribution on PyPI (``pip download --no-deps``) ships
  two real chest CTs with a lung tumour drawn on each (``lung1``: 48x512x512 at
  5x0.57x0.57 mm; ``lung2``: 61x512x512 at 5x0.63x0.63 mm) as NRRD files.

Everything is downloaded once into ``~/.cache/napari-seg/real`` (``NAPARI_SEG_REAL`` overrides
it) and never committed. When a package cannot be had (no network, no ``apt-get``), the
loaders raise :class:`Unavailable` with a one-line reason; :func:`try_load` turns that into
a printed ``SKIP`` line so a benchmark still prints its synthetic rows.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

ROOT = Path(os.environ.get("NAPARI_SEG_REAL", Path.home() / ".cache" / "napari-seg" / "real"))
PYRADIOMICS = (
    "pyradiomics==3.0.1"  # 3.1.0's sdist declares another version; 3.0.1's data is the same
)


class Unavailable(RuntimeError):
    """A real scan could not be had (the message says which and why)."""


@dataclass
class RealScan:
    """A real volume in napari order ``(z, y, x)``, its voxel size in mm and its masks."""

    name: str
    image: np.ndarray
    spacing: tuple[float, float, float]
    modality: str
    masks: dict[str, np.ndarray] = field(default_factory=dict)
    labels: np.ndarray | None = None  # an atlas, when the scan has one


def _run(cmd: list[str], cwd: Path) -> None:
    try:
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        err = getattr(exc, "stderr", b"") or b""
        reason = err.decode(errors="replace").strip().splitlines()[-1:] or [str(exc)]
        raise Unavailable(f"{' '.join(cmd[:3])} failed: {reason[0]}") from exc


def _mricron() -> Path:
    """The mricron-data templates folder, downloaded and unpacked on first use."""
    out = ROOT / "mricron-data"
    templates = out / "usr" / "share" / "mricron" / "templates"
    if (templates / "aal.nii.gz").exists():
        return templates
    ROOT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:
        _run(["apt-get", "download", "mricron-data"], Path(tmp))
        debs = sorted(Path(tmp).glob("mricron-data_*.deb"))
        if not debs:
            raise Unavailable("apt-get download mricron-data gave no .deb")
        _run(["dpkg", "-x", str(debs[0]), str(out)], Path(tmp))
    return templates


def _pyradiomics() -> Path:
    """The PyRadiomics ``data`` folder (NRRD scans), downloaded and unpacked on first use."""
    out = ROOT / "pyradiomics"
    if (out / "lung2_label.nrrd").exists():
        return out
    ROOT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:
        _run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-build-isolation",
              "-q", "-d", tmp, PYRADIOMICS], Path(tmp))  # fmt: skip
        sdists = sorted(Path(tmp).glob("pyradiomics-*.tar.gz"))
        if not sdists:
            raise Unavailable(f"pip download {PYRADIOMICS} gave no source archive")
        out.mkdir(parents=True, exist_ok=True)
        with tarfile.open(sdists[0]) as tar:
            for member in tar.getmembers():
                p = Path(member.name)
                if p.parent.name == "data" and p.suffix == ".nrrd" and member.isfile():
                    (out / p.name).write_bytes(tar.extractfile(member).read())
    return out


def read_nrrd(path: Path) -> tuple[np.ndarray, tuple[float, float, float]]:
    """A 3-D axis-aligned NRRD (raw or gzip) as ``(z, y, x)`` voxels and spacing in mm."""
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\n\n")
    fields = {}
    for line in head.decode("latin-1").splitlines()[1:]:
        if ":" in line and not line.startswith("#"):
            key, value = line.split(":", 1)
            fields[key.strip()] = value.strip().lstrip("=")
    dtypes = {"short": "<i2", "int": "<i4", "unsigned char": "u1", "uchar": "u1", "float": "<f4"}
    sizes = [int(v) for v in fields["sizes"].split()]
    if fields.get("encoding") == "gzip":
        body = gzip.decompress(body)
    data = np.frombuffer(body, dtype=dtypes[fields["type"]]).reshape(sizes[::-1])
    rows = fields["space directions"].replace("(", "").split(")")
    steps = [float(np.linalg.norm([float(v) for v in r.split(",")])) for r in rows if r.strip()]
    return np.ascontiguousarray(data), (steps[2], steps[1], steps[0])


@cache
def ct_lung(case: str = "lung2") -> RealScan:
    """A real chest CT (HU) with its lung tumour as the mask ``"tumour"``."""
    folder = _pyradiomics()
    image, spacing = read_nrrd(folder / f"{case}_image.nrrd")
    label, _ = read_nrrd(folder / f"{case}_label.nrrd")
    return RealScan(f"CT {case}", image, spacing, "CT", {"tumour": label != 0})


@cache
def ct_large(case: str = "lung2", depth: int = 200) -> RealScan:
    """The real chest CT resampled along z to ``depth`` slices (linear): 200x512x512."""
    scan = ct_lung(case)
    z = np.linspace(0, scan.image.shape[0] - 1, depth)
    lo = np.floor(z).astype(int)
    hi = np.minimum(lo + 1, scan.image.shape[0] - 1)
    w = (z - lo)[:, None, None].astype(np.float32)
    image = ((1 - w) * scan.image[lo] + w * scan.image[hi]).round().astype(np.int16)
    step = scan.spacing[0] * (scan.image.shape[0] - 1) / (depth - 1)
    tumour = scan.masks["tumour"][np.rint(z).astype(int)]
    return RealScan(f"CT {case} {depth} slices", image, (step, *scan.spacing[1:]), "CT",
                    {"tumour": tumour})  # fmt: skip


@cache
def mri_colin27() -> RealScan:
    """Colin27 T1 MRI with ``"brain"`` (non-zero in the skull-stripped copy) and the AAL atlas."""
    import nibabel as nib

    folder = _mricron()

    def load(name: str) -> np.ndarray:
        img = nib.as_closest_canonical(nib.load(folder / f"{name}.nii.gz"))
        return np.ascontiguousarray(np.asarray(img.dataobj).T)  # RAS (x,y,z) -> (z,y,x)

    image, bet, aal = load("ch2"), load("ch2bet"), load("aal")
    return RealScan("MRI Colin27 T1", image, (1.0, 1.0, 1.0), "MR", {"brain": bet != 0},
                    labels=aal.astype(np.uint8))  # fmt: skip


def try_load(loader, *args) -> RealScan | None:
    """``loader(*args)``, or None after printing ``SKIP <reason>`` when it cannot be had."""
    try:
        return loader(*args)
    except Unavailable as exc:
        print(f"SKIP real scan ({loader.__name__}): {exc}")
        return None


def save_nifti_copy(scan: RealScan, folder: Path) -> dict[str, Path]:
    """Write the scan and its masks as ``.nii.gz`` (RAS-less, axis-aligned) for the viewer."""
    import nibabel as nib

    folder.mkdir(parents=True, exist_ok=True)
    affine = np.diag([scan.spacing[2], scan.spacing[1], scan.spacing[0], 1.0])
    stem = scan.name.replace(" ", "_")
    paths = {"image": folder / f"{stem}.nii.gz"}
    nib.save(nib.Nifti1Image(scan.image.T, affine), paths["image"])
    for key, mask in scan.masks.items():
        paths[key] = folder / f"{stem}_{key}.nii.gz"
        nib.save(nib.Nifti1Image(mask.T.astype(np.uint8), affine), paths[key])
    return paths
