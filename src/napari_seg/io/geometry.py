"""World placement of a voxel grid, shared by NIfTI files and napari layers.

Conventions
-----------
* NIfTI stores data as ``(i, j, k[, t])`` with a 4x4 affine mapping voxel
  ``(i, j, k)`` to world ``(x, y, z)`` in mm (RAS+, as nibabel reports it).
* napari arrays in this project are the NIfTI array with its axes reversed:
  ``(z, y, x)`` for a volume, ``(c, z, y, x)`` for a multi-channel image.
* napari world coordinates are the NIfTI world coordinates in reversed order,
  so a voxel's napari world position ``(w_z, w_y, w_x)`` is its NIfTI world
  position ``(x, y, z)`` read backwards: the same point in mm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["METADATA_KEY", "MM_PER_UNIT", "Geometry", "GeometryError", "world_axis_order"]

#: Length units a grid may be in, and their size in mm.
MM_PER_UNIT: dict[str, float] = {"mm": 1.0, "µm": 1e-3, "m": 1e3}

#: Key under which a layer's ``metadata`` keeps the geometry of its source.
METADATA_KEY = "napari_seg"


class GeometryError(ValueError):
    """A grid placement that is not finite, not invertible, or does not match."""


def _reverse(n: int) -> np.ndarray:
    """Homogeneous (n+1)x(n+1) matrix that reverses the first n coordinates."""
    p = np.zeros((n + 1, n + 1))
    p[np.arange(n), np.arange(n)[::-1]] = 1.0
    p[n, n] = 1.0
    return p


def _sizeof_hdr(first4: bytes, order: str) -> int:
    return int(np.frombuffer(first4, dtype=f"{order}i4")[0])


@dataclass(frozen=True, eq=False)
class Geometry:
    """Placement of a 3-D grid in world space.

    Parameters
    ----------
    affine : numpy.ndarray, shape (4, 4)
        NIfTI voxel ``(i, j, k)`` to world ``(x, y, z)`` mapping in mm.
    header : bytes, optional
        The raw NIfTI header of the file the grid came from, kept so that a
        writer can restore codes, units and descriptions.
    unit : str
        The length unit of the affine: ``"mm"`` (NIfTI's usual), ``"µm"``
        (microscopy) or ``"m"``, from the file's ``xyzt_units``. Layers get it
        as their ``units``, so scale bars and measurements read it.
    """

    affine: np.ndarray
    header: bytes | None = None
    unit: str = "mm"

    def __post_init__(self) -> None:
        a = np.asarray(self.affine, dtype=np.float64)
        if a.shape != (4, 4) or not np.all(np.isfinite(a)):
            raise GeometryError(f"affine must be a finite 4x4 matrix, got {a.tolist()}")
        if abs(np.linalg.det(a[:3, :3])) < 1e-12:
            raise GeometryError(f"affine is singular: {a[:3, :3].tolist()}")
        object.__setattr__(self, "affine", a)
        if self.unit not in MM_PER_UNIT:
            raise GeometryError(f"unit must be one of {sorted(MM_PER_UNIT)}, got {self.unit!r}")

    @property
    def mm_per_unit(self) -> float:
        """Millimetres in one unit of the affine (1 for mm, 0.001 for µm)."""
        return MM_PER_UNIT[self.unit]

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_spacing(
        cls, spacing: Sequence[float], *, origin: Sequence[float] = (0.0, 0.0, 0.0)
    ) -> Geometry:
        """Axis-aligned grid from napari-order spacing ``(dz, dy, dx)`` and origin (mm)."""
        dz, dy, dx = (float(s) for s in spacing)
        oz, oy, ox = (float(o) for o in origin)
        a = np.diag([dx, dy, dz, 1.0])
        a[:3, 3] = (ox, oy, oz)
        return cls(a)

    @classmethod
    def from_napari_affine(cls, napari_affine: np.ndarray) -> Geometry:
        """Grid from a 4x4 napari ``(z, y, x)`` data-to-world affine."""
        p = _reverse(3)
        return cls(p @ np.asarray(napari_affine, dtype=np.float64) @ p)

    # -- derived ---------------------------------------------------------------------------
    @property
    def spacing(self) -> tuple[float, float, float]:
        """Voxel size ``(dz, dy, dx)`` in :attr:`unit` (column norms of the affine).

        In mm for the usual NIfTI file; use :attr:`spacing_mm` for lengths in mm.
        """
        norms = np.linalg.norm(self.affine[:3, :3], axis=0)
        return (float(norms[2]), float(norms[1]), float(norms[0]))

    @property
    def spacing_mm(self) -> tuple[float, float, float]:
        """Voxel size ``(dz, dy, dx)`` in mm whatever the unit: what options in mm use."""
        k = self.mm_per_unit
        return tuple(k * s for s in self.spacing)  # type: ignore[return-value]

    @property
    def anatomical(self) -> bool:
        """True unless the kept NIfTI header says the grid has no anatomical frame.

        A header whose ``qform_code`` and ``sform_code`` are both 0 ("unknown": a
        microscopy stack, a plain array saved as NIfTI) has no patient axes, so it is
        shown as napari shows any array. Grids without a header (the sample, arrays
        placed by spacing) are in scanner RAS.
        """
        if self.header is None or len(self.header) not in (348, 540):
            return True
        wide = len(self.header) == 540  # NIfTI-2: int32 codes at 344, else int16 at 252
        order = "<" if _sizeof_hdr(self.header[:4], "<") in (348, 540) else ">"
        dtype, offset = (f"{order}i4", 344) if wide else (f"{order}i2", 252)
        codes = np.frombuffer(self.header, dtype=dtype, count=2, offset=offset)
        return bool(np.any(codes != 0))

    def in_mm(self) -> Geometry:
        """The same grid with its affine in mm (itself when it already is)."""
        if self.unit == "mm":
            return self
        a = self.affine.copy()
        a[:3, :] *= self.mm_per_unit
        return Geometry(a, self.header, "mm")

    def napari_affine(self) -> np.ndarray:
        """4x4 napari data-to-world affine in ``(z, y, x)`` order."""
        p = _reverse(3)
        return p @ self.affine @ p

    def layer_kwargs(self, *, ndim: int = 3) -> dict[str, Any]:
        """``scale``/``translate`` (or ``affine``) and ``metadata`` for a napari layer.

        A positive diagonal placement is given as scale and translate, which
        napari shows with correct scale bars; anything else (flips,
        permutations, oblique) goes through ``affine``.  ``ndim`` > 3 adds
        leading unit axes (for example time). Spatial axes carry the grid's
        ``unit`` (``"mm"``, ``"µm"``) and ``axis_labels`` ``z, y, x``, so napari's
        scale bar and status bar read the file's unit.
        """
        m = self.napari_affine()
        lead = ndim - 3
        lin = m[:3, :3]
        if np.allclose(lin, np.diag(np.diag(lin))) and np.all(np.diag(lin) > 0):
            kw: dict[str, Any] = {
                "scale": (1.0,) * lead + tuple(float(v) for v in np.diag(lin)),
                "translate": (0.0,) * lead + tuple(float(v) for v in m[:3, 3]),
            }
        else:
            full = np.eye(ndim + 1)
            full[lead:, lead:] = m
            kw = {"affine": full}
        kw["units"] = ("pixel",) * lead + (self.unit,) * 3
        lead_labels = ("t",) if lead == 1 else tuple(f"d{i}" for i in range(lead))
        kw["axis_labels"] = (*lead_labels, "z", "y", "x")
        kw["metadata"] = self.to_metadata()
        return kw

    def to_metadata(self) -> dict[str, Any]:
        """A ``{METADATA_KEY: {...}}`` dict to merge into a layer's metadata."""
        kept: dict[str, Any] = {
            "affine": self.affine.tolist(),
            "unit": self.unit,
            "anatomical": self.anatomical,
        }
        if self.header is not None:
            kept["nifti_header"] = self.header
        return {METADATA_KEY: kept}

    def check_same_grid(self, other: Geometry, *, atol: float = 1e-3, what: str = "") -> None:
        """Raise :class:`GeometryError` if the two affines differ by more than ``atol`` mm.

        The same check as :func:`napari_seg.volume.check_same_grid` (affines only).
        """
        from ..volume import check_same_grid

        check_same_grid(self, other, what=what or "the grids", atol=atol)


def world_axis_order(data: np.ndarray, geometry: Geometry) -> tuple[np.ndarray, Geometry]:
    """The same voxels with their axes permuted to run closest to world ``(z, y, x)``.

    No resampling and no flip: ``data`` is transposed (a view) and the affine's
    columns permuted with it, so every voxel keeps its world position. A coronal or
    sagittal acquisition then shows in napari's 2-D view, which needs the displayed
    axes to map onto the displayed world plane.

    Parameters
    ----------
    data : numpy.ndarray, shape (Z, Y, X)
        Voxels in napari order.
    geometry : Geometry
        Their placement.
    """
    from scipy.optimize import linear_sum_assignment

    m = geometry.napari_affine()
    world, axis = linear_sum_assignment(-np.abs(m[:3, :3]))
    order = [int(a) for a in axis[np.argsort(world)]]
    if order == [0, 1, 2]:
        return data, geometry
    permuted = m.copy()
    permuted[:3, :3] = m[:3, order]
    return np.transpose(data, order), Geometry.from_napari_affine(permuted)
