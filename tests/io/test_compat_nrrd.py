"""pynrrd's private ``_determine_datatype``: pinned to pynrrd 1.x, and the spec fallback agrees."""

from __future__ import annotations

import itertools

import nrrd
import numpy as np
import pytest

from napari_seg.io import _compat_nrrd
from napari_seg.io._compat_nrrd import TESTED_PYNRRD, _from_spec, nrrd_dtype

TYPES = sorted(_compat_nrrd._TYPES)


def test_pynrrd_is_a_checked_version():
    assert int(nrrd.__version__.split(".")[0]) in TESTED_PYNRRD, nrrd.__version__
    assert _compat_nrrd.private_determine_datatype() is not None


@pytest.mark.parametrize(
    ("kind", "endian", "encoding"),
    list(itertools.product(TYPES, ["little", "big"], ["raw", "gzip", "ascii"])),
)
def test_fallback_agrees_with_pynrrd(kind, endian, encoding):
    header = {"type": kind, "endian": endian, "encoding": encoding}
    assert _from_spec(header) == nrrd_dtype(header)


def test_fallback_used_on_an_unchecked_pynrrd(monkeypatch):
    monkeypatch.setattr(_compat_nrrd, "TESTED_PYNRRD", ())
    assert _compat_nrrd.private_determine_datatype() is None
    assert nrrd_dtype({"type": "short", "endian": "big", "encoding": "raw"}) == np.dtype(">i2")
    with pytest.raises(nrrd.NRRDError, match="endian"):
        nrrd_dtype({"type": "float", "encoding": "gzip"})
    with pytest.raises(nrrd.NRRDError, match="unknown NRRD type"):
        nrrd_dtype({"type": "half", "endian": "little", "encoding": "raw"})
