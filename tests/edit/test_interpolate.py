"""Fill between slices: known shapes, several labels, protected voxels, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seg.edit import interpolate_slices
from napari_seg.metrics import overlap_metrics
from napari_seg.segment import SegmentationError


def _ellipsoid(shape, centre, radii_mm, spacing):
    grids = np.ogrid[tuple(slice(0, n) for n in shape)]
    d = sum(
        ((g - c) * s / r) ** 2 for g, c, r, s in zip(grids, centre, radii_mm, spacing, strict=True)
    )
    return d <= 1.0


def _every(labels, step, axis=0):
    sparse = np.zeros_like(labels)
    keep = [slice(None)] * 3
    keep[axis] = slice(None, None, step)
    sparse[tuple(keep)] = labels[tuple(keep)]
    return sparse


@pytest.mark.parametrize(("step", "least"), [(3, 0.97), (5, 0.95)])
def test_ellipsoid_from_every_nth_slice(step, least):
    spacing = (2.5, 0.8, 0.8)
    truth = _ellipsoid((40, 80, 80), (20, 40, 38), (30.0, 20.0, 14.0), spacing).astype(np.uint8)
    sparse = _every(truth, step)
    filled = interpolate_slices(sparse, spacing=spacing)
    dice = overlap_metrics(filled, truth, labels=[1])["labels"]["1"]["dice"]
    before = overlap_metrics(sparse, truth, labels=[1])["labels"]["1"]["dice"]
    assert dice > least > before  # the caps beyond the last drawn slice stay empty
    np.testing.assert_array_equal(filled[::step], sparse[::step])  # annotations untouched
    assert sparse.max() == 1 and not (sparse[1::step] != 0).any()  # the input is not modified


def test_along_another_axis_and_a_moving_shape():
    spacing = (1.0, 1.0, 1.0)
    truth = np.zeros((30, 30, 30), np.uint8)
    for x in range(30):  # a disc that slides along y as x grows
        yy, zz = np.ogrid[:30, :30]
        truth[:, :, x] = ((yy - (8 + x // 3)) ** 2 + (zz - 15) ** 2 <= 25).T
    sparse = _every(truth, 4, axis=2)
    filled = interpolate_slices(sparse, axis=2, spacing=spacing)
    assert overlap_metrics(filled, truth, labels=[1])["labels"]["1"]["dice"] > 0.9


def test_split_between_slices_and_two_labels_at_once():
    labels = np.zeros((5, 40, 40), np.uint8)
    labels[0, 10:30, 10:30] = 1  # one blob ...
    labels[4, 10:18, 10:30] = 1  # ... becomes two
    labels[4, 22:30, 10:30] = 1
    labels[0, 33:38, 2:8] = 2
    labels[4, 33:38, 2:8] = 2
    filled = interpolate_slices(labels, spacing=(1, 1, 1))
    assert (filled[2, 12:28, 12:28] == 1).mean() > 0.8
    assert (filled[1:4, 34:37, 3:7] == 2).all()
    only = interpolate_slices(labels, spacing=(1, 1, 1), label_ids=[2])
    assert not (only[1:4] == 1).any()


def test_other_labels_are_kept_unless_overwrite():
    labels = np.zeros((3, 20, 20), np.uint8)
    labels[0, 5:15, 5:15] = 1
    labels[2, 5:15, 5:15] = 1
    labels[1, 8:12, 8:12] = 3  # drawn by hand in the gap
    kept = interpolate_slices(labels, spacing=(1, 1, 1), label_ids=[1])
    assert (kept[1, 8:12, 8:12] == 3).all() and (kept[1, 5:8, 5:15] == 1).all()
    over = interpolate_slices(labels, spacing=(1, 1, 1), label_ids=[1], overwrite=True)
    assert (over[1, 8:12, 8:12] == 1).all()


def test_bad_input():
    with pytest.raises(SegmentationError, match="3-D integer"):
        interpolate_slices(np.zeros((4, 4), np.uint8))
    with pytest.raises(SegmentationError, match="3-D integer"):
        interpolate_slices(np.zeros((2, 4, 4), np.float32))
    with pytest.raises(SegmentationError, match="axis"):
        interpolate_slices(np.zeros((2, 4, 4), np.uint8), axis=3)
    with pytest.raises(SegmentationError, match="spacing"):
        interpolate_slices(np.zeros((2, 4, 4), np.uint8), spacing=(0, 1, 1))
