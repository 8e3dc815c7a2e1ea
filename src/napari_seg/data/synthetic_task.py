"""Write a Medical Segmentation Decathlon task folder of synthetic CT cases."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

from .._memory import ensure_fits
from ..io import save_nifti
from .synthetic import check_sizes, make_synthetic_ct, synthetic_geometry

__all__ = ["make_synthetic_task"]


def make_synthetic_task(
    out: str | os.PathLike[str],
    *,
    cases: int = 8,
    test_cases: int = 2,
    shape: tuple[int, int, int] = (48, 96, 96),
    spacing: tuple[float, float, float] = (2.5, 1.6, 1.6),
    modalities: int = 1,
    seed: int = 0,
    name: str = "Task90_SyntheticSpleen",
) -> Path:
    """Write a Decathlon-format task of synthetic abdominal CTs with spleen labels.

    Parameters
    ----------
    out : path-like
        The task folder to create (``dataset.json``, ``imagesTr/``, ``labelsTr/``,
        ``imagesTs/``). Existing files of the same names are replaced.
    cases, test_cases : int
        Number of training (labelled) and test (unlabelled) cases.
    shape : tuple of int
        Volume shape ``(Z, Y, X)`` of every case.
    spacing : tuple of float
        Voxel size ``(dz, dy, dx)`` in mm.
    modalities : int
        1 writes 3-D CT images; 2 or more write 4-D images ``(X, Y, Z, C)`` whose
        extra channels are intensity transforms of the CT (a multi-modal task).
    seed : int
        Case ``i`` uses seed ``seed + i``.
    name : str
        The task's ``name`` in ``dataset.json``.

    Returns
    -------
    pathlib.Path
        The task folder.
    """
    if cases < 1 or test_cases < 0 or modalities < 1:
        raise ValueError("need cases >= 1, test_cases >= 0 and modalities >= 1")
    shape, spacing = check_sizes(shape, spacing)  # before any folder is made
    ensure_fits(4 * modalities * math.prod(shape), f"shape {shape}", copies=4)  # float32 work
    root = Path(out)
    for sub in ("imagesTr", "labelsTr", "imagesTs"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    geometry = synthetic_geometry(shape, spacing)
    training, test = [], []
    for i in range(cases + test_cases):
        ct = make_synthetic_ct(shape, spacing=spacing, seed=seed + i)
        image = ct.image
        if modalities > 1:  # extra channels: inverted and squashed contrasts, like other MR maps
            chans = [image] + [
                (np.tanh(image.astype(np.float32) / (200.0 * k)) * 1000).astype(np.int16)
                for k in range(1, modalities)
            ]
            image = np.stack(chans)  # (C, Z, Y, X): written as NIfTI (X, Y, Z, C)
        fname = f"synthetic_{i}.nii.gz"
        if i < cases:
            save_nifti(image, geometry, root / "imagesTr" / fname, kind="image")
            save_nifti(ct.spleen, geometry, root / "labelsTr" / fname, kind="labels")
            training.append({"image": f"./imagesTr/{fname}", "label": f"./labelsTr/{fname}"})
        else:
            save_nifti(image, geometry, root / "imagesTs" / fname, kind="image")
            test.append(f"./imagesTs/{fname}")
    meta = {
        "name": name,
        "description": "Synthetic abdominal CT with spleen labels (napari-seg)",
        "reference": "napari-seg synthetic generator",
        "licence": "CC0",
        "release": "1.0",
        "tensorImageSize": "4D" if modalities > 1 else "3D",
        "modality": {str(c): ("CT" if c == 0 else f"CT-derived {c}") for c in range(modalities)},
        "labels": {"0": "background", "1": "spleen"},
        "numTraining": cases,
        "numTest": test_cases,
        "training": training,
        "test": test,
    }
    (root / "dataset.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return root
