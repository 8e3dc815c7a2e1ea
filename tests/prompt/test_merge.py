"""Refining a previous result: only the regions that contradicting clicks point at change."""

from __future__ import annotations

import numpy as np

from napari_seg.prompt.merge import merge_clicks


def _cube(shape, lo, hi) -> np.ndarray:
    m = np.zeros(shape, bool)
    m[tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))] = True
    return m


SHAPE = (20, 30, 30)
SP = (1.0, 1.0, 1.0)


def test_positive_click_adds_only_the_change_that_holds_it():
    prev = _cube(SHAPE, (5, 5, 5), (15, 15, 15))
    grown = _cube(SHAPE, (5, 15, 5), (15, 20, 15))  # the click's region
    elsewhere = _cube(SHAPE, (5, 5, 22), (15, 15, 28))  # the network also added this
    lost = _cube(SHAPE, (5, 5, 5), (15, 15, 8))  # and dropped this
    new = (prev | grown | elsewhere) & ~lost
    out = merge_clicks(
        prev, new, np.array([[10, 10, 10], [10, 17, 10]]), np.zeros((0, 3), int), spacing=SP
    )
    assert np.array_equal(out, prev | grown)


def test_negative_click_removes_the_change_that_holds_it():
    obj = _cube(SHAPE, (5, 5, 5), (15, 15, 15))
    leak = _cube(SHAPE, (5, 15, 5), (15, 25, 15))
    new = obj.copy()
    new[0:2] = True  # a new false region elsewhere is not taken
    out = merge_clicks(
        obj | leak, new, np.array([[10, 10, 10]]), np.array([[10, 20, 10]]), spacing=SP
    )
    assert np.array_equal(out, obj)


def test_negative_click_the_network_ignored_still_removes_the_object_around_it():
    prev = _cube(SHAPE, (5, 5, 5), (15, 25, 15))
    out = merge_clicks(prev, prev, np.array([[10, 7, 10]]), np.array([[10, 21, 10]]), spacing=SP)
    assert not out[10, 21, 10] and not out[10, 19, 10]  # its neighbourhood left, not one voxel
    assert out[10, 7, 10] and out[10, 10, 10]  # the object near the positive click stays
    assert out.sum() < prev.sum() - 50


def test_clicks_that_agree_with_previous_change_nothing():
    prev = _cube(SHAPE, (5, 5, 5), (15, 15, 15))
    new = _cube(SHAPE, (0, 0, 0), (20, 30, 30))
    out = merge_clicks(prev, new, np.array([[10, 10, 10]]), np.array([[1, 1, 1]]), spacing=SP)
    assert np.array_equal(out, prev)
