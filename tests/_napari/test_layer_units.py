"""A µm layer's options in mm: the docks' spacing comes from the layer's geometry in mm."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg._napari._layers import layer_geometry, layer_spacing  # noqa: E402
from napari_seg.io import Geometry  # noqa: E402


@pytest.mark.parametrize("from_file", [True, False])
def test_layer_spacing_is_in_mm_for_a_um_layer(from_file):
    geo = Geometry(np.diag([500.0, 500.0, 500.0, 1.0]), unit="µm")
    kw = geo.layer_kwargs() if from_file else {"scale": (500.0,) * 3, "units": "µm"}
    layer = napari.layers.Image(np.zeros((4, 4, 4)), **kw)
    assert layer_geometry(layer).unit == "µm"
    assert layer_spacing(layer) == pytest.approx((0.5, 0.5, 0.5))  # was (500, 500, 500)
