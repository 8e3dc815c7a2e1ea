"""The undoable write on its own: compact atoms per value, fancy indices for many values."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg._napari._results import Target, apply_edits, digest, prepare  # noqa: E402


@pytest.mark.parametrize("n_values", [1, 3, 40])
def test_write_and_undo_restore_exactly(rng, n_values):
    first = rng.integers(0, 3, (6, 20, 30)).astype(np.uint8)
    second = first.copy()
    second[1:4, 2:9, 3:20] = rng.integers(1, n_values + 1, (3, 7, 17))
    second[0, 0, :5] = 0
    layer = napari.layers.Labels(first.copy())
    target = Target(layer, digest(first))
    prepared = prepare(second, target)
    target.close()
    assert prepared.reason is None and prepared.changed == np.count_nonzero(first != second)
    apply_edits(layer, prepared.edits)
    np.testing.assert_array_equal(layer.data, second)
    assert len(layer._undo_history) == 1  # one undo step, however many atoms
    layer.undo()
    np.testing.assert_array_equal(layer.data, first)
    layer.redo()
    np.testing.assert_array_equal(layer.data, second)


def test_edited_layer_is_not_written_in_place():
    first = np.zeros((4, 8, 8), np.uint8)
    layer = napari.layers.Labels(first.copy())
    target = Target(layer, digest(first))
    layer.data_setitem((np.array([1]), np.array([2]), np.array([3])), 5)
    prepared = prepare(np.ones_like(first), target)
    assert prepared.reason == "was edited by hand" and prepared.edits is None
    assert target.edited_during_run  # the paint event was seen too
    target.close()


def test_labels_that_do_not_fit_the_layer_dtype_go_to_a_new_layer():
    first = np.zeros((2, 4, 4), np.uint8)
    target = Target(napari.layers.Labels(first.copy()), digest(first))
    prepared = prepare(np.full_like(first, 300, dtype=np.int32), target)
    assert "cannot hold" in prepared.reason
    target.close()
