"""Shared fixtures. Viewer tests use napari's ``make_napari_viewer`` under Xvfb."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest

os.environ.setdefault("QT_API", "pyqt6")
# the user's napari-seg settings (display convention, markers) never leak into tests
os.environ["NAPARI_SEG_CONFIG_DIR"] = tempfile.mkdtemp(prefix="napari-seg-settings-")


@pytest.fixture(scope="session")
def small_ct():
    """A small synthetic CT shared by tests that only read it."""
    from napari_seg.data.synthetic import make_synthetic_ct

    return make_synthetic_ct((32, 64, 64), seed=3)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-full", action="store_true", help="run 4x the generated hostile-input cases"
    )
