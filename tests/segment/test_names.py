"""``segment.METHODS`` (threshold names) is THRESHOLD_METHODS; the old name warns (issue 23)."""

from __future__ import annotations

import importlib
import warnings

import pytest

import napari_seg.segment as segment
from napari_seg.segment.methods import METHODS as REGISTRY

# the module, not the function ``segment.threshold`` that shadows it
threshold_module = importlib.import_module("napari_seg.segment.threshold")


def test_threshold_names_have_their_own_name():
    assert segment.THRESHOLD_METHODS == threshold_module.THRESHOLD_METHODS
    assert set(segment.THRESHOLD_METHODS) <= set(REGISTRY)
    assert "METHODS" not in segment.__all__


@pytest.mark.parametrize("module", [segment, threshold_module], ids=["segment", "threshold"])
def test_old_name_still_works_with_a_deprecation_warning(module):
    with pytest.warns(DeprecationWarning, match="THRESHOLD_METHODS"):
        assert module.METHODS == segment.THRESHOLD_METHODS
    with pytest.raises(AttributeError):
        _ = module.NO_SUCH_NAME


def test_star_import_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec("from napari_seg.segment import *", {})
