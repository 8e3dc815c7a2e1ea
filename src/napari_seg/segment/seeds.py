"""Seeds for the seeded watershed: balls of a radius in mm around points or seed labels.

A single clicked voxel (or a thin scribble) is a poor seed: on a noisy gradient
it is trapped by its neighbours and the other seeds flood its object. A ball
of a few mm samples the object's interior instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import edt
import numpy as np
from scipy import ndimage as ndi

from ._validate import SegmentationError, as_volume, check_spacing
from .smoothing import ball_mm

__all__ = ["default_seed_radius_mm", "grow_markers", "markers_from_points", "seed_labels"]


def default_seed_radius_mm(spacing: Sequence[float]) -> float:
    """Seed-ball radius used when none is given: 2.5 coarsest voxel sides (mm).

    Large enough to span a few slices of a thick-slice CT (2.5 mm slices: a
    6.25 mm ball covers 5 slices), small enough to stay inside a lesion of 1 cm.
    """
    return 2.5 * max(float(s) for s in spacing)


def markers_from_points(
    points: np.ndarray,
    shape: tuple[int, ...],
    *,
    spacing: Sequence[float] | None = None,
    radius_mm: float | None = None,
) -> np.ndarray:
    """Markers volume with a ball of label ``i + 1`` around each voxel coordinate ``points[i]``.

    A single clicked voxel is a poor seed: on a noisy gradient it is trapped
    by its neighbours and the other seeds flood its object. A ball of a few
    mm samples the object's interior instead.

    Parameters
    ----------
    points : numpy.ndarray, shape (N, ndim)
        Voxel coordinates (napari data coordinates), in the volume's axis order.
    shape : tuple of int
        The volume's shape.
    spacing : sequence of float, optional
        Voxel size in mm per axis (default 1 mm).
    radius_mm : float, optional
        Ball radius in mm (0 = single voxels); default
        :func:`default_seed_radius_mm`. Where balls overlap the earlier point wins.

    Returns
    -------
    numpy.ndarray of int32

    Raises
    ------
    SegmentationError
        No point lies inside the volume, or the radius is negative or not finite.
    """
    sp = np.asarray(check_spacing(spacing, len(shape)))
    radius = _radius(default_seed_radius_mm(sp) if radius_mm is None else radius_mm)
    pts = np.rint(np.asarray(points, dtype=np.float64).reshape(-1, len(shape))).astype(int)
    inside = np.all((pts >= 0) & (pts < np.asarray(shape)), axis=1)
    if not inside.any():
        raise SegmentationError(f"no seed point lies inside the volume of shape {shape}")
    ball = ball_mm(radius, sp, what="seed radius")
    offsets = np.argwhere(ball) - np.asarray(ball.shape) // 2
    markers = np.zeros(shape, np.int32)
    for label, p in reversed(list(enumerate(pts[inside], start=1))):
        vox = p + offsets
        vox = vox[np.all((vox >= 0) & (vox < np.asarray(shape)), axis=1)]
        markers[tuple(vox.T)] = label
    return markers


def _radius(radius_mm: float) -> float:
    radius = float(radius_mm)
    if not np.isfinite(radius) or radius < 0:
        raise SegmentationError(f"seed radius must be a finite number of mm >= 0, got {radius}")
    return radius


def grow_markers(
    markers: np.ndarray, *, radius_mm: float, spacing: Sequence[float] | None = None
) -> np.ndarray:
    """Seed labels grown by ``radius_mm``: every voxel within that distance of a seed joins it.

    Parameters
    ----------
    markers : numpy.ndarray of int, shape (Y, X) or (Z, Y, X)
        Seed labels (0 = no seed), for example single voxels or scribbles.
    radius_mm : float
        Distance in mm (voxel centre to voxel centre, on the ``spacing`` grid);
        0 returns the seeds unchanged. Seed voxels keep their label; a voxel
        within reach of several labels joins the nearest (the lower on a tie).
    spacing : sequence of float, optional
        Voxel size in mm per axis (default 1 mm).

    Returns
    -------
    numpy.ndarray of int32, same shape as ``markers``

    Raises
    ------
    SegmentationError
        The radius is negative or not finite, or its ball is too large for the grid.
    """
    out = as_volume(markers, name="markers").astype(np.int32)
    sp = np.asarray(check_spacing(spacing, out.ndim))
    radius = _radius(radius_mm)
    half = np.asarray(ball_mm(radius, sp, what="seed radius").shape) // 2
    if radius == 0 or not out.any():
        return out
    if out.min() < 0:
        raise SegmentationError(f"seed labels must be >= 0, got {out.min()}")
    grown = out.copy()
    nearest = np.full(out.shape, np.inf, np.float32)  # distance to the seed a voxel joined
    for v, box in enumerate(_boxes(out, half), start=1):
        if box is None:
            continue
        d = edt.edt(out[box] != v, anisotropy=tuple(sp), black_border=False)
        take = (d <= radius + 1e-9) & (d < nearest[box]) & (out[box] == 0)
        nearest[box][take], grown[box][take] = d[take], v
    return grown


def _boxes(labels: np.ndarray, pad: np.ndarray) -> list[tuple[slice, ...] | None]:
    """Bounding box of each label 1..max, padded by ``pad`` voxels (None where absent)."""
    boxes = ndi.find_objects(labels)
    return [
        None if b is None else tuple(
            slice(max(s.start - p, 0), min(s.stop + p, n))
            for s, p, n in zip(b, pad, labels.shape, strict=True)
        )
        for b in boxes
    ]  # fmt: skip


def seed_labels(
    markers: np.ndarray | None,
    points: np.ndarray | None,
    radius_mm: float | None,
    shape: tuple[int, ...],
    spacing: Sequence[float],
) -> np.ndarray | None:
    """The seed labels a seeded watershed starts from, or None to split without seeds.

    Points become balls of ``radius_mm`` (:func:`markers_from_points`); seed labels
    grow by it when it is given (:func:`grow_markers`), else stay as drawn.

    Raises
    ------
    SegmentationError
        Both points and seed labels, or a radius with no seed to grow.
    """
    if points is not None and len(points):
        if markers is not None:
            raise SegmentationError("give seed points or seed labels, not both")
        return markers_from_points(points, shape, spacing=spacing, radius_mm=radius_mm)
    if radius_mm is None:
        return markers
    if markers is None:
        raise SegmentationError(
            "seed_radius_mm (--seed-radius-mm) grows seeds: give seed labels (--markers) "
            "or seed points, or leave it out to split the mask without seeds"
        )
    return grow_markers(markers, radius_mm=radius_mm, spacing=spacing)
