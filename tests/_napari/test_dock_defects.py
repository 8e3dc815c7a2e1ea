"""Dock defects a new user hit (issue 21), each in a real viewer."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

pytestmark = pytest.mark.viewer
PLUGIN = "napari-seg"


def test_training_curves_x_axis_follows_the_epochs(make_napari_viewer):
    from napari_seg._napari._curves import CurvePlot, import_plotting

    viewer = make_napari_viewer()
    import_plotting()
    plot = CurvePlot(viewer)
    for epoch in range(1, 13):
        plot.add("unet", {"epoch": epoch, "loss": 1.0 / epoch, "val_dice": 0.05 * epoch})
    low, high = plot.axes[-1].get_xlim()
    assert low <= 1 and high >= 12  # step 6 onwards is visible
