"""Fill between annotated slices: shape interpolation of signed distances, in mm.

A user draws a label on a few slices along one axis; every gap between two
slices that hold the label is filled by blending the slices' signed distance
maps (negative inside, in mm with the in-plane spacing) along a cubic through
the neighbouring drawn slices, so a shape that grows, shrinks, moves, splits or
merges between the two slices changes smoothly, and a rounded organ keeps its
bulge. Several labels are filled at once; where two labels' interpolations
meet, the voxel goes to the label it lies deeper inside.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import edt
import fastremap
import numpy as np

from ..progress import ProgressCallback, Steps, StopCallback
from ..segment._validate import SegmentationError, as_volume, check_spacing
from ..volume import takes_volumes

__all__ = ["interpolate_slices", "signed_distance_mm"]


@takes_volumes
def signed_distance_mm(mask: np.ndarray, *, spacing: Sequence[float]) -> np.ndarray:
    """Signed Euclidean distance in mm to the mask's boundary: negative inside, positive outside.

    Parameters
    ----------
    mask : numpy.ndarray of bool, shape (Y, X)
    spacing : sequence of float
        Pixel size in mm (dy, dx).

    Returns
    -------
    numpy.ndarray of float32, same shape
    """
    m = np.ascontiguousarray(mask, dtype=bool)
    sp = tuple(float(s) for s in spacing)
    inside = edt.edt(m, anisotropy=sp, black_border=False)
    outside = edt.edt(~m, anisotropy=sp, black_border=False)
    return (outside - inside).astype(np.float32)


def _gaps(present: np.ndarray) -> list[tuple[int, int]]:
    """Pairs ``(a, b)`` of consecutive annotated slice indices with slices between them."""
    idx = np.flatnonzero(present)
    return [(int(a), int(b)) for a, b in itertools.pairwise(idx) if b - a > 1]


def _box(mask: np.ndarray, margin: int) -> tuple[slice, slice]:
    """In-plane bounding box of a mask, grown by ``margin`` pixels."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return (
        slice(max(rows[0] - margin, 0), min(rows[-1] + margin + 1, mask.shape[0])),
        slice(max(cols[0] - margin, 0), min(cols[-1] + margin + 1, mask.shape[1])),
    )


def _hermite(sdf: dict, before: int | None, a: int, b: int, after: int | None, t: float):
    """Cubic Hermite blend of the signed distances of slices ``a`` and ``b`` at ``t`` in (0, 1).

    The slopes come from the drawn slices on either side (Catmull-Rom on uneven
    steps), so a rounded organ keeps its bulge between drawn slices where a
    straight blend would pinch it; at the ends of a label the blend is linear.
    """
    da, db = sdf[a], sdf[b]
    step = b - a
    linear = (db - da) / step
    ma = (db - sdf[before]) / (b - before) if before is not None else linear
    mb = (sdf[after] - da) / (after - a) if after is not None else linear
    t2, t3 = t * t, t * t * t
    return (
        (2 * t3 - 3 * t2 + 1) * da
        + (t3 - 2 * t2 + t) * step * ma
        + (-2 * t3 + 3 * t2) * db
        + (t3 - t2) * step * mb
    )


@takes_volumes
def interpolate_slices(
    labels: np.ndarray,
    *,
    axis: int = 0,
    spacing: Sequence[float] | None = None,
    label_ids: Iterable[int] | None = None,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """Fill every gap between slices that hold a label by signed-distance interpolation.

    Parameters
    ----------
    labels : numpy.ndarray of int, shape (Z, Y, X)
        Labels in napari order; the slices along ``axis`` that contain a label
        are its annotated slices. Not modified.
    axis : int
        The axis the user annotated along (0 = axial in napari order).
    spacing : sequence of float, optional
        Voxel size in mm per axis; the in-plane pair shapes the distances
        (anisotropic pixels interpolate as round shapes in mm, not in pixels).
    label_ids : iterable of int, optional
        Labels to interpolate (default: every non-zero label present).
    overwrite : bool
        Let interpolated voxels replace other labels; by default only
        background (0) voxels are filled.
    progress, should_stop : callable, optional
        One step per gap; see :mod:`napari_seg.progress`.

    Returns
    -------
    numpy.ndarray
        A copy of ``labels`` with the gaps filled (annotated slices unchanged).

    Raises
    ------
    SegmentationError
        Not a 3-D labels volume, a bad axis or spacing, or negative labels.
    """
    lab = as_volume(labels, name="labels")
    if lab.ndim != 3 or lab.dtype.kind not in "iu":
        raise SegmentationError(
            f"labels must be a 3-D integer volume, got {lab.shape} {lab.dtype}"
        )
    if not 0 <= axis < 3:
        raise SegmentationError(f"axis must be 0, 1 or 2, got {axis}")
    sp = check_spacing(spacing, 3)
    moved = np.moveaxis(lab, axis, 0)
    plane_sp = tuple(s for i, s in enumerate(sp) if i != axis)
    present = _presence(moved, label_ids)
    work = {i: _gaps(p) for i, p in present.items()}
    steps = Steps(sum(len(g) for g in work.values()), progress=progress, should_stop=should_stop)
    # per slice: the deepest signed distance of any label interpolated there, and that label
    depth: dict[int, np.ndarray] = {}
    owner: dict[int, np.ndarray] = {}
    for label, gaps in work.items():
        if not gaps:
            continue
        drawn = np.flatnonzero(present[label])
        masks = {int(k): moved[k] == label for k in drawn}
        box = _box(np.any(list(masks.values()), axis=0), 2)  # background all round
        sdf = {k: signed_distance_mm(m[box], spacing=plane_sp) for k, m in masks.items()}
        for a, b in gaps:
            i = int(np.searchsorted(drawn, a))
            before = int(drawn[i - 1]) if i > 0 else None
            after = int(drawn[i + 2]) if i + 2 < len(drawn) else None
            for k in range(a + 1, b):
                d = _hermite(sdf, before, a, b, after, (k - a) / (b - a))
                full_d = depth.setdefault(k, np.full(moved.shape[1:], np.inf, np.float32))
                full_o = owner.setdefault(k, np.zeros(moved.shape[1:], lab.dtype))
                deeper = (d < 0) & (d < full_d[box])
                full_d[box][deeper] = d[deeper]
                full_o[box][deeper] = label
            steps.step()
    return _written(lab, axis, owner, overwrite=overwrite)


def _presence(moved: np.ndarray, label_ids: Iterable[int] | None) -> dict[int, np.ndarray]:
    """Per label to interpolate, which slices (along axis 0) hold it.

    One pass over the non-empty slices only.
    """
    nonempty = np.flatnonzero(moved.reshape(moved.shape[0], -1).any(axis=1))
    per_slice = {int(k): fastremap.unique(moved[k]) for k in nonempty}
    found = sorted({int(v) for vals in per_slice.values() for v in vals if v})
    ids = found if label_ids is None else [int(i) for i in label_ids]
    present = {i: np.zeros(moved.shape[0], bool) for i in ids}
    for k, vals in per_slice.items():
        for v in vals:
            if int(v) in present:
                present[int(v)][k] = True
    return present


def _written(lab: np.ndarray, axis: int, owner: dict[int, np.ndarray], *, overwrite: bool):
    """A copy of ``lab`` with each slice's interpolated owners written in."""
    out = lab.copy()
    target = np.moveaxis(out, axis, 0)
    for k, who in owner.items():
        fill = who != 0
        if not overwrite:
            fill &= target[k] == 0
        target[k][fill] = who[fill]
    return out
