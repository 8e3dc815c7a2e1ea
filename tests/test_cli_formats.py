"""Every command reads DICOM series, NRRD and .seg.nrrd; -o picks the output format (issue 26)."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from napari_seg.batch import batch_inputs
from napari_seg.batch.case import segment_case
from napari_seg.cli import main
from napari_seg.data.synthetic import make_synthetic_ct
from napari_seg.io import Geometry, load_volume, save_nifti
from napari_seg.io.dicom import load_dicom
from napari_seg.io.nrrd import load_nrrd, save_nrrd
from napari_seg.io.slicer_seg import load_seg_nrrd, save_seg_nrrd
from tests.io._dicom_writer import write_series
from tests.io.test_dicom import GRIDS


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """A folder with a synthetic CT series (oblique) and a 3-slice scout series."""
    root = tmp_path_factory.mktemp("dicom")
    ct = make_synthetic_ct((12, 32, 32), seed=5)
    stored = (ct.image + 1024).astype(np.int16)
    write_series(root / "ct", stored, GRIDS["oblique"], description="CT ABDOMEN", number=3)
    write_series(root / "scout", stored[:3], GRIDS["sagittal"], description="SCOUT", number=1,
                 seed=2)  # fmt: skip
    return root


def test_segment_dicom_to_every_output_format(series, tmp_path, capsys):
    src = load_dicom(series / "ct")
    outs = {}
    for name in ("l.seg.nrrd", "l.nrrd", "l.nhdr", "l.nii.gz", "l.dcm"):
        out = tmp_path / name
        argv = ["segment", str(series), "--series", "1", "-o", str(out), "--quiet"]
        assert main([*argv, "--method", "otsu"]) == 0, capsys.readouterr().err
        outs[name] = load_volume(out)
        assert np.max(np.abs(outs[name].geometry.affine - src.geometry.affine)) < 1e-4, name
    first = outs["l.seg.nrrd"].data
    assert first.max() >= 1 and all(np.array_equal(v.data, first) for v in outs.values())
    seg = pydicom.dcmread(tmp_path / "l.dcm")
    assert seg.Modality == "SEG"
    assert seg.ReferencedSeriesSequence[0].SeriesInstanceUID == src.source["series_uid"]
    assert len(seg.ReferencedSeriesSequence[0].ReferencedInstanceSequence) == 12


def test_several_series_need_a_choice(series, tmp_path, capsys):
    out = tmp_path / "l.nii.gz"
    assert main(["segment", str(series), "-o", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds 2 series" in err[0] and "'SCOUT'" in err[0]
    one_file = next((series / "ct").iterdir())  # one file picks its series
    assert main(["segment", str(one_file), "-o", str(out), "--quiet"]) == 0
    capsys.readouterr()
    stats = ["stats", str(out), "--image", str(series), "--no-surfaces", "--json"]
    assert main([*stats, "--series", "CT ABDOMEN"]) == 0
    assert '"mean"' in capsys.readouterr().out


def test_dicom_seg_needs_a_dicom_input(tmp_path, capsys):
    image = save_nrrd(np.arange(64, dtype=np.int16).reshape(4, 4, 4), Geometry(np.eye(4)),
                      tmp_path / "i.nrrd")  # fmt: skip
    assert main(["segment", str(image), "-o", str(tmp_path / "l.dcm"), "--quiet"]) == 2
    assert "needs labels on an image read from a DICOM series" in capsys.readouterr().err


def test_stats_evaluate_surfaces_read_slicer_and_nrrd(tmp_path, capsys):
    geo = Geometry.from_spacing((2.0, 1.0, 1.0))
    labels = np.zeros((6, 8, 8), np.uint8)
    labels[1:5, 2:6, 2:6] = 4
    seg = save_seg_nrrd(labels, geo, tmp_path / "gt.seg.nrrd",
                        segments={4: {"name": "tumour", "color": (1, 0, 0, 1)}})  # fmt: skip
    pred = save_nrrd(labels, geo, tmp_path / "pred.nhdr", kind="labels")
    assert main(["stats", str(seg), "--no-surfaces", "--json"]) == 0
    assert '"tumour"' in capsys.readouterr().out
    assert main(["evaluate", str(pred), str(seg), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"dice": 1.0' in out and "tumour" in out
    assert main(["surfaces", str(seg), "-o", str(tmp_path / "m"), "--quiet"]) == 0
    assert [p.name for p in (tmp_path / "m").iterdir()] == ["gt_4_tumour.stl"]


def test_segment_keeps_a_seg_nrrd_table_through_cleanup(tmp_path):
    geo = Geometry.from_spacing((2.0, 1.0, 1.0))
    labels = np.zeros((6, 8, 8), np.uint8)
    labels[1:5, 2:6, 2:6] = 2
    src = save_seg_nrrd(labels, geo, tmp_path / "in.seg.nrrd",
                        segments={2: {"name": "liver", "color": (0.5, 0.25, 0, 1)}})  # fmt: skip
    out = tmp_path / "out.seg.nrrd"
    assert main(["segment", str(src), "--method", "cleanup", "-o", str(out), "--quiet"]) == 0
    assert load_seg_nrrd(out).table()[2] == {"name": "liver", "color": (0.5, 0.25, 0.0, 1.0)}


def test_batch_takes_dicom_series_and_nrrd(series, tmp_path):
    cases = batch_inputs(series)
    assert [name for name, _ in cases] == ["SCOUT_1", "CT_ABDOMEN_3"]
    result = segment_case(cases[1][1], tmp_path / "ct.nii.gz", method="otsu")
    assert result["labels"] >= 1
    src = load_dicom(series / "ct")
    np.testing.assert_allclose(load_volume(tmp_path / "ct.nii.gz").geometry.affine,
                               src.geometry.affine, atol=1e-4)  # fmt: skip
    folder = tmp_path / "vols"
    save_nrrd(np.zeros((3, 3, 3), np.int16), Geometry(np.eye(4)), folder / "a.nrrd")
    save_nifti(np.zeros((3, 3, 3), np.int16), Geometry(np.eye(4)), folder / "b.nii.gz")
    save_seg_nrrd(np.zeros((3, 3, 3), np.uint8), Geometry(np.eye(4)), folder / "c.seg.nrrd")
    assert [n for n, _ in batch_inputs(folder)] == ["a", "b"]
    assert load_nrrd(folder / "a.nrrd").data.shape == (3, 3, 3)
