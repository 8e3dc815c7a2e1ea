from __future__ import annotations

import json
import math

import numpy as np
import pytest

from napari_seg.metrics import MetricsError, confusion_matrix, overlap_metrics


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.int64])
@pytest.mark.parametrize("shape", [(40, 50), (12, 20, 24)])
def test_matches_hand_computation(dtype, shape, rng):
    gt = rng.integers(0, 4, shape).astype(dtype)
    pred = rng.integers(0, 4, shape).astype(dtype)
    res = overlap_metrics(pred, gt, spacing=(2.0,) * len(shape))
    for v in (1, 2, 3):
        g, p = gt == v, pred == v
        tp = np.sum(g & p)
        row = res["labels"][str(v)]
        assert row["dice"] == pytest.approx(2 * tp / (g.sum() + p.sum()), abs=1e-12)
        assert row["iou"] == pytest.approx(tp / np.sum(g | p), abs=1e-12)
        assert row["volume_gt_mm3"] == g.sum() * 2.0 ** len(shape)
    assert res["pixel_accuracy"] == pytest.approx(np.mean(gt == pred), abs=1e-12)
    json.dumps(res)  # plain Python numbers


def test_matches_monai(rng):
    torch = pytest.importorskip("torch")
    from monai.metrics import compute_dice, compute_iou
    from monai.networks.utils import one_hot

    gt = rng.integers(0, 5, (10, 16, 16))
    pred = np.where(rng.random(gt.shape) < 0.8, gt, rng.integers(0, 5, gt.shape))
    res = overlap_metrics(pred, gt)
    y = one_hot(torch.as_tensor(gt)[None, None], 5, dtype=torch.float64)
    yp = one_hot(torch.as_tensor(pred)[None, None], 5, dtype=torch.float64)
    dice = compute_dice(yp, y, include_background=False)[0].double().numpy()
    iou = compute_iou(yp, y, include_background=False)[0].double().numpy()
    for v in range(1, 5):
        assert res["labels"][str(v)]["dice"] == pytest.approx(dice[v - 1], abs=1e-9)
        assert res["labels"][str(v)]["iou"] == pytest.approx(iou[v - 1], abs=1e-9)


def test_empty_rule_is_a_parameter():
    gt = np.zeros((4, 4), np.uint8)
    pred = np.zeros((4, 4), np.uint8)
    assert math.isnan(overlap_metrics(pred, gt, labels=[1])["labels"]["1"]["dice"])
    assert overlap_metrics(pred, gt, labels=[1], empty_score=1.0)["labels"]["1"]["dice"] == 1.0
    pred[0, 0] = 1  # false positive for a label absent from gt
    assert overlap_metrics(pred, gt, labels=[1])["labels"]["1"]["dice"] == 0.0


def test_confusion_matrix_layout():
    gt = np.array([0, 0, 1, 1, 2])
    pred = np.array([0, 1, 1, 2, 2])
    cm = confusion_matrix(pred, gt)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 1], [0, 0, 1]]


@pytest.mark.parametrize(
    ("pred", "gt", "match"),
    [
        (np.zeros((3, 3), np.uint8), np.zeros((3, 4), np.uint8), "shape"),
        (np.zeros((3, 3), np.float32), np.zeros((3, 3), np.uint8), "integer"),
        (np.full((3, 3), -1), np.zeros((3, 3), np.uint8), "negative"),
    ],
)
def test_bad_input_names_both(pred, gt, match):
    with pytest.raises(MetricsError, match=match):
        overlap_metrics(pred, gt)


def test_large_label_values_use_a_compact_matrix():
    """Label 65535 needed a 65536² matrix (32 GiB); now the size is the labels present."""
    from napari_seg.metrics.overlap import labelled_confusion

    gt = np.zeros((4, 30, 30), np.uint16)
    gt[1:3, 5:15, 5:15] = 65535
    gt[1:3, 20:25, 20:25] = 7
    pred = gt.copy()
    pred[1, 5:15, 5:10] = 0
    cm, values = labelled_confusion(pred, gt)
    assert cm.shape == (3, 3) and list(values) == [0, 7, 65535]
    scores = overlap_metrics(pred, gt)
    assert set(scores["labels"]) == {"7", "65535"}
    small = overlap_metrics((pred == 65535).view(np.uint8), (gt == 65535).view(np.uint8))
    assert scores["labels"]["65535"]["dice"] == pytest.approx(small["labels"]["1"]["dice"])
    assert overlap_metrics(pred, gt, labels=[3])["labels"]["3"]["volume_gt_mm3"] == 0
