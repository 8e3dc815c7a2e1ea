from __future__ import annotations

import numpy as np
import pytest
from skimage import measure

from napari_seg.progress import Cancelled
from napari_seg.segment import (
    SegmentationError,
    binary_closing,
    binary_opening,
    connected_components,
    fill_holes,
    keep_largest,
    remove_small,
)
from napari_seg.segment.methods import run_method
from napari_seg.segment.pipeline import Cleanup


def _blobs(ndim: int) -> np.ndarray:
    m = np.zeros((20,) * ndim, dtype=np.uint8)
    m[(slice(1, 6),) * ndim] = 1  # big: 5**ndim voxels
    m[(slice(10, 12),) * ndim] = 1  # small: 2**ndim voxels
    m[(slice(15, 16),) * ndim] = 1  # single voxel
    return m


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, bool])
@pytest.mark.parametrize("ndim", [2, 3])
def test_components_match_skimage(ndim, dtype):
    m = _blobs(ndim).astype(dtype)
    labels, n = connected_components(m, connectivity=26 if ndim == 3 else 8)
    ref = measure.label(m.astype(np.uint8), connectivity=ndim)
    assert n == ref.max() == 3
    # same partition (label numbers may differ)
    pairs = set(zip(labels.ravel().tolist(), ref.ravel().tolist(), strict=True))
    assert len(pairs) == 4


def test_face_vs_corner_connectivity():
    m = np.zeros((3, 3, 3), np.uint8)
    m[0, 0, 0] = m[1, 1, 1] = 1
    assert connected_components(m, connectivity=6)[1] == 2
    assert connected_components(m, connectivity=26)[1] == 1
    with pytest.raises(SegmentationError, match="connectivity"):
        connected_components(m, connectivity=8)


def test_remove_small_in_voxels_and_mm3():
    m = _blobs(3)
    assert remove_small(m, min_voxels=9).sum() == 125
    assert remove_small(m, min_voxels=2).sum() == 125 + 8
    # voxel 2 x 1 x 1 mm = 2 mm3: the 8-voxel blob is 16 mm3
    kept = remove_small(m, min_mm3=17, spacing=(2, 1, 1))
    assert kept.sum() == 125


def test_keep_largest_per_label():
    lab = np.zeros((10, 10), np.uint8)
    lab[0:3, 0:3] = 1
    lab[5:6, 5:6] = 1
    lab[7:10, 0:2] = 2
    lab[0:1, 8:10] = 2
    out = keep_largest(lab)
    assert (out == 1).sum() == 9 and (out == 2).sum() == 6


def test_fill_holes_3d():
    m = np.zeros((7, 7, 7), np.uint8)
    m[1:6, 1:6, 1:6] = 3
    m[3, 3, 3] = 0
    assert fill_holes(m)[3, 3, 3] == 3


def test_opening_uses_mm_radius_on_anisotropic_grid():
    m = np.zeros((9, 30, 30), np.uint8)
    m[2:7, 5:25, 5:25] = 1  # 5 slices of 3 mm = 15 mm thick, 20 x 20 mm in-plane
    # radius 4 mm: 1 voxel in z (3 mm), 4 voxels in-plane. The slab survives opening
    assert binary_opening(m, radius_mm=4, spacing=(3, 1, 1)).sum() > 0.5 * m.sum()
    thin = np.zeros_like(m)
    thin[4, 5:25, 5:25] = 1  # one slice = 3 mm thick: a 4 mm ball cannot fit
    assert binary_opening(thin, radius_mm=4, spacing=(3, 1, 1)).sum() == 0


def test_closing_keeps_objects_at_the_border():
    m = np.zeros((10, 10), np.uint8)
    m[:, :4] = 1
    m[:, 5:] = 1  # one-column gap
    closed = binary_closing(m, radius_mm=1.5)
    assert closed[:, 0].all() and closed[:, 4].all()


def test_pipeline_progress_and_cancel():
    img = np.random.default_rng(0).normal(size=(16, 16, 16)).astype(np.float32)
    seen = []
    params = {"min_voxels": 3, "largest": True, "components": True}
    out = run_method(
        "otsu", img, spacing=(1.0, 1.0, 1.0), params=params,
        progress=lambda d, t: seen.append((d, t)),
    )  # fmt: skip
    assert seen[-1][0] == seen[-1][1] and out.max() == 1
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # never backwards
    with pytest.raises(Cancelled):
        run_method("otsu", img, spacing=(1.0, 1.0, 1.0), should_stop=lambda: True)


def test_cleanup_opening_and_closing_per_label():
    from napari_seg.segment.pipeline import cleanup_labels

    lab = np.zeros((20, 30), np.uint8)  # 2-D: a 1 mm ball never fits in a one-slice volume
    lab[2:18, 2:12] = 1
    lab[9, 12:20] = 1  # a one-voxel-thin spur: opening removes it
    lab[2:18, 20:28] = 2
    lab[10, 23] = 0  # a pinhole: closing fills it with label 2
    out = cleanup_labels(lab, Cleanup(open_mm=1.0, close_mm=1.5), spacing=(1.0, 1.0))
    assert out[9, 15] == 0 and out[10, 23] == 2
    assert set(np.unique(out)) == {0, 1, 2}


def test_gaussian_in_slabs_equals_one_gaussian_filter_call(rng):
    """Smoothing in slabs (so a worker lets the GUI breathe) changes no value."""
    from scipy import ndimage as ndi

    from napari_seg.segment.smoothing import gaussian_mm

    for shape, spacing in [((9, 30, 41), (2.5, 0.8, 0.8)), ((30, 41), (1.0, 0.5))]:
        image = (rng.normal(size=shape) * 100).astype(np.float32)
        sigmas = [1.5 / s for s in spacing]
        ref = ndi.gaussian_filter(image, sigma=sigmas, output=np.float32)
        np.testing.assert_array_equal(gaussian_mm(image, sigma_mm=1.5, spacing=spacing), ref)
