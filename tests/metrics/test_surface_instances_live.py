from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from napari_seg.io import Geometry, GeometryError
from napari_seg.metrics import (
    SliceConfusion,
    align_to,
    confusion_matrix,
    evaluate,
    instance_metrics,
    jsonable,
    surface_distances,
    surface_metrics,
    surface_voxels,
    table_rows,
    to_csv,
)


def _brute(a: np.ndarray, b: np.ndarray, spacing) -> tuple[np.ndarray, np.ndarray]:
    """All-pairs surface distances in mm (reference)."""
    sa = np.argwhere(surface_voxels(a)) * np.asarray(spacing)
    sb = np.argwhere(surface_voxels(b)) * np.asarray(spacing)
    d = np.linalg.norm(sa[:, None, :] - sb[None, :, :], axis=2)
    return d.min(axis=1), d.min(axis=0)


def _ellipsoid(shape, center, radii):
    g = np.ogrid[tuple(slice(0, s) for s in shape)]
    return sum(((x - c) / r) ** 2 for x, c, r in zip(g, center, radii, strict=True)) <= 1


@pytest.mark.parametrize("spacing", [(1.0, 1.0, 1.0), (2.5, 0.8, 0.8), (1.0, 0.5, 2.0)])
def test_surface_distances_match_brute_force(spacing):
    a = _ellipsoid((14, 18, 20), (7, 9, 9), (4, 6, 7))
    b = _ellipsoid((14, 18, 20), (6, 10, 11), (5, 5, 6))
    d_ab, d_ba = surface_distances(a, b, spacing=spacing)
    r_ab, r_ba = _brute(a, b, spacing)
    np.testing.assert_allclose(np.sort(d_ab), np.sort(r_ab), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.sort(d_ba), np.sort(r_ba), rtol=1e-5, atol=1e-5)
    m = surface_metrics(b, a, spacing=spacing, tolerance_mm=1.5)
    assert m["hd95"] == pytest.approx(max(np.percentile(r_ab, 95), np.percentile(r_ba, 95)))
    pooled = np.concatenate([r_ab, r_ba])
    assert m["assd"] == pytest.approx(pooled.mean())
    assert m["nsd"] == pytest.approx(np.mean(pooled <= 1.5))


def test_surface_metrics_match_monai():
    torch = pytest.importorskip("torch")
    from monai.metrics import compute_hausdorff_distance

    a = _ellipsoid((20, 24, 24), (10, 12, 12), (6, 8, 8))
    b = _ellipsoid((20, 24, 24), (11, 12, 13), (6, 7, 9))
    ours = surface_metrics(b, a, spacing=(2.0, 1.0, 1.0))["hd95"]
    t = lambda m: torch.as_tensor(m[None, None].astype(np.float32))  # noqa: E731
    monai = compute_hausdorff_distance(t(b), t(a), percentile=95, spacing=[2.0, 1.0, 1.0])
    assert ours == pytest.approx(float(monai), rel=1e-5)


def test_surface_empty_rules():
    z = np.zeros((5, 5, 5), bool)
    one = z.copy()
    one[2, 2, 2] = True
    assert np.isnan(surface_metrics(z, z)["hd95"])
    assert surface_metrics(z, z, empty_score=0.0)["nsd"] == 0.0
    assert surface_metrics(one, z)["hd95"] == float("inf")
    assert surface_metrics(one, one) == {"hd95": 0.0, "assd": 0.0, "nsd": 1.0}


def test_instance_matching():
    gt = np.zeros((10, 30), np.int32)
    gt[2:8, 2:8] = 1
    gt[2:8, 12:18] = 2
    gt[2:8, 22:28] = 3
    pred = np.zeros_like(gt)
    pred[2:8, 2:8] = 5  # perfect
    pred[2:8, 13:18] = 7  # IoU 30/36
    pred[0:2, 22:24] = 9  # no overlap: FP; gt 3 is a FN
    res = instance_metrics(pred, gt)
    assert (res["tp"], res["fp"], res["fn"]) == (2, 1, 1)
    assert res["f1"] == pytest.approx(2 / 3)
    assert res["mean_matched_iou"] == pytest.approx((1 + 30 / 36) / 2)
    assert res["pq"] == pytest.approx((1 + 30 / 36) / 3)
    low = instance_metrics(pred, gt, iou_threshold=0.1)
    assert low["tp"] == 2


