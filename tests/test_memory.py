"""Sizes from files and options are bounded before anything is allocated."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from napari_seg._memory import MemoryBoundError, available_bytes, ensure_fits, format_bytes
from napari_seg.segment import SegmentationError
from napari_seg.segment.smoothing import ball_mm, gaussian_mm, median_mm


def test_ensure_fits_names_the_origin_and_the_sizes():
    ensure_fits(1024, "small")
    with pytest.raises(MemoryBoundError, match=r"option --x: would need 8\.0 PiB"):
        ensure_fits(8 * 1024**5, "option --x")
    assert format_bytes(1536) == "1.5 KiB" and format_bytes(3) == "3 B"


def test_available_memory_follows_the_address_space_limit():
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3));"
        "from napari_seg._memory import available_bytes; print(available_bytes())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) < 2 * 1024**3 <= available_bytes() + 2 * 1024**3


def test_a_huge_ball_or_filter_is_refused_before_it_is_built():
    with pytest.raises(SegmentationError, match=r"opening radius 40 mm is \(4000, 4000, 4000\)"):
        ball_mm(40.0, (0.01, 0.01, 0.01), what="opening radius")
    assert ball_mm(2.0, (1.0, 1.0, 1.0)).sum() == 33
    vol = np.zeros((30, 30, 30), np.float32)
    with pytest.raises(SegmentationError, match="Gaussian sigma 40 mm"):
        gaussian_mm(vol, sigma_mm=40.0, spacing=(0.0001, 0.0001, 0.0001))
    with pytest.raises(SegmentationError, match="median radius"):
        median_mm(vol, radius_mm=5.0, spacing=(0.05, 0.05, 0.05))
    assert gaussian_mm(vol, sigma_mm=2.0, spacing=(1.0, 1.0, 1.0)).shape == vol.shape


def test_checkpoint_spacing_that_would_not_fit_is_refused():
    torch = pytest.importorskip("torch")
    from napari_seg.deep.preprocess import to_network_frame
    from napari_seg.io import Geometry

    with pytest.raises(MemoryBoundError, match="target_spacing"):
        to_network_frame(
            np.zeros((1, 50, 50, 50), np.float32), Geometry(np.eye(4)), orientation=None,
            target_spacing=(0.001, 0.001, 0.001), window=None, device=torch.device("cpu"),
        )  # fmt: skip
