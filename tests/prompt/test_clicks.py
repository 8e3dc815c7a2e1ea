"""Click encoding and the simulated user (no torch)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from napari_seg.prompt.clicks import corrective_click, deepest_point, encode_clicks, first_click
from napari_seg.prompt.window import place_window


def _box() -> np.ndarray:
    m = np.zeros((20, 30, 30), bool)
    m[5:15, 10:26, 3:9] = True
    return m


def test_encode_peaks_at_clicks_and_drops_outside_points():
    ch = encode_clicks((10, 12, 14), np.array([[2, 3, 4], [50, 0, 0]]), sigma_vox=1.0)
    assert ch.dtype == np.float32 and ch.shape == (10, 12, 14)
    assert ch[2, 3, 4] == pytest.approx(1.0)
    assert np.unravel_index(np.argmax(ch), ch.shape) == (2, 3, 4)
    assert ch[2, 3, 6] == pytest.approx(np.exp(-2.0), rel=1e-5)  # two voxels at sigma 1
    assert ch[9, 11, 13] == 0.0


def test_first_click_is_the_deepest_interior_point():
    m = _box()
    assert deepest_point(m) == (9, 17, 5)  # middle of the deepest plateau (x limits the depth)
    p, positive = first_click(m)
    assert positive and m[p]
    rng = np.random.default_rng(0)
    jittered = {first_click(m, rng=rng)[0] for _ in range(20)}
    assert len(jittered) > 1 and all(m[q] for q in jittered)


def test_depth_is_measured_in_mm():
    m = np.zeros((9, 9, 30), bool)
    m[1:8, 1:8, 1:29] = True
    # with 10 mm slices z is deep at once; x is 1 mm voxels: the deepest point is central in x
    *_, x = deepest_point(m, spacing=(10.0, 1.0, 1.0))
    assert 12 <= x <= 16


def test_corrective_click_targets_the_largest_error_region():
    m = _box()
    pred = m.copy()
    pred[5:15, 10:16, 3:9] = False  # a big miss
    pred[0:2, 0:2, 0:2] = True  # a small false detection
    p, positive = corrective_click(m, pred)
    assert positive and m[p] and not pred[p]
    pred2 = m.copy()
    pred2[0:4, 0:10, 10:20] = True  # a big false detection
    p, positive = corrective_click(m, pred2)
    assert not positive and pred2[p] and not m[p]
    assert corrective_click(m, m) is None


def test_window_contains_prompts_and_doubles_when_zoomed():
    w = place_window(
        (40, 200, 200), (2.5, 0.8, 0.8), np.array([[20, 100, 100]]), crop=64, base_mm=1.0
    )
    assert np.allclose(w.working_spacing, 1.0, atol=0.02)  # base 1 mm (finest voxel 0.8 mm)
    assert np.all(w.lo <= [20, 100, 100]) and np.all(w.lo + w.size > [20, 100, 100])
    w2 = place_window(
        (40, 200, 200),
        (1.0, 1.0, 1.0),
        np.array([[20, 100, 100]]),
        crop=64,
        base_mm=1.0,
        scale=2.0,
    )
    assert np.allclose(w2.working_spacing, 2.0)
    assert np.allclose(w.to_window(np.array([w.lo + w.size / 2 - 0.5])), 31.5)


def test_importing_the_package_does_not_import_torch():
    code = "import sys, napari_seg.prompt; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
