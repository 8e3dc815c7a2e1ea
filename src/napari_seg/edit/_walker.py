"""The two halves of grow from seeds on a coarse grid: a random walker and geodesic distances.

Both work on a grid of block means (about 2 mm voxels): on real scans the averaging
removes the noise that stops a full-resolution random walker at speckle (and makes it
10-100x cheaper), and the result is interpolated back to full resolution.

* :func:`walker_probabilities`: Grady's random walker (the same edge weights as
  scikit-image's ``random_walker``: ``exp(-beta/10 * (dI/mm)^2)`` on the standardised
  image), solved by conjugate gradients with a Jacobi preconditioner, warm-started from
  the previous solution when scribbles are added.
* :func:`geodesic_probabilities`: each label's edge-weighted geodesic distance from its
  scribbles (one Dijkstra per label), turned into shares ``(1/d_l) / sum_k (1/d_k)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import ndimage as ndi
from scipy import sparse
from scipy.sparse.linalg import cg
from skimage.graph import MCP_Geometric

__all__ = ["Graph", "block_factors", "coarsen_image", "coarsen_seeds", "geodesic_probabilities",
           "upsample", "walker_probabilities"]  # fmt: skip


def block_factors(shape: Sequence[int], spacing: np.ndarray, *, target_mm: float,
                  max_voxels: int) -> np.ndarray:  # fmt: skip
    """Whole factors per axis giving voxels of about ``target_mm`` and at most ``max_voxels``."""
    t = float(target_mm)
    while True:
        f = np.maximum(1, np.round(t / spacing)).astype(int)
        if np.prod(np.ceil(np.asarray(shape) / f)) <= max_voxels:
            return f
        t *= 1.25


def _blocks(a: np.ndarray, f: np.ndarray) -> np.ndarray:
    """``a`` padded to multiples of ``f`` and viewed as (Z', fz, Y', fy, X', fx)."""
    pad = [(0, -n % k) for n, k in zip(a.shape, f, strict=True)]
    a = np.pad(a, pad, mode="edge") if a.dtype.kind == "f" else np.pad(a, pad)
    z, y, x = (n // k for n, k in zip(a.shape, f, strict=True))
    return a.reshape(z, f[0], y, f[1], x, f[2])


def coarsen_image(image: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Block means (float32)."""
    return _blocks(image.astype(np.float32), f).mean(axis=(1, 3, 5), dtype=np.float32)


def coarsen_seeds(seeds: np.ndarray, f: np.ndarray, labels: Sequence[int]) -> np.ndarray:
    """A block takes the one label scribbled in it; a block with two labels stays unlabelled.

    A label left without a block (a thin scribble touching another everywhere) takes
    the free blocks it touches, so every label keeps seeds.
    """
    b = _blocks(seeds, f)
    hi = b.max(axis=(1, 3, 5))
    top = np.iinfo(seeds.dtype).max
    lo = np.where(b == 0, top, b).min(axis=(1, 3, 5))
    out = np.where((lo == hi) | (lo == top), hi, 0).astype(seeds.dtype)
    for label in labels:
        if not (out == label).any():
            touched = (b == label).any(axis=(1, 3, 5))
            out[touched & (out == 0)] = label
    return out


def upsample(p: np.ndarray, f: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Linear interpolation of a block grid back to ``shape`` (block centres aligned)."""
    if (f == 1).all():
        return p
    up = ndi.zoom(p, f, order=1, mode="nearest", grid_mode=True, prefilter=False)
    return up[tuple(slice(0, n) for n in shape)]


class Graph:
    """The random walker's weighted 6-neighbour graph of a coarse image (built once per region)."""

    def __init__(self, image: np.ndarray, spacing: np.ndarray, *, beta: float, scale: float):
        z = (image - float(image.mean())) / (scale or 1.0)
        n = z.size
        idx = np.arange(n, dtype=np.int64).reshape(z.shape)
        rows, cols, ws = [], [], []
        for a in range(3):
            if z.shape[a] < 2:
                continue
            d = np.diff(z, axis=a) / spacing[a]
            lo = tuple(slice(0, -1) if i == a else slice(None) for i in range(3))
            hi = tuple(slice(1, None) if i == a else slice(None) for i in range(3))
            rows.append(idx[lo].ravel())
            cols.append(idx[hi].ravel())
            ws.append((np.exp(-beta / 10.0 * d * d) + 1e-6).ravel().astype(np.float32))
        r, c, w = np.concatenate(rows), np.concatenate(cols), np.concatenate(ws)
        self.weights = sparse.coo_matrix((np.r_[w, w], (np.r_[r, c], np.r_[c, r])),
                                         shape=(n, n)).tocsr()  # fmt: skip
        self.degree = np.asarray(self.weights.sum(axis=1)).ravel()
        self.shape = z.shape


def walker_probabilities(
    graph: Graph,
    seeds: np.ndarray,
    labels: Sequence[int],
    *,
    start: np.ndarray | None = None,
    tol: float = 1e-3,
    check: Callable[[], None] | None = None,
) -> np.ndarray:
    """Each label's random-walker probability, shape ``(len(labels), *seeds.shape)``, float32.

    ``start`` (same shape) warm-starts the solver (the previous scribbles' answer).
    """
    flat = seeds.reshape(-1)
    free = np.flatnonzero(flat == 0)
    fixed = np.flatnonzero(flat != 0)
    w_free = graph.weights[free]
    a = (sparse.diags(graph.degree[free]) - w_free[:, free]).tocsr()
    b = w_free[:, fixed]
    jacobi = sparse.diags((1.0 / graph.degree[free]).astype(np.float32))
    out = np.zeros((len(labels), flat.size), np.float32)
    solved = labels[:-1] if len(labels) == 2 else labels
    for k, label in enumerate(solved):
        if check is not None:
            check()
        x0 = None if start is None else start[k].reshape(-1)[free].astype(np.float32)
        rhs = b @ (flat[fixed] == label).astype(np.float32)  # float32: half the memory traffic
        x, _ = cg(a, rhs, x0=x0, rtol=tol, M=jacobi, maxiter=2000)
        out[k, free] = np.clip(x, 0.0, 1.0)
        out[k, fixed] = flat[fixed] == label
    if len(labels) == 2:
        out[1] = 1.0 - out[0]
    return out.reshape((len(labels), *seeds.shape))


def geodesic_probabilities(
    mcp: MCP_Geometric, seeds: np.ndarray, labels: Sequence[int], cache: dict | None = None
) -> np.ndarray:
    """Shares ``(1/d_l) / sum_k (1/d_k)`` of each label's geodesic distance ``d_l`` (mm).

    ``cache`` (label -> (its seed voxels' flat indices, 1/d)) skips the search of a label
    whose scribbles did not change since the last call, and is updated.
    """
    cache = {} if cache is None else cache
    inverse = []
    for label in labels:
        where = np.flatnonzero(seeds.reshape(-1) == label)
        kept = cache.get(label)
        if kept is None or not np.array_equal(kept[0], where):
            starts = np.column_stack(np.unravel_index(where, seeds.shape))
            d, _ = mcp.find_costs([tuple(p) for p in starts])
            kept = cache[label] = (where, 1.0 / (d.astype(np.float32) + 1e-6))
        inverse.append(kept[1])
    inv = np.asarray(inverse)
    return inv / inv.sum(axis=0)
