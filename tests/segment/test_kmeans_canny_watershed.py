from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from napari_seg.metrics import overlap_metrics
from napari_seg.progress import Cancelled
from napari_seg.segment import SegmentationError
from napari_seg.segment.edges import canny
from napari_seg.segment.kmeans import kmeans
from napari_seg.segment.watershed import (
    distance_mm,
    markers_from_points,
    seeded_watershed,
    split_touching,
)


def _three_levels(ndim: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    shape = (20, 30, 30)[-ndim:]
    truth = np.ones(shape, np.uint8)
    truth[(slice(2, 12),) * ndim] = 2
    truth[(slice(14, 19),) * ndim] = 3
    levels = np.array([0, -200.0, 40.0, 300.0])
    noise = np.random.default_rng(1).normal(0, 10, shape)
    return (levels[truth] + noise).astype(dtype), truth


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("ndim", [2, 3])
def test_kmeans_recovers_three_classes_exactly(dtype, ndim):
    img, truth = _three_levels(ndim, dtype)
    labels = kmeans(img, 3, seed=0)
    assert np.array_equal(labels, truth)  # ordered dark to bright: label 1 is darkest


def test_kmeans_is_deterministic_and_respects_mask():
    img, truth = _three_levels(3, np.float32)
    a = kmeans(img, 4, seed=3, sample_size=500)
    assert np.array_equal(a, kmeans(img, 4, seed=3, sample_size=500))
    mask = truth > 1
    m = kmeans(img, 2, mask=mask)
    assert not m[~mask].any() and np.array_equal(m[mask], truth[mask] - 1)


def test_kmeans_constant_image_and_bad_k():
    with pytest.warns(UserWarning, match="distinct values"):
        assert not kmeans(np.zeros((5, 5, 5)), 3).any()
    with pytest.raises(SegmentationError):
        kmeans(np.zeros((5, 5)), 1)


def _sphere(shape, center, radius, spacing=(1.0, 1.0, 1.0)):
    grids = np.ogrid[tuple(slice(0, s) for s in shape)]
    d2 = sum(((g - c) * s) ** 2 for g, c, s in zip(grids, center, spacing, strict=True))
    return d2 <= radius**2, np.sqrt(d2)


@pytest.mark.parametrize("spacing", [(1.0, 1.0, 1.0), (2.0, 1.0, 1.0)])
def test_canny_3d_finds_sphere_boundary_within_one_voxel(spacing):
    shape = (24, 40, 40) if spacing[0] == 2.0 else (40, 40, 40)
    center = [s / 2 - 0.5 for s in shape]
    radius = 12.0
    ball, dist = _sphere(shape, center, radius, spacing)
    img = np.where(ball, 100.0, 0.0).astype(np.float32)
    edges = canny(img, sigma_mm=1.5, spacing=spacing)
    assert edges.dtype == np.uint8 and edges.any()
    on = dist[edges > 0]
    assert np.all(np.abs(on - radius) <= max(spacing) + 1e-6)  # within one voxel
    # it covers the sphere: every direction has an edge voxel near the surface
    surface = ball & ~ndi.binary_erosion(ball)
    near = ndi.binary_dilation(edges > 0, iterations=2)
    assert near[surface].mean() > 0.95


def test_canny_slices_mode_and_bad_thresholds():
    ball, _ = _sphere((20, 32, 32), (10, 16, 16), 8)
    img = ball.astype(np.float32) * 50
    per_slice = canny(img, mode="slices", sigma_mm=1.0)
    assert per_slice[10].any() and not per_slice[0].any()
    with pytest.raises(SegmentationError):
        canny(img, low=5, high=1, use_quantiles=False)
    with pytest.raises(Cancelled):
        canny(img, should_stop=lambda: True)


def test_distance_transform_is_anisotropic():
    m = np.zeros((11, 21, 21), np.uint8)
    m[1:10, 1:20, 1:20] = 1
    iso = distance_mm(m)
    aniso = distance_mm(m, spacing=(3.0, 1.0, 1.0))
    ref = ndi.distance_transform_edt(m, sampling=(3.0, 1.0, 1.0))
    np.testing.assert_allclose(aniso, ref, rtol=1e-5)
    assert iso[5, 10, 10] == pytest.approx(5.0)  # 5 slices to the edge in voxels
    assert aniso[5, 10, 10] == pytest.approx(10.0)  # in mm the in-plane edge is nearer
    assert aniso[2, 10, 10] == pytest.approx(6.0)  # 2 slices of 3 mm


@pytest.mark.parametrize("spacing", [(1.0, 1.0, 1.0), (2.5, 1.0, 1.0)])
def test_two_touching_spheres_split_into_two(spacing):
    shape = (48, 40, 64) if spacing[0] == 1.0 else (20, 40, 64)
    zc = shape[0] / 2
    r = 10.0  # mm
    a, _ = _sphere(shape, (zc, 20, 20), r, spacing)
    b, _ = _sphere(shape, (zc, 20, 37), r, spacing)  # centres 17 mm apart: they overlap
    mask = a | b
    assert ndi.label(mask)[1] == 1
    labels = split_touching(mask, spacing=spacing, min_distance_mm=8)
    assert labels.max() == 2
    truth = np.zeros(shape, np.uint8)
    truth[a] = 1
    truth[b & ~a] = 2
    # match each object to a truth sphere by overlap
    for obj in (1, 2):
        sphere = np.bincount(truth[labels == obj]).argmax()
        pred = (labels == obj).astype(np.uint8)
        dice = overlap_metrics(pred, (truth == sphere).astype(np.uint8))["labels"]["1"]["dice"]
        assert dice >= 0.95


def test_split_keeps_separate_objects_and_small_ones():
    m = np.zeros((30, 30, 30), np.uint8)
    m[2:5, 2:5, 2:5] = 1
    m[10:25, 10:25, 10:25] = 1
    labels = split_touching(m, min_distance_mm=4)
    assert len(np.unique(labels)) == 3


def test_seeded_watershed_from_points_and_errors():
    shape = (30, 30, 50)
    a, _ = _sphere(shape, (15, 15, 15), 9)
    b, _ = _sphere(shape, (15, 15, 31), 9)
    img = np.where(a | b, 100.0, 0.0) + np.where(b, 30.0, 0.0)
    markers = markers_from_points(np.array([[15, 15, 15], [15, 15, 31], [-5, 0, 0]]), shape)
    assert markers.max() == 2
    out = seeded_watershed(markers, image=img, mask=(a | b))
    assert set(np.unique(out)) == {0, 1, 2}
    assert (out[a & ~b] == 1).mean() > 0.95 and (out[b & ~a] == 2).mean() > 0.95
    with pytest.raises(SegmentationError, match="seed"):
        seeded_watershed(np.zeros(shape, np.int32), image=img)
    with pytest.raises(SegmentationError, match="inside"):
        markers_from_points(np.array([[100, 0, 0]]), shape)
    with pytest.raises(SegmentationError, match="image or a mask"):
        seeded_watershed(markers)


def test_split_labels_every_voxel_of_diagonally_linked_objects():
    # two blobs joined only through a corner: one 26-connected component
    m = np.zeros((20, 20, 40), np.uint8)
    m[2:12, 2:12, 2:12] = 1
    m[12:18, 12:18, 12:30] = 1
    labels = split_touching(m, min_distance_mm=3)
    assert np.array_equal(labels > 0, m > 0)
