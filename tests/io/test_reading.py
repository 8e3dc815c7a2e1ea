"""napari_seg.io.read: the public reader (named Volumes, no napari)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

import napari_seg
from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.io import Geometry, read, save_nifti
from napari_seg.volume import Volume


def test_read_guesses_kind_like_file_open(tmp_path):
    geo = Geometry.from_spacing((2.0, 1.0, 1.0))
    image = np.linspace(-100, 300, 4 * 5 * 6).reshape(4, 5, 6).astype(np.float32)
    labels = (image > 100).astype(np.uint8)
    (img,) = read(save_nifti(image, geo, tmp_path / "ct.nii.gz"))
    (lab,) = read(save_nifti(labels, geo, tmp_path / "ct_seg.nii.gz"))
    assert (img.name, img.kind, lab.name, lab.kind) == ("ct", "image", "ct_seg", "labels")
    assert isinstance(lab.volume, Volume) and lab.volume.spacing_mm == (2.0, 1.0, 1.0)
    np.testing.assert_array_equal(lab.volume.data, labels)
    (forced,) = read(tmp_path / "ct_seg.nii.gz", kind="image")
    assert forced.kind == "image"


def test_read_a_decathlon_case(tmp_path):
    root = make_synthetic_task(tmp_path / "Task92", cases=1, test_cases=0, shape=(8, 16, 16))
    items = read(root)
    assert [i.name for i in items] == ["synthetic_0 CT", "synthetic_0 ground truth"]
    assert items[1].kind == "labels" and items[1].label_names[1] == "spleen"
    assert napari_seg.read is read  # the top-level name is the same function


def test_read_imports_neither_napari_nor_torch():
    code = (
        "import sys, napari_seg, napari_seg.io, napari_seg.deep; napari_seg.read; "
        "print(sorted(m for m in ('torch', 'monai', 'napari', 'qtpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
