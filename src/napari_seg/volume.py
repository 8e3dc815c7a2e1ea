"""Volumes that carry their geometry: the value the core takes at its boundary.

A :class:`Volume` is an array in napari order plus its :class:`~napari_seg.io.Geometry`
(affine and length unit). The core's entry points (``run_method``, ``evaluate``, the
``edit`` and ``inspect`` functions) take Volumes: spacing then comes from the geometry in
mm (a µm file is converted, so an option in mm means mm), and every Volume passed to one
call is checked to lie on one grid by :func:`check_same_grid`, the only grid check, so
the CLI, batch and the docks refuse a mismatch with the same one-line message. A plain
array plus ``spacing`` still works where the geometry is trivial.

Loaders return Volumes (:func:`~napari_seg.io.load_nifti`, :func:`napari_seg.io.read`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np

if TYPE_CHECKING:  # io imports this module (its loaders return Volumes)
    from .io.geometry import Geometry

__all__ = ["GRID_ATOL_MM", "Volume", "check_same_grid", "is_volume", "takes_volumes", "to_volume"]

F = TypeVar("F", bound=Callable[..., Any])

#: Largest difference between two affines (in mm) that still counts as one grid.
GRID_ATOL_MM = 1e-3


class Volume(NamedTuple):
    """An array in napari order and its placement.

    Parameters
    ----------
    data : numpy.ndarray, shape (Z, Y, X) or (C, Z, Y, X)
        Voxels (a channel axis first for a multi-channel image).
    geometry : Geometry
        Placement of the last three axes (affine and unit).
    """

    data: np.ndarray
    geometry: Geometry

    @classmethod
    def from_array(
        cls,
        data: Any,
        spacing: Sequence[float] | None = None,
        *,
        origin: Sequence[float] = (0.0, 0.0, 0.0),
    ) -> Volume:
        """A Volume on an axis-aligned grid of ``spacing`` ``(dz, dy, dx)`` mm (default 1)."""
        from .io.geometry import Geometry

        arr = np.asarray(data)
        if arr.ndim not in (3, 4):
            raise ValueError(f"a Volume is (Z, Y, X) or (C, Z, Y, X), got shape {arr.shape}")
        sp = (1.0, 1.0, 1.0) if spacing is None else spacing
        return cls(arr, Geometry.from_spacing(sp, origin=origin))

    @property
    def shape(self) -> tuple[int, int, int]:
        """Spatial shape ``(Z, Y, X)`` (a channel axis left out)."""
        return tuple(int(n) for n in self.data.shape[-3:])  # type: ignore[return-value]

    @property
    def spacing_mm(self) -> tuple[float, float, float]:
        """Voxel size ``(dz, dy, dx)`` in mm, whatever the file's unit."""
        return self.geometry.spacing_mm

    def like(self, data: np.ndarray) -> Volume:
        """Another array (a result) on this Volume's grid."""
        return Volume(np.asarray(data), self.geometry)


def is_volume(obj: Any) -> bool:
    """A :class:`Volume`, or a loader's result with ``data`` and a ``geometry``."""
    geometry = getattr(obj, "geometry", None)
    if geometry is None:  # arrays, numbers, points: the common case, no import
        return False
    from .io.geometry import Geometry

    return isinstance(geometry, Geometry) and hasattr(obj, "data")


def to_volume(obj: Any, spacing: Sequence[float] | None = None) -> Volume:
    """``obj`` as a :class:`Volume`: itself, a loader's result, or an array placed by spacing."""
    if isinstance(obj, Volume):
        return obj
    if is_volume(obj):
        return Volume(np.asarray(obj.data), obj.geometry)
    return Volume.from_array(obj, spacing)


def check_same_grid(
    a: Any, b: Any, *, what: str = "", hint: str = "", atol: float = GRID_ATOL_MM
) -> None:
    """Raise :class:`~napari_seg.io.GeometryError` unless ``a`` and ``b`` share one grid.

    The one grid check of the package: the CLI, batch, the docks and the core's entry
    points call it, so a mismatch reads the same everywhere.

    Parameters
    ----------
    a, b : Volume or Geometry
        Two volumes (spatial shape and affine compared) or two geometries (affine only).
        Affines are compared in mm, so one grid in mm and in µm is the same grid.
    what : str
        How the message names the pair, for example ``"--mask m.nii.gz and the input"``.
    hint : str
        What the user can do about it, appended after a semicolon.
    atol : float
        Largest affine difference in mm that still counts as the same grid.

    Raises
    ------
    GeometryError
        ``"<what> are not on the same grid: shape (..) vs (..)"`` or ``"...: affines
        differ by D mm (tolerance T mm)"``, one line.
    """
    from .io.geometry import GeometryError

    ga, gb = (getattr(v, "geometry", v) for v in (a, b))
    sa, sb = (tuple(np.shape(v.data)[-3:]) if is_volume(v) else None for v in (a, b))
    reason = ""
    if sa is not None and sb is not None and sa != sb:
        reason = f"shape {sa} vs {sb}"
    else:
        diff = float(np.max(np.abs(ga.in_mm().affine - gb.in_mm().affine)))
        if diff > atol:
            reason = f"affines differ by {diff:.3g} mm (tolerance {atol:g} mm)"
    if reason:
        raise GeometryError(
            f"{what or 'the volumes'} are not on the same grid: {reason}"
            + (f"; {hint}" if hint else "")
        )


def _unwrap(bound: inspect.BoundArguments, params: Sequence[str]) -> Volume | None:
    """Replace Volume arguments by their arrays (checked onto one grid); the first Volume."""
    vols = {k: v for k, v in bound.arguments.items() if is_volume(v)}
    if not vols:
        return None
    (first_name, first), *rest = vols.items()
    for name, vol in rest:
        check_same_grid(first, vol, what=f"{first_name} and {name}")
    for name, vol in vols.items():
        bound.arguments[name] = vol.data
    if "spacing" in params:
        given = bound.arguments.get("spacing")
        if given is not None and not np.allclose(given, first.geometry.spacing_mm):
            raise ValueError(
                f"spacing {tuple(given)} contradicts {first_name}'s geometry "
                f"{first.geometry.spacing_mm} mm; give a Volume or a spacing, not both"
            )
        bound.arguments["spacing"] = first.geometry.spacing_mm
    if "geometry" in params:
        geometry = bound.arguments.get("geometry")
        if geometry is None:
            bound.arguments["geometry"] = first.geometry
        else:  # a geometry given beside a Volume must be that Volume's
            check_same_grid(first.geometry, geometry, what=f"{first_name} and geometry")
    return to_volume(first)


def takes_volumes(fn: F) -> F:
    """Let ``fn`` take :class:`Volume` arguments where it takes arrays.

    Every Volume argument is checked onto the first one's grid (:func:`check_same_grid`)
    and replaced by its array; ``spacing`` (when ``fn`` has it) becomes the first
    Volume's voxel size in mm and ``geometry`` (when ``fn`` has it and none is given)
    its geometry. An array result on that grid comes back as a Volume; anything else
    (a number, a dict, meshes) as ``fn`` returns it. Calls without a Volume are passed
    through unchanged.
    """
    sig = inspect.signature(fn)
    params = tuple(sig.parameters)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not any(is_volume(v) for v in (*args, *kwargs.values())):
            return fn(*args, **kwargs)
        bound = sig.bind_partial(*args, **kwargs)
        first = _unwrap(bound, params)
        out = fn(*bound.args, **bound.kwargs)
        if first is not None and isinstance(out, np.ndarray) and out.shape[-3:] == first.shape:
            return first.like(out)
        return out

    return wrapper  # type: ignore[return-value]
