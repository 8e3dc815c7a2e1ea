"""Grow from seeds (as 3D Slicer's): scribbles of two or more labels compete for voxels.

Each voxel of a region around the scribbles gets the label with the largest mean of
two probabilities, both computed on a grid of block means of about 2 mm
(:mod:`._walker`) and interpolated back to full resolution:

* the **random walker** (Grady 2006): the chance that a walk from the voxel, moving
  less readily across intensity edges, first reaches that label's scribbles. It
  interpolates smoothly between scribbled slices and ignores speckle;
* the label's **geodesic share**: ``(1/d_l) / sum_k (1/d_k)`` with ``d_l`` the label's
  cheapest path in mm, weighted by ``1 + (gradient / typical gradient)^2`` after a 1 mm
  Gaussian. It follows a strong edge all the way round an organ.

Chosen by measurement on real scans (``benchmarks/bench_grow.py``): on a real chest CT
(lung tumours) and a T1 brain MRI (brain, deep grey nuclei) the mean beats either half
alone and scikit-image's full-resolution random walker in 6 of 7 targets, 10-100x faster.
:class:`SeedGrower` keeps the graph and the last answer, so a new scribble re-solves
warm-started (a few conjugate-gradient steps) in the same region.
"""

from __future__ import annotations

from collections.abc import Sequence

import fastremap
import numpy as np
from scipy import ndimage as ndi
from skimage.graph import MCP_Geometric

from ..progress import ProgressCallback, Steps, StopCallback
from ..segment._validate import SegmentationError, as_volume, check_spacing
from ..segment.smoothing import gaussian_mm, gradient_mm
from ..volume import takes_volumes
from ._walker import (
    Graph,
    block_factors,
    coarsen_image,
    coarsen_seeds,
    geodesic_probabilities,
    upsample,
    walker_probabilities,
)

__all__ = ["SeedGrower", "grow_from_seeds"]


def _region(seeds: np.ndarray, margin_mm: float, spacing: np.ndarray) -> tuple[slice, ...]:
    """The seeds' bounding box widened by ``margin_mm`` (projections: no index arrays)."""
    box = []
    for axis in range(seeds.ndim):
        others = tuple(a for a in range(seeds.ndim) if a != axis)
        hit = np.flatnonzero(np.any(seeds, axis=others))
        box.append(slice(int(hit[0]), int(hit[-1]) + 1))
    return _widen(tuple(box), margin_mm, spacing, seeds.shape)


def _widen(box: tuple[slice, ...], margin_mm: float, spacing: np.ndarray, shape) -> tuple:
    """``box`` grown by ``margin_mm`` on every side, within ``shape``."""
    reach = np.ceil(margin_mm / spacing).astype(int)
    return tuple(
        slice(max(b.start - int(r), 0), min(b.stop + int(r), n))
        for b, r, n in zip(box, reach, shape, strict=True)
    )


