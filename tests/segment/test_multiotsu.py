"""Multi-Otsu: bounded cost for every allowed number of classes, exact optimum, cancellable."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from skimage import filters

from napari_seg.progress import Cancelled
from napari_seg.segment import threshold, threshold_value
from napari_seg.segment._multiotsu import MAX_BINS, multiotsu, rebin
from napari_seg.segment.methods import METHODS


def _between_class(counts: np.ndarray, centers: np.ndarray, cuts: np.ndarray) -> float:
    """Σ W_k μ_k², class k = {x ≤ cut_k} minus the classes below (scikit-image convention)."""
    p = counts / counts.sum()
    cls = np.digitize(centers, cuts, right=True)
    return sum(
        p[cls == k].sum() * np.average(centers[cls == k], weights=p[cls == k]) ** 2
        for k in range(len(cuts) + 1)
        if p[cls == k].sum()
    )


def test_every_allowed_class_count_is_fast_on_a_wide_integer_image():
    """4 classes on 24x48x48 took 18.6 s with one bin per value; 10 classes never finished.

    Run in a child process with a timeout, so today's code fails instead of hanging.
    """
    (param,) = METHODS["multiotsu"].params
    script = textwrap.dedent(f"""
        import numpy as np
        from napari_seg.segment import threshold_value
        img = np.random.default_rng(0).integers(-1024, 3072, (24, 48, 48)).astype(np.int16)
        img[0, 0, 0] = 30000  # an outlier: 31025 values
        for c in range({param.low}, {param.high} + 1):
            t = threshold_value(img, method="multiotsu", classes=c)
            assert t.shape == (c - 1,) and np.all(np.diff(t) > 0), (c, t)
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )  # generous: about 2 s, most of it imports, on a shared 2-core machine
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.parametrize(("n", "classes"), [(12, 2), (12, 3), (15, 4), (9, 5)])
def test_dynamic_programme_finds_the_exhaustive_optimum(n, classes, rng):
    counts = rng.integers(0, 100, n)
    counts[rng.random(n) < 0.2] = 0
    counts[[0, -1]] = 1
    centers = np.arange(n) * 0.5 - 2.0
    best = max(
        _between_class(counts, centers, centers[list(cut)])
        for cut in itertools.combinations(range(n - 1), classes - 1)
    )
    cuts = multiotsu(counts, centers, classes)
    assert _between_class(counts, centers, cuts) == pytest.approx(best, rel=1e-12)
    # never worse than scikit-image's search (float32 tables: it can miss by ~1e-4)
    ref = filters.threshold_multiotsu(hist=(counts, centers), classes=classes)
    assert _between_class(counts, centers, cuts) >= _between_class(counts, centers, ref) - 1e-9
    if classes == 2:
        assert cuts[0] == filters.threshold_otsu(hist=(counts, centers))


def test_integer_histograms_are_summed_to_256_bins_like_their_float_copy(rng):
    img = rng.normal(500, 300, (8, 40, 40)).astype(np.int32)
    ours = threshold_value(img, method="multiotsu", classes=4)
    as_float = threshold_value(img.astype(np.float64), method="multiotsu", classes=4)
    np.testing.assert_allclose(ours, as_float)
    counts, _ = rebin(np.ones(5000, np.int64), np.arange(5000.0))
    assert counts.size == MAX_BINS and counts.sum() == 5000


def _stop_at(n: int, calls: list[int]):
    def should_stop() -> bool:
        calls.append(1)
        return len(calls) >= n

    return should_stop


def test_cancel_stops_multiotsu_inside_threshold_value():
    img = np.random.default_rng(1).integers(0, 4096, (16, 32, 32)).astype(np.uint16)
    calls: list[int] = []
    with pytest.raises(Cancelled):  # polls: after the histogram, then once per class
        threshold_value(img, method="multiotsu", classes=10, should_stop=_stop_at(3, calls))
    assert len(calls) == 3
    calls.clear()
    with pytest.raises(Cancelled):  # threshold's own poll, the histogram's, the first class's
        threshold(img, method="multiotsu", classes=10, should_stop=_stop_at(3, calls))
    assert len(calls) == 3