def test_slice_confusion_tracks_edits(rng):
    gt = rng.integers(0, 3, (6, 20, 20)).astype(np.uint8)
    pred = gt.copy()
    live = SliceConfusion(pred, gt)
    assert np.array_equal(live.total, confusion_matrix(pred, gt))
    pred[2, 5:10, 5:10] = 4  # a new label value
    pred[4, :, :3] = 0
    live.refresh([2, 4])
    assert np.array_equal(live.total, confusion_matrix(pred, gt, n_labels=5))
    assert live.errors_per_slice().argmax() in (2, 4)
    assert live.scores()["labels"]["4"]["dice"] == 0.0


def test_evaluate_rows_csv_json():
    gt = np.zeros((4, 8, 8), np.uint8)
    gt[1:3, 2:6, 2:6] = 1
    pred = np.zeros_like(gt)
    pred[1:3, 2:6, 3:7] = 1
    res = evaluate(
        pred,
        gt,
        spacing=(2.0, 1.0, 1.0),
        surface=True,
        labels=[1, 2],
        label_names={1: "spleen", 2: "liver"},
    )
    rows = table_rows(res)
    assert [r["label"] for r in rows] == ["1", "2", "mean"]
    assert rows[0]["name"] == "spleen" and rows[0]["hd95"] == pytest.approx(1.0)
    text = to_csv(rows)
    assert text.splitlines()[0].startswith("label,name,dice,iou")
    json.loads(json.dumps(jsonable(res), allow_nan=False))  # strict JSON: NaN became null


def test_align_to_refuses_or_resamples():
    geo = Geometry.from_spacing((2.0, 1.0, 1.0))
    pred = np.zeros((4, 6, 6), np.uint8)
    pred[1, 2, 3] = 1
    assert align_to(pred, geo, (4, 6, 6), geo) is pred
    half = Geometry.from_spacing((2.0, 0.5, 0.5))
    with pytest.raises(GeometryError, match="resample"):
        align_to(pred, geo, (4, 12, 12), half)
    up = align_to(pred, geo, (4, 12, 12), half, resample=True)
    assert up.shape == (4, 12, 12) and up.sum() >= 1
    flipped = Geometry(np.diag([-1.0, 1.0, 2.0, 1.0]))
    with pytest.raises(GeometryError):
        align_to(pred, geo, (4, 6, 6), flipped)


@pytest.mark.parametrize("shape", list(itertools.product([8, 9], [10], [12])))
def test_surface_voxels_of_full_box_is_its_shell(shape):
    m = np.ones(shape, bool)
    s = surface_voxels(m)
    assert s.sum() == m.size - np.prod([d - 2 for d in shape])


def test_json_tells_inf_from_nan_and_means_say_what_they_left_out():
    gt = np.zeros((4, 10, 10), np.uint8)
    gt[1:3, 2:5, 2:5] = 1
    gt[1:3, 6:9, 6:9] = 2
    pred = gt.copy()
    pred[gt == 2] = 0  # label 2 missed entirely: HD95 inf
    res = evaluate(pred, gt, labels=[1, 2, 3], surface=True, spacing=(1, 1, 1))
    out = json.loads(json.dumps(jsonable(res), allow_nan=False))
    assert out["labels"]["2"]["hd95"] == "inf" and out["labels"]["3"]["hd95"] is None
    assert "2 with no surface" in out["mean"]["left_out"]["hd95"]
    assert "3 absent from both" in out["mean"]["left_out"]["hd95"]
