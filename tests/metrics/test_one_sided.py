"""Labels present on one side only: scored 0, never NaN, never "absent from both" (issue 23)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from napari_seg.cli import main
from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.io import load_decathlon, load_nifti, save_nifti
from napari_seg.metrics import SliceConfusion, evaluate, overlap_metrics


@pytest.fixture
def missed():
    """GT label 1 (a 6x8x8 box) found exactly; GT label 2 (125 voxels) missed entirely."""
    gt = np.zeros((10, 20, 20), np.uint8)
    gt[1:7, 2:10, 2:10] = 1
    gt[2:7, 12:17, 12:17] = 2
    pred = np.where(gt == 2, 0, gt).astype(np.uint8)
    assert (gt == 2).sum() == 125
    return pred, gt


@pytest.mark.parametrize("empty_score", [float("nan"), 1.0])
def test_missed_label_scores_zero(missed, empty_score):
    pred, gt = missed
    res = overlap_metrics(pred, gt, empty_score=empty_score)
    row = res["labels"]["2"]
    assert (row["dice"], row["iou"], row["precision"], row["recall"]) == (0.0, 0.0, 0.0, 0.0)
    assert res["mean"]["precision"] == pytest.approx(0.5)  # (1 + 0) / 2, not 1.0
    assert res["mean"]["recall"] == pytest.approx(0.5)
    assert "left_out" not in res["mean"]


@pytest.mark.parametrize("empty_score", [float("nan"), 1.0])
def test_extra_label_scores_zero(missed, empty_score):
    gt, pred = missed  # swapped: label 2 only in the prediction
    row = overlap_metrics(pred, gt, empty_score=empty_score)["labels"]["2"]
    assert (row["dice"], row["iou"], row["precision"], row["recall"]) == (0.0, 0.0, 0.0, 0.0)


def test_absent_from_both_gets_empty_score(missed):
    pred, gt = missed
    row = overlap_metrics(pred, gt, labels=[3])["labels"]["3"]
    assert all(math.isnan(row[k]) for k in ("dice", "iou", "precision", "recall"))
    row = overlap_metrics(pred, gt, labels=[3], empty_score=1.0)["labels"]["3"]
    assert (row["dice"], row["iou"], row["precision"], row["recall"]) == (1.0, 1.0, 1.0, 1.0)


def test_left_out_names_only_labels_absent_from_both(missed):
    pred, gt = missed
    res = evaluate(pred, gt, labels=[1, 2, 3], surface=True, spacing=(1.0, 1.0, 1.0))
    left = res["mean"]["left_out"]
    assert left["precision"] == "labels 3 absent from both (NaN)"
    assert left["dice"] == "labels 3 absent from both (NaN)"
    assert "2 with no surface" in left["hd95"] and "3 absent from both" in left["hd95"]
    assert res["mean"]["precision"] == pytest.approx(0.5)


def test_live_scores_agree(missed):
    pred, gt = missed
    live = SliceConfusion(pred, gt).scores(labels=[1, 2, 3])
    assert live["labels"]["2"]["precision"] == 0.0
    assert live["mean"]["precision"] == pytest.approx(0.5)
    assert live["mean"]["left_out"]["recall"] == "labels 3 absent from both (NaN)"


def test_batch_mean_counts_a_missed_label(tmp_path, capsys):
    """Case means with a ``left_out`` note are averaged; a case that missed a label scores < 1."""
    task = make_synthetic_task(tmp_path / "Task95", cases=2, test_cases=0, shape=(8, 16, 16))
    preds = tmp_path / "preds"
    preds.mkdir()
    for i, c in enumerate(load_decathlon(task).training):
        lab = load_nifti(c.label)
        data = np.zeros_like(lab.data) if i == 0 else lab.data
        save_nifti(data, lab.geometry, preds / f"{c.name}.nii.gz")
    assert main(["evaluate", str(preds), str(task), "--labels", "1,9", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cases"]["synthetic_0"]["mean"]["precision"] == 0.0
    assert out["mean"]["precision"] == pytest.approx(0.5)
    assert "left_out" not in out["mean"]