class SeedGrower:
    """Grow labelled scribbles over an image; cheap to update after another scribble.

    Parameters
    ----------
    image : numpy.ndarray, shape (Z, Y, X)
        Intensities (HU for CT).
    spacing : sequence of float
        Voxel size in mm.
    margin_mm : float
        The region grown is the scribbles' bounding box widened by this much.
    grid_mm : float
        Size of the blocks both methods work on (whole multiples of the voxel size).
    max_voxels : int
        A larger grid is coarsened further, which keeps an update interactive.
    beta : float
        Edge sensitivity of the random walker (scikit-image's ``beta``, on the image
        standardised over the region).
    walker_weight : float
        Weight of the random walker in the mean (the geodesic share gets the rest).
    """

    def __init__(
        self,
        image: np.ndarray,
        *,
        spacing: Sequence[float],
        margin_mm: float = 20.0,
        grid_mm: float = 2.0,
        max_voxels: int = 300_000,
        beta: float = 130.0,
        walker_weight: float = 0.5,
    ):
        self.image = as_volume(image)
        if self.image.ndim != 3:
            raise SegmentationError(f"grow from seeds needs a 3-D image, got {self.image.shape}")
        self.spacing = np.asarray(check_spacing(spacing, 3))
        for name, value in (("margin_mm", margin_mm), ("grid_mm", grid_mm)):
            if not value >= 0:
                raise SegmentationError(f"{name} must be positive, got {value}")
        if not 0.0 <= walker_weight <= 1.0:
            raise SegmentationError(f"walker_weight must be within 0..1, got {walker_weight}")
        self.margin_mm, self.grid_mm = float(margin_mm), float(grid_mm)
        self.max_voxels, self.beta = int(max_voxels), float(beta)
        self.walker_weight = float(walker_weight)
        self.box: tuple[slice, ...] | None = None
        self.walk: np.ndarray | None = None  # last random-walker probabilities (coarse grid)
        self.labels: list[int] = []

    def _prepare(self, box: tuple[slice, ...]) -> None:
        region = self.image[box].astype(np.float32)
        self.factor = block_factors(region.shape, self.spacing, target_mm=self.grid_mm,
                                    max_voxels=self.max_voxels)  # fmt: skip
        self.grid_spacing = self.spacing * self.factor
        coarse = coarsen_image(region, self.factor)
        self.graph = Graph(coarse, self.grid_spacing, beta=self.beta, scale=float(coarse.std()))
        smooth = gaussian_mm(coarse, sigma_mm=1.0, spacing=self.grid_spacing)
        _, grad = gradient_mm(smooth, spacing=self.grid_spacing)
        typical = float(np.percentile(grad, 75)) or 1.0
        cost = 1.0 + (grad.astype(np.float64) / typical) ** 2
        self.mcp = MCP_Geometric(cost, sampling=tuple(self.grid_spacing), fully_connected=False)
        self.box, self.walk, self.labels, self.distances = box, None, [], {}

    def grow(
        self,
        seeds: np.ndarray,
        *,
        progress: ProgressCallback | None = None,
        should_stop: StopCallback | None = None,
    ) -> np.ndarray:
        """Labels for ``seeds`` (0 = unlabelled; at least two labels, one may be background).

        When the scribbles stay inside the last region with the same labels, the
        random walker starts from its last answer (a few iterations).

        Returns
        -------
        numpy.ndarray, same shape and dtype as ``seeds``
            The region around the scribbles filled; 0 outside it.
        """
        sd = as_volume(seeds, name="seeds")
        if sd.shape != self.image.shape or sd.dtype.kind not in "iu":
            raise SegmentationError(f"seeds must be integer labels of shape {self.image.shape}")
        if not sd.any():
            raise SegmentationError("grow from seeds needs scribbles of at least two labels")
        steps = Steps(3, progress=progress, should_stop=should_stop)
        tight = _region(sd, 0.0, self.spacing)
        labels = [int(v) for v in fastremap.unique(sd[tight]) if v]
        if len(labels) < 2:
            raise SegmentationError("grow from seeds needs scribbles of at least two labels")
        inside = self.box is not None and all(
            b.start <= t.start and t.stop <= b.stop for b, t in zip(self.box, tight, strict=True)
        )
        if not inside:
            self._prepare(_widen(tight, self.margin_mm, self.spacing, sd.shape))
        sub = sd[self.box]
        grid = coarsen_seeds(sub, self.factor, labels)
        steps.step()
        start = self.walk if labels == self.labels else None
        self.walk = walker_probabilities(self.graph, grid, labels, start=start, check=steps.check)
        self.labels = labels
        steps.step()
        geo = geodesic_probabilities(self.mcp, grid, labels, self.distances)
        mixed = self.walker_weight * self.walk + (1 - self.walker_weight) * geo
        if len(labels) == 2:  # one map to interpolate: which of the two is larger
            best = upsample(mixed[1] - mixed[0], self.factor, sub.shape) > 0
            best = _snap(~best, self.image[self.box], self.factor).view(np.uint8) ^ 1
        else:
            best = np.argmax([upsample(p, self.factor, sub.shape) for p in mixed], axis=0)
        steps.step()
        out = np.zeros_like(sd)
        out[self.box] = np.where(sub != 0, sub, np.asarray(labels, sd.dtype)[best])
        return out


def _snap(inside: np.ndarray, image: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Re-decide the voxels within one block of the boundary by intensity, where it separates.

    The block grid rounds a boundary to whole blocks; where the two sides' intensities
    next to it are well apart (means more than 2 SDs of either side), each voxel of the
    band goes to the side whose intensity it is nearer (in SDs). Otherwise unchanged.
    """
    if (f == 1).all() or not inside.any() or inside.all():
        return inside
    reach = int(f.max())
    grown = ndi.binary_dilation(inside, iterations=reach)
    core = ndi.binary_erosion(inside, iterations=reach)
    band = grown & ~core
    near = ndi.binary_dilation(band, iterations=reach)
    a, b = image[near & core], image[near & ~grown]
    if a.size < 8 or b.size < 8:
        return inside
    ma, sa, mb, sb = a.mean(), a.std() + 1e-6, b.mean(), b.std() + 1e-6
    if abs(ma - mb) <= 2 * max(sa, sb):
        return inside
    v = image[band].astype(np.float64)
    out = inside.copy()
    out[band] = np.abs(v - ma) / sa < np.abs(v - mb) / sb
    return out


@takes_volumes
def grow_from_seeds(
    image: np.ndarray,
    seeds: np.ndarray,
    *,
    spacing: Sequence[float],
    margin_mm: float = 20.0,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """One-shot :class:`SeedGrower`: labels grown from scribbles of two or more labels.

    Parameters
    ----------
    image : numpy.ndarray, shape (Z, Y, X)
        Intensities.
    seeds : numpy.ndarray of int, same shape
        Scribbles; 0 = unlabelled. One label may stand for the background.
    spacing : sequence of float
        Voxel size in mm.
    margin_mm : float
        How far beyond the scribbles' bounding box to grow.

    Returns
    -------
    numpy.ndarray, same shape and dtype as ``seeds``
    """
    if np.ndim(image) != 3:
        raise SegmentationError(f"grow from seeds needs a 3-D image, got shape {np.shape(image)}")
    grower = SeedGrower(image, spacing=spacing, margin_mm=margin_mm)
    return grower.grow(seeds, progress=progress, should_stop=should_stop)
