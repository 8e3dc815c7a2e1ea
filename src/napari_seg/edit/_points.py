"""Clicked points: voxel coordinates rounded and checked against the volume."""

from __future__ import annotations

from collections.abc import Sequence

from ..segment._validate import SegmentationError

__all__ = ["clicked_voxel"]


def clicked_voxel(shape: tuple[int, ...], point: Sequence[float]) -> tuple[int, ...]:
    """The voxel nearest ``point`` (data coordinates), or an error naming the click."""
    p = tuple(round(float(c)) for c in point)
    if len(p) != len(shape) or not all(0 <= c < n for c, n in zip(p, shape, strict=True)):
        raise SegmentationError(f"the click {tuple(point)} is outside the volume {tuple(shape)}")
    return p
