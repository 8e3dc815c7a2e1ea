"""Cases for bench_prompt.py: held-out generated objects and real scans (when they can be had).

Every case is ``(name, image (Z, Y, X), target bool, spacing mm)``, cut to the
target's bounding box plus a margin (every method sees the same region).
Real scans are read from ``~/.cache/napari-seg/real`` and downloaded there on
first use (``apt-get download mricron-data``, ``pip download --no-deps
pyradiomics``); a source that cannot be had is skipped with a message.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

CACHE = Path.home() / ".cache" / "napari-seg" / "real"
MARGIN_MM = 25.0


def _cut(name, image, target, spacing, margin_mm=MARGIN_MM):
    idx = np.argwhere(target)
    reach = np.ceil(margin_mm / np.asarray(spacing)).astype(int)
    lo = np.maximum(idx.min(axis=0) - reach, 0)
    hi = np.minimum(idx.max(axis=0) + reach + 1, target.shape)
    box = tuple(slice(int(a), int(b)) for a, b in zip(lo, hi, strict=True))
    return (
        name,
        np.ascontiguousarray(image[box]),
        target[box].copy(),
        tuple(float(s) for s in spacing),
    )


def generated_cases(n_scenes: int = 4, n_ct: int = 2) -> list:
    """Held-out generated objects: scenes and synthetic CTs with seeds training never used."""
    from napari_seg.prompt.scenes import make_scene
    from napari_seg.prompt.sources import synthetic_ct_volumes

    out = []
    for i in range(n_scenes):
        image, target, spacing = make_scene(np.random.default_rng([424242, i]), crop=96)
        out.append(_cut(f"gen scene {i}", image, target, spacing))
    for i, (image, lab, spacing) in enumerate(synthetic_ct_volumes(n_ct, seed=4242)):
        out.append(_cut(f"gen CT{i} spleen", image, lab == 1, spacing))
        out.append(_cut(f"gen CT{i} lesion", image, lab == 2, spacing))
    return out


def _mricron() -> Path | None:
    folder = CACHE / "mricron" / "usr" / "share" / "mricron" / "templates"
    if folder.is_dir():
        return folder
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["apt-get", "download", "mricron-data"], cwd=CACHE, check=True, capture_output=True
        )
        deb = sorted(CACHE.glob("mricron-data_*.deb"))[-1]
        subprocess.run(["dpkg", "-x", str(deb), str(CACHE / "mricron")], check=True)
    except (OSError, subprocess.CalledProcessError, IndexError) as exc:
        print(f"skipping MRI (mricron-data): cannot download it ({exc})")
        return None
    return folder if folder.is_dir() else None


def _pyradiomics() -> Path | None:
    folder = CACHE / "pyradiomics"
    if (folder / "lung1_image.nrrd").is_file():
        return folder
    try:
        tmp = CACHE / "wheels"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-q",
                "-d",
                str(tmp),
                "pyradiomics",
            ],
            check=True,
            capture_output=True,
        )
        folder.mkdir(parents=True, exist_ok=True)
        for wheel in tmp.glob("pyradiomics-*"):
            with zipfile.ZipFile(wheel) as z:
                for n in z.namelist():
                    if n.endswith(".nrrd") and "/data/" in n:
                        (folder / Path(n).name).write_bytes(z.read(n))
    except (OSError, subprocess.CalledProcessError, zipfile.BadZipFile) as exc:
        print(f"skipping CT (pyradiomics data): cannot download it ({exc})")
        return None
    return folder if (folder / "lung1_image.nrrd").is_file() else None


def real_cases() -> list:
    """Real MRI structures (Colin27 T1: brain, left caudate, left thalamus) and CT/MR lesions."""
    out = []
    mri = _mricron()
    if mri is not None:
        from napari_seg.io import load_nifti

        t1 = load_nifti(mri / "ch2.nii.gz")
        sp = t1.geometry.spacing
        brain = load_nifti(mri / "ch2bet.nii.gz").data > 0
        aal = load_nifti(mri / "aal.nii.gz").data
        out.append(_cut("MRI T1 brain (ch2bet)", t1.data, brain, sp))
        out.append(_cut("MRI T1 caudate L (AAL 71)", t1.data, aal == 71, sp))
        out.append(_cut("MRI T1 thalamus L (AAL 77)", t1.data, aal == 77, sp))
    rad = _pyradiomics()
    if rad is not None:
        try:
            import nrrd
        except ImportError:
            print("skipping pyradiomics scans: pynrrd is not installed (pip install pynrrd)")
            return out
        for name, what in (
            ("lung1", "CT lung tumour"),
            ("lung2", "CT lung tumour"),
            ("brain1", "MRI brain lesion"),
        ):
            img, head = nrrd.read(str(rad / f"{name}_image.nrrd"))
            lab, _ = nrrd.read(str(rad / f"{name}_label.nrrd"))
            sp = np.linalg.norm(np.asarray(head["space directions"], float), axis=1)[::-1]
            out.append(_cut(f"{what} ({name})", img.T, lab.T > 0, sp))
    return out
