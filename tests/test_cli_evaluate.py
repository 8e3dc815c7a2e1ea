from __future__ import annotations

import json

import numpy as np
import pytest

from napari_seg.cli import main
from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.io import Geometry, load_decathlon, load_nifti, save_nifti


@pytest.fixture
def pair(tmp_path):
    geo = Geometry.from_spacing((2.0, 1.0, 1.0))
    gt = np.zeros((6, 16, 16), np.uint8)
    gt[1:5, 3:12, 3:12] = 1
    gt[2:4, 5:8, 5:8] = 2
    pred = gt.copy()
    pred[1:5, 3:12, 11] = 0
    return (
        save_nifti(pred, geo, tmp_path / "pred.nii.gz"),
        save_nifti(gt, geo, tmp_path / "gt.nii.gz"),
        pred,
        gt,
    )


def test_json_output_has_the_documented_keys(pair, capsys):
    p, g, pred, gt = pair
    assert main(["evaluate", str(p), str(g), "--json", "--surface"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"pixel_accuracy", "labels", "mean"}
    one = out["labels"]["1"]
    assert {"name", "dice", "iou", "hd95", "assd", "nsd"} <= set(one)
    tp = np.sum((pred == 1) & (gt == 1))
    assert one["dice"] == pytest.approx(2 * tp / (np.sum(pred == 1) + np.sum(gt == 1)))
    assert out["pixel_accuracy"] == pytest.approx(np.mean(pred == gt))


def test_table_labels_filter_and_csv(pair, tmp_path, capsys):
    p, g, _, _ = pair
    csv_path = tmp_path / "scores.csv"
    assert main(["evaluate", str(p), str(g), "--label-ids", "2", "--csv", str(csv_path)]) == 0
    out = capsys.readouterr().out
    assert "dice" in out and "pixel accuracy" in out
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("label,name,dice") and lines[1].startswith("2,") and len(lines) == 3


def test_geometry_mismatch_names_both(pair, tmp_path, capsys):
    p, _, pred, _ = pair
    other = save_nifti(pred, Geometry.from_spacing((2.0, 1.0, 1.1)), tmp_path / "other.nii.gz")
    assert main(["evaluate", str(p), str(other)]) == 2
    err = capsys.readouterr().err
    assert "pred.nii.gz" in err and "other.nii.gz" in err and "same grid" in err
    assert main(["evaluate", str(p), str(other), "--resample"]) == 0


def test_non_integer_labels_refused(tmp_path, capsys):
    geo = Geometry(np.eye(4))
    f = save_nifti(np.full((3, 3, 3), 0.5, np.float32), geo, tmp_path / "f.nii.gz", kind="image")
    i = save_nifti(np.zeros((3, 3, 3), np.uint8), geo, tmp_path / "i.nii.gz")
    assert main(["evaluate", str(f), str(i)]) == 2
    assert "whole numbers" in capsys.readouterr().err


def test_batch_mode_over_a_task(tmp_path, capsys):
    task = make_synthetic_task(tmp_path / "Task95", cases=2, test_cases=0, shape=(8, 16, 16))
    preds = tmp_path / "preds"
    preds.mkdir()
    t = load_decathlon(task)
    for c in t.training:
        lab = load_nifti(c.label)
        save_nifti(lab.data, lab.geometry, preds / f"{c.name}.nii.gz")
    assert main(["evaluate", str(preds), str(task), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["cases"]) == {"synthetic_0", "synthetic_1"}
    assert out["mean"]["dice"] == pytest.approx(1.0)
    assert out["cases"]["synthetic_0"]["labels"]["1"]["name"] == "spleen"
    (preds / "synthetic_1.nii.gz").unlink()
    assert main(["evaluate", str(preds), str(task)]) == 2
    err = capsys.readouterr().err
    assert "synthetic_1" in err and "preds" in err and "Task95" in err


def test_labels_stored_as_floats_are_read_when_whole(pair, tmp_path, capsys):
    _, g, pred, _ = pair
    geo = Geometry.from_spacing((2.0, 1.0, 1.0))
    as_float = save_nifti(pred.astype(np.float32), geo, tmp_path / "f.nii.gz", kind="image")
    assert main(["evaluate", str(as_float), str(g), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["labels"]["1"]["dice"] > 0.9
    half = save_nifti(pred.astype(np.float32) / 2, geo, tmp_path / "h.nii.gz", kind="image")
    assert main(["evaluate", str(half), str(g)]) == 2
    assert "whole numbers" in capsys.readouterr().err
