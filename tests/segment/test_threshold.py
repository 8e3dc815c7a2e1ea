from __future__ import annotations

import numpy as np
import pytest
from skimage import filters

from napari_seg.segment import EmptyInputWarning, SegmentationError, threshold, threshold_value
from napari_seg.segment.threshold import histogram

DTYPES = [np.int16, np.uint8, np.int32, np.float32, np.float64]


def _phantom(ndim: int, dtype) -> np.ndarray:
    """Three levels 10/60/200 plus deterministic noise, cast to dtype."""
    rng = np.random.default_rng(0)
    shape = (24, 24, 24)[:ndim] if ndim == 3 else (64, 64)
    img = np.full(shape, 10.0)
    img[(slice(4, 14),) * ndim] = 60.0
    img[(slice(14, 20),) * ndim] = 200.0
    img += rng.normal(0, 3, shape)
    return np.clip(img, 0, 255).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ndim", [2, 3])
@pytest.mark.parametrize(
    ("method", "reference"),
    [
        ("otsu", filters.threshold_otsu),
        ("yen", filters.threshold_yen),
        ("li", filters.threshold_li),
        ("triangle", filters.threshold_triangle),
        ("mean", filters.threshold_mean),
    ],
)
def test_matches_scikit_image(method, reference, dtype, ndim):
    img = _phantom(ndim, dtype)
    ours, ref = threshold_value(img, method=method), float(reference(img))
    # integer images share scikit-image's exact histogram; float ones use 256 bins
    # (4096 for Li), so the threshold lands within a bin of scikit-image's
    step = 0 if np.issubdtype(dtype, np.integer) else (img.max() - img.min()) / 256
    assert abs(ours - ref) <= step + 1e-6
    labels = threshold(img, method=method)
    assert labels.dtype == np.uint8 and labels.shape == img.shape
    assert np.array_equal(labels, (img > ours).astype(np.uint8))


@pytest.mark.parametrize("dtype", [np.int16, np.float32])
def test_multiotsu_orders_classes_dark_to_bright(dtype):
    img = _phantom(3, dtype)
    t = threshold_value(img, method="multiotsu", classes=3)
    assert np.allclose(t, filters.threshold_multiotsu(img, classes=3), atol=1.0)
    labels = threshold(img, method="multiotsu", classes=3)
    assert set(np.unique(labels)) == {1, 2, 3}
    assert img[labels == 1].mean() < img[labels == 2].mean() < img[labels == 3].mean()


def test_manual_window_and_preset():
    img = np.arange(-1000, 1000, dtype=np.int16).reshape(20, 100)
    lab = threshold(img, method="manual", low=-10, high=10)
    assert lab.sum() == 21
    bone = threshold(img, method="manual", preset="bone")
    assert bone.sum() == np.count_nonzero(img >= 300)
    with pytest.raises(ValueError, match="preset"):
        threshold(img, method="manual", preset="brain")


def test_mask_limits_histogram_and_output():
    img = _phantom(3, np.float32)
    mask = np.zeros(img.shape, bool)
    mask[10:] = True
    lab = threshold(img, method="otsu", mask=mask)
    assert not lab[~mask].any()
    assert threshold_value(img, method="otsu", mask=mask) == pytest.approx(
        filters.threshold_otsu(img[mask]), abs=float(img.max() - img.min()) / 256
    )


def test_nan_voxels_are_ignored_and_labelled_zero():
    img = _phantom(3, np.float32)
    img[0, 0, :5] = np.nan
    lab = threshold(img, method="otsu")
    assert not lab[0, 0, :5].any()
    assert np.isfinite(threshold_value(img, method="otsu"))


@pytest.mark.parametrize("img", [np.zeros((8, 8, 8)), np.full((8, 8), 7, np.int16)])
def test_constant_image_gives_empty_labels_with_warning(img):
    with pytest.warns(EmptyInputWarning):
        lab = threshold(img, method="otsu")
    assert lab.shape == img.shape and not lab.any()


@pytest.mark.parametrize("bad", [np.zeros((2, 3, 4, 5)), np.zeros(7), np.zeros((4, 4), complex)])
def test_bad_dimensions_or_dtype(bad):
    with pytest.raises(SegmentationError):
        threshold(bad, method="otsu")


def test_unknown_method_and_mask_shape():
    img = _phantom(2, np.uint8)
    with pytest.raises(ValueError, match="unknown threshold method"):
        threshold(img, method="magic")
    with pytest.raises(SegmentationError, match="mask shape"):
        threshold(img, method="otsu", mask=np.ones((3, 3), bool))


def test_histogram_is_exact_for_integers():
    img = np.array([[-3, -3, 0], [5, 5, 5]], dtype=np.int16)
    counts, centers = histogram(img)
    assert centers[0] == -3 and centers[-1] == 5
    assert counts[0] == 2 and counts[3] == 1 and counts[-1] == 3 and counts.sum() == 6


def test_histogram_of_int8_big_endian_and_outliers_is_exact_and_bounded():
    """int8 with negatives was miscounted by fastremap (and could corrupt the heap); a
    big-endian file failed; one voxel at 2^31 - 1 asked for a 16 GiB histogram."""
    from napari_seg.segment.threshold import MAX_INT_BINS, histogram

    rng = np.random.default_rng(0)
    small = rng.integers(-128, 127, (20, 30, 40)).astype(np.int8)
    counts, centres = histogram(small)
    values, expected = np.unique(small, return_counts=True)
    assert counts.sum() == small.size
    np.testing.assert_array_equal(
        counts[values.astype(int) + 128 - int(centres[0]) - 128], expected
    )
    big_endian = small.astype(np.int16).astype(">i2")
    np.testing.assert_array_equal(histogram(big_endian)[0], counts)
    wide = np.zeros((10, 10, 10), np.int32)
    wide[0, 0, 0] = 2**31 - 1
    counts, centres = histogram(wide)
    assert counts.size <= 256 < MAX_INT_BINS and counts.sum() == wide.size
    assert threshold(small, method="otsu").any()
