"""The classical methods' registry: :class:`Method`, the :func:`method` decorator, shared options.

A method registers itself beside its code (:mod:`napari_seg.segment.method_defs`)
with :func:`method`; it lands in :data:`METHODS` and in the operation registry
(:mod:`napari_seg.ops`) as ``segment.<name>``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..ops import Operation, register
from ._validate import SegmentationError
from .params import Param, check_params

__all__ = [
    "CLEANUP",
    "METHODS",
    "SMOOTHING",
    "Inputs",
    "Method",
    "check_segment_options",
    "method",
    "resolve_method",
    "segment_operation",
]

SMOOTHING: tuple[Param, ...] = (
    Param("smooth", str, "none", "Smooth the image first: Gaussian or median.",
          choices=("none", "gaussian", "median")),
    Param("smooth_mm", float, 1.5, "Gaussian sigma or median radius.", unit="mm", low=0.0,
          high=50.0, step=0.25),
)  # fmt: skip

CLEANUP: tuple[Param, ...] = (
    Param("open_mm", float, 0.0, "Opening radius, each label on its own (0 = off).", unit="mm",
          low=0.0, high=50.0, step=0.5, advanced=True),
    Param("close_mm", float, 0.0, "Closing radius, each label on its own (0 = off).", unit="mm",
          low=0.0, high=50.0, step=0.5, advanced=True),
    Param("min_voxels", int, 0, "Remove objects with fewer voxels.", unit="voxels", low=0,
          high=2**40, advanced=True),
    Param("min_mm3", float, 0.0, "Remove objects smaller than this volume.", unit="mm³",
          low=0.0, high=1e9, advanced=True),
    Param("fill_holes", bool, False, "Fill enclosed holes of each label."),
    Param("holes_per_slice", bool, False, "Fill holes slice by slice (axial), closing notches.",
          advanced=True),
    Param("largest", bool, False, "Keep only the largest object of each label.",
          aliases=("largest_component",)),
    Param("components", bool, False, "Split into connected components (instance labels 1..N)."),
    Param("connectivity", int, 26, "Neighbourhood of objects: faces, +edges, +corners.",
          choices=(6, 18, 26), advanced=True),
)  # fmt: skip


@dataclass(frozen=True)
class Method(Operation):
    """A registered classical method (an :class:`~napari_seg.ops.Operation` of group ``segment``).

    ``run(source, inputs, *, progress, should_stop, **params)``
    returns labels of ``source``'s shape. ``source`` is an image, or for
    ``source_kind="labels"`` a mask/labels volume.
    """

    group: str = "segment"
    source_kind: str = "image"
    smoothing: bool = True
    cleanup: bool = True
    uses_mask: bool = True
    #: Output label values mean the source labels' classes (so names and colours carry over),
    #: unless the ``components`` option made them instances.
    keeps_ids: bool = False

    @property
    def all_params(self) -> tuple[Param, ...]:
        """Own parameters, then smoothing and clean-up where the method offers them."""
        return (
            *self.params,
            *(SMOOTHING if self.smoothing else ()),
            *(CLEANUP if self.cleanup else ()),
        )


@dataclass(frozen=True)
class Inputs:
    """What a method may use besides its source and parameters."""

    spacing: Sequence[float]
    mask: np.ndarray | None = None
    markers: np.ndarray | None = None
    image: np.ndarray | None = None


#: Every classical method by name (registration order: the docks' menu order).
METHODS: dict[str, Method] = {}


def method(name: str, title: str, help: str, params: tuple[Param, ...] = (), **flags: Any):
    """Decorator: register ``run`` as the classical method ``name`` (see :class:`Method`)."""

    def wrap(run: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        spec = Method(name, title, help, run, tuple(params),
                      command=f"segment --method {name}", **flags)  # fmt: skip
        METHODS[name] = spec
        register(spec)
        return run

    return wrap


def resolve_method(name: str) -> Method:
    """The method ``name``; an old name (``threshold``) warns and gives the new one.

    Raises
    ------
    SegmentationError
        An unknown name (listing the methods).
    """
    if name in METHODS:
        return METHODS[name]
    for spec in METHODS.values():
        if name in spec.aliases:
            warnings.warn(
                f"method {name!r} is renamed {spec.name!r} (the old name still works)",
                DeprecationWarning,
                stacklevel=3,
            )
            return spec
    raise SegmentationError(f"unknown method {name!r}; choose one of {list(METHODS)}")


def check_only_watershed(name: str, markers, points, image) -> None:
    """Seeds and a grow-over image belong to the watershed alone."""
    if name != "watershed" and any(v is not None for v in (markers, points, image)):
        raise SegmentationError(
            f"seeds and a grow-over image only apply to watershed, not {name!r}"
        )


def segment_operation(name: str) -> Operation:
    """What ``segment --method NAME`` runs: a classical method, or the U-Net (``unet``).

    Old names (``threshold``) give the method they were renamed to (with a note).
    """
    if name == "unet":
        from ..ops import get

        return get("unet")
    return resolve_method(name)


def _flags(names) -> str:
    return ", ".join("--" + n.replace("_", "-") for n in sorted(names))


def check_segment_options(
    name: str, params: dict[str, Any], unet: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Refuse options that do not apply to ``name``; the checked values (one place for the
    CLI, ``segment-batch`` and :func:`~napari_seg.batch.segment_many`).

    For the U-Net, ``params`` may hold clean-up options only (applied to its labels)
    and ``unet`` its own; for a classical method, ``unet`` must be empty.

    Raises
    ------
    SegmentationError
        An option of another method, or a value out of type or range.
    """
    op = segment_operation(name)
    if op.group == "deep":
        other = set(params) - {p.name for p in CLEANUP} - {a for p in CLEANUP for a in p.aliases}
        if other:
            raise SegmentationError(f"{_flags(other)}: not for --method unet")
        own = op.check({k: v for k, v in (unet or {}).items() if k != "checkpoint"})
        return {**check_params(CLEANUP, params, owner="clean-up"), **own}
    if unet:
        raise SegmentationError(f"{_flags(unet)}: only for --method unet")
    return check_params(op.all_params, params, owner=f"method {op.name!r}")
