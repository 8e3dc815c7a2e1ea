"""napari's private names, pinned to the versions they were checked on, and the public fallbacks.

A napari outside :data:`TESTED_NAPARI` fails ``test_versions_are_the_checked_ones``: check the
private names on it (the other tests here), then add it.
"""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg._napari import _compat  # noqa: E402
from napari_seg._napari._results import Target, apply_edits, digest, prepare  # noqa: E402
from napari_seg._napari._segments import guard_locked, rename, set_flags  # noqa: E402


@pytest.fixture
def no_private(monkeypatch):
    """Act as on a napari whose private names were not checked: every shim falls back."""
    monkeypatch.setattr(_compat, "PRIVATE_OK", False)


def test_versions_are_the_checked_ones():
    assert _compat._version(napari.__version__) in _compat.TESTED_NAPARI, napari.__version__
    assert _compat.PRIVATE_OK and _compat.MaskedPaintAtom is not None
    layer = napari.layers.Labels(np.zeros((2, 3, 4), np.uint8))
    for name in ("_save_history", "_undo_history", "_redo_history", "_apply_mask_to_data"):
        assert hasattr(layer, name), name


def test_private_path_one_compact_undo_step(rng):
    first = rng.integers(0, 3, (4, 10, 12)).astype(np.uint8)
    second = first.copy()
    second[1:3, 2:6, 3:9] = 2
    layer = napari.layers.Labels(first.copy())
    prepared = prepare(second, Target(layer, digest(first)))
    assert prepared.edits[0][1] is not None  # a bounding box and a mask, not fancy indices
    apply_edits(layer, prepared.edits)
    assert _compat.history_lengths(layer) == (1, 0)
    (top,) = _compat.history_tops(layer)
    assert isinstance(top[0], _compat.MaskedPaintAtom)
    layer.undo()
    np.testing.assert_array_equal(layer.data, first)
    assert _compat.history_lengths(layer) == (0, 1)


def test_fallback_writes_are_still_one_undo_step(rng, no_private):
    first = rng.integers(0, 3, (4, 10, 12)).astype(np.uint8)
    second = first.copy()
    second[1:3, 2:6, 3:9] = 2
    layer = napari.layers.Labels(first.copy())
    target = Target(layer, digest(first))
    with pytest.MonkeyPatch.context() as m:  # atoms made where the private name was checked
        m.setattr(_compat, "PRIVATE_OK", True)
        edits = prepare(second, target).edits
    assert _compat.save_history(layer, object()) is False
    apply_edits(layer, edits)  # the public data_setitem instead
    np.testing.assert_array_equal(layer.data, second)
    layer.undo()
    np.testing.assert_array_equal(layer.data, first)


def test_fallbacks_say_they_cannot(no_private):
    main = napari.layers.Labels(np.zeros((2, 3, 4), np.uint8))
    mirror = napari.layers.Labels(main.data)
    assert _compat.history_lengths(main) is None and _compat.history_tops(main) is None
    assert _compat.share_history(mirror, main) is False
    assert mirror._undo_history is not main._undo_history
    assert _compat.wrap_paint_mask(main, lambda original: original) is False
    rename(main, 1, "liver")  # applied, without an undo step
    guard_locked(main)  # nothing to hook: no error


def test_shared_history_and_locked_guard():
    data = np.zeros((2, 6, 6), np.uint8)
    data[:, :3] = 1
    main = napari.layers.Labels(data)
    mirror = napari.layers.Labels(main.data)
    assert _compat.share_history(mirror, main)
    assert mirror._undo_history is main._undo_history
    set_flags(main, 1, locked=True)  # guards napari's paint hook
    main.paint((0, 1, 1), 2, refresh=False)  # the brush over a locked segment
    assert main.data[0, 1, 1] == 1
    main.paint((0, 4, 4), 2, refresh=False)
    assert main.data[0, 4, 4] == 2


def test_resize_window_uses_napari_public_window(make_napari_viewer):
    viewer = make_napari_viewer()
    _compat.resize_window(viewer, 900, 700)
    assert viewer.window.geometry()[2:] == (900, 700)
