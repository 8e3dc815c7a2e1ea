"""Volumes carry their geometry into the core: one grid check, mm options in mm."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seg.edit import combine, grow_region, margin
from napari_seg.inspect import label_statistics
from napari_seg.io import Geometry, GeometryError, load_nifti, save_nifti
from napari_seg.metrics import evaluate
from napari_seg.segment.methods import run_method
from napari_seg.volume import Volume, check_same_grid, to_volume


def _um(shape=(9, 9, 9), step_um=500.0) -> Volume:
    """A grid in µm: 500 µm = 0.5 mm voxels."""
    return Volume(np.zeros(shape, np.uint8), Geometry(np.diag([step_um] * 3 + [1.0]), unit="µm"))


def _dot(vol: Volume) -> Volume:
    data = np.zeros(vol.shape, np.uint8)
    data[4, 4, 4] = 1
    return vol.like(data)


def test_volume_basics():
    v = Volume.from_array(np.zeros((2, 3, 4, 5)), (2.0, 1.0, 0.5))
    assert v.shape == (3, 4, 5) and v.spacing_mm == (2.0, 1.0, 0.5)
    assert _um().spacing_mm == pytest.approx((0.5, 0.5, 0.5))
    assert _um().geometry.spacing == pytest.approx((500.0, 500.0, 500.0))
    assert to_volume(v) is v and to_volume(np.zeros((2, 2, 2))).spacing_mm == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="shape"):
        Volume.from_array(np.zeros((4, 4)))


def test_check_same_grid_one_message():
    a = Volume.from_array(np.zeros((3, 4, 5)))
    with pytest.raises(GeometryError, match=r"^x and y are not on the same grid: shape"):
        check_same_grid(a, Volume.from_array(np.zeros((3, 4, 6))), what="x and y")
    with pytest.raises(GeometryError) as exc:
        check_same_grid(a, Volume.from_array(np.zeros((3, 4, 5)), (1, 1, 2)), hint="do this")
    msg = str(exc.value)
    assert "affines differ by 1 mm" in msg and msg.endswith("; do this") and "\n" not in msg
    # the same grid written in µm and in mm is one grid (affines compared in mm)
    um = Geometry(np.diag([1000.0, 1000.0, 1000.0, 1.0]), unit="µm")
    check_same_grid(Geometry(np.eye(4)), um)
    with pytest.raises(GeometryError, match="the grids are not on the same grid"):
        Geometry(np.eye(4)).check_same_grid(Geometry(np.diag([2.0, 1, 1, 1])))


def test_mm_options_convert_a_um_grid():
    """1 mm on 0.5 mm voxels is 2 voxels; the old path took 500 µm for 500 mm (0 voxels)."""
    dot = _dot(_um())
    grown = margin(dot, label=1, mm=1.0)
    assert isinstance(grown, Volume) and grown.geometry is dot.geometry
    assert grown.data[4, 4, 6] == 1 and grown.data[4, 4, 7] == 0
    old = margin(dot.data, label=1, mm=1.0, spacing=dot.geometry.spacing)
    assert old.sum() == 1  # what a µm file got before: nothing grew
    closed = run_method("cleanup", dot, params={"min_mm3": 0.2})
    assert isinstance(closed, Volume) and closed.data.sum() == 0  # 0.125 mm³ < 0.2 mm³


def test_core_refuses_volumes_on_other_grids():
    image = Volume.from_array(np.arange(5 * 6 * 7, dtype=float).reshape(5, 6, 7))
    other = Volume.from_array(np.ones((5, 6, 7), bool), (1.0, 1.0, 2.0))
    with pytest.raises(GeometryError, match="source and mask are not on the same grid"):
        run_method("otsu", image, mask=other)
    with pytest.raises(GeometryError, match="target and other are not on the same grid"):
        combine(image.like(np.zeros((5, 6, 7), np.uint8)), other, op="add", label=1)
    with pytest.raises(ValueError, match="not both"):
        grow_region(image, (2, 3, 3), spacing=(2.0, 2.0, 2.0), tolerance=5)
    same = run_method("otsu", image, mask=image.like(np.ones((5, 6, 7), bool)))
    assert same.shape == (5, 6, 7)


def test_evaluate_takes_volumes():
    gt = _dot(_um())
    result = evaluate(gt, gt)
    assert result["labels"]["1"]["volume_gt_mm3"] == pytest.approx(0.125)
    shifted = Volume(gt.data, Geometry(np.diag([500.0, 500.0, 500.0, 1.0]) + 0, unit="mm"))
    with pytest.raises(GeometryError, match="prediction and ground truth are not on the same"):
        evaluate(shifted, gt)


def test_statistics_take_a_volume_with_its_image():
    labels = _dot(Volume.from_array(np.zeros((9, 9, 9)), (2.0, 2.0, 2.0)))
    rows = label_statistics(labels, surfaces=False)
    assert rows[0]["volume_mm3"] == pytest.approx(8.0)
    other = Geometry.from_spacing((1.0, 1.0, 1.0))
    with pytest.raises(GeometryError, match="image and geometry are not on the same grid"):
        label_statistics(labels.data, other, image=labels.like(labels.data * 1.0))
    with pytest.raises(GeometryError, match="labels and image"):
        label_statistics(labels, image=Volume.from_array(np.zeros((9, 9, 8))), surfaces=False)


def test_loaded_files_are_volumes(tmp_path):
    path = save_nifti(np.ones((3, 4, 5), np.int16), Geometry(np.eye(4)), tmp_path / "a.nii.gz")
    vol = load_nifti(path)
    assert isinstance(vol, Volume) and vol.spacing_mm == (1.0, 1.0, 1.0)


def test_cli_segment_reads_mm_options_in_mm_on_a_um_file(tmp_path):
    """--min-mm3 on a µm file: 0.5 mm voxels are 0.125 mm³, so a 1-voxel speck goes."""
    from napari_seg.cli import main

    image = np.zeros((9, 9, 9), np.float32)
    image[1:5, 1:5, 1:5] = 100.0  # 64 voxels = 8 mm³
    image[7, 7, 7] = 100.0  # 1 voxel = 0.125 mm³
    geo = Geometry(np.diag([500.0, 500.0, 500.0, 1.0]), unit="µm")
    src = save_nifti(image, geo, tmp_path / "um.nii.gz", kind="image")
    assert load_nifti(src).geometry.unit == "µm"
    out = tmp_path / "seg.nii.gz"
    args = ["segment", str(src), "-o", str(out), "--method", "manual", "--low", "50"]
    assert main([*args, "--min-mm3", "1"]) == 0
    labels = load_nifti(out).data
    assert labels.sum() == 64 and labels[7, 7, 7] == 0
