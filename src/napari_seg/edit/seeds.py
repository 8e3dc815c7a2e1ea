"""Grow from seeds (3D Slicer's "Grow from seeds", GrowCut family): scribbles compete for voxels.

Every unlabelled voxel of a region around the scribbles gets the label whose
seeds reach it most cheaply: the cost of a path is its length in mm weighted by
the image's edges (1 + (gradient / typical gradient)^2, after a 1 mm Gaussian),
so labels spread through uniform tissue and stop at boundaries. Dijkstra runs
once per label (scikit-image's ``MCP_Geometric``, face neighbours) inside the
region only. :class:`SeedGrower` keeps the edge costs and each label's cost map,
so a scribble added inside the region re-runs only that label's search, from
the new seeds, and keeps the minimum; the other labels cost nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from skimage.graph import MCP_Geometric

from ..progress import ProgressCallback, Steps, StopCallback
from ..segment._validate import SegmentationError, as_volume, check_spacing
from ..segment.smoothing import gaussian_mm, gradient_mm

__all__ = ["SeedGrower", "grow_from_seeds"]


def _region(seeds: np.ndarray, margin_mm: float, spacing: np.ndarray) -> tuple[slice, ...]:
    idx = np.nonzero(seeds)
    reach = np.ceil(margin_mm / spacing).astype(int)
    return tuple(
        slice(max(int(i.min()) - r, 0), min(int(i.max()) + r + 1, n))
        for i, r, n in zip(idx, reach, seeds.shape, strict=True)
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
    """

    def __init__(self, image: np.ndarray, *, spacing: Sequence[float], margin_mm: float = 20.0):
        self.image = as_volume(image)
        self.spacing = np.asarray(check_spacing(spacing, self.image.ndim))
        if not margin_mm >= 0:
            raise SegmentationError(f"margin_mm must be positive, got {margin_mm}")
        self.margin_mm = float(margin_mm)
        self.box: tuple[slice, ...] | None = None
        self.cost: np.ndarray | None = None
        self.maps: dict[int, np.ndarray] = {}
        self.seeds: np.ndarray | None = None

    def _prepare(self, box: tuple[slice, ...]) -> None:
        smooth = gaussian_mm(self.image[box], sigma_mm=1.0, spacing=self.spacing)
        _, grad = gradient_mm(smooth, spacing=self.spacing)
        typical = float(np.percentile(grad, 75)) or 1.0
        self.cost = 1.0 + (grad / typical) ** 2
        self.box, self.maps = box, {}

    def _search(self, starts: np.ndarray) -> np.ndarray:
        """Cheapest path cost from ``starts`` to every voxel (face neighbours, mm-weighted)."""
        mcp = MCP_Geometric(self.cost, sampling=tuple(self.spacing), fully_connected=False)
        costs, _ = mcp.find_costs([tuple(p) for p in starts])
        return costs.astype(np.float32)

    def grow(
        self,
        seeds: np.ndarray,
        *,
        progress: ProgressCallback | None = None,
        should_stop: StopCallback | None = None,
    ) -> np.ndarray:
        """Labels for ``seeds`` (0 = unlabelled; at least two labels, one may be background).

        Reuses the cost maps of labels whose seeds only gained voxels since the
        last call (and of unchanged labels), if the region did not grow.

        Returns
        -------
        numpy.ndarray, same shape and dtype as ``seeds``
            The region around the scribbles filled; 0 outside it.
        """
        sd = as_volume(seeds, name="seeds")
        if sd.shape != self.image.shape or sd.dtype.kind not in "iu":
            raise SegmentationError(f"seeds must be integer labels of shape {self.image.shape}")
        ids = [int(v) for v in np.unique(sd) if v]
        if len(ids) < 2:
            raise SegmentationError("grow from seeds needs scribbles of at least two labels")
        box = _region(sd, self.margin_mm, self.spacing)
        inside = self.box is not None and all(
            b.start <= o.start and o.stop <= b.stop
            for b, o in zip(self.box, _region(sd, 0.0, self.spacing), strict=True)
        )
        if inside:
            box = self.box  # new scribbles within the region: keep every cost map
        else:
            self._prepare(box)
        sub = sd[box]
        previous = None if self.seeds is None else self.seeds[box]
        steps = Steps(len(ids), progress=progress, should_stop=should_stop)
        for label in ids:
            mine = sub == label
            old = None if previous is None else previous == label
            if label in self.maps and old is not None and not (old & ~mine).any():
                added = mine & ~old
                if added.any():  # a new scribble: search from it and keep the cheaper path
                    self.maps[label] = np.minimum(
                        self.maps[label], self._search(np.argwhere(added))
                    )
            else:
                self.maps[label] = self._search(np.argwhere(mine))
            steps.step()
        for label in list(self.maps):
            if label not in ids:
                del self.maps[label]
        self.seeds = sd.copy()
        order = np.asarray(ids)
        best = order[np.argmin(np.stack([self.maps[i] for i in ids]), axis=0)]
        out = np.zeros_like(sd)
        out[box] = np.where(sub != 0, sub, best).astype(sd.dtype)
        return out


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
    grower = SeedGrower(image, spacing=spacing, margin_mm=margin_mm)
    return grower.grow(seeds, progress=progress, should_stop=should_stop)
