"""The Correct tools as registered operations (``edit.<name>``): declared once, run anywhere.

Each tool is a function ``run(labels, points, *, spacing, image, other, **params)``
returning new labels (never editing its input); ``points`` are the clicked voxels
``(z, y, x)``. It registers itself with :func:`tool`, declaring its options
(:class:`~napari_seg.segment.params.Param`: name, type, default, range, unit, help),
how many clicks it needs and which other volumes it reads. The Correct dock, the
``napari-seg edit`` command and ``docs/operations.md`` are built from these declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..ops import Operation, all_operations, get, register
from ..segment.params import Param
from .interpolate import interpolate_slices
from .objects import (
    check_label_value,
    combine,
    delete_object,
    keep_island,
    margin,
    merge_labels,
    relabel_object,
    remove_islands,
    smooth_label,
    split_object,
)
from .region import grow_region
from .seeds import SeedGrower

__all__ = ["edit_tools", "run_edit", "tool"]

LABEL = Param("label", int, 1, "The label value the tool writes or acts on.", low=0,
              high=2**31 - 1)  # fmt: skip
WHOLE = Param("whole_label", bool, False, "Act on every piece of the clicked label, not only "
              "the clicked piece.")  # fmt: skip


def tool(name: str, title: str, help: str, params: tuple[Param, ...] = (), *, clicks: int = 0,
         needs: tuple[str, ...] = (), preview: bool = False) -> Callable:  # fmt: skip
    """Decorator: register a Correct tool as the operation ``edit.<name>``.

    ``needs`` names the other volumes it reads (``image``, ``other``); ``clicks`` the
    clicked voxels it takes; ``preview`` whether the dock shows a preview first.
    """

    def wrap(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        extra = {"clicks": clicks, "needs": needs, "preview": preview}
        register(Operation(name, title, help, fn, tuple(params), group="edit",
                           command=f"edit {name}", signature=True, extra=extra))  # fmt: skip
        return fn

    return wrap


def edit_tools() -> dict[str, Operation]:
    """Every Correct tool by its dock title (``"grow region"``), in the dock's order."""
    return {op.title: op for op in all_operations("edit")}


def run_edit(name: str, labels: np.ndarray, points: Sequence = (), *, spacing: Sequence[float],
             image: np.ndarray | None = None, other: np.ndarray | None = None,
             **params: Any) -> np.ndarray:  # fmt: skip
    """Run the tool ``name`` (``margin``, or the dock title ``"remove islands"``) on ``labels``.

    ``params`` are checked against the declaration (old names accepted); the rest
    take their defaults.

    Raises
    ------
    KeyError
        No such tool.
    ValueError
        Too few clicks, a missing image/other volume, or an option out of range.
    """
    op = get(f"edit.{name.replace(' ', '-')}")
    p = op.check(params)
    need = op.extra["clicks"]
    if len(points) < need:
        raise ValueError(f"{op.name} needs {need} clicked voxel(s) (--point), got {len(points)}")
    for what, value in (("image", image), ("other", other)):
        if what in op.extra["needs"] and value is None:
            words = "image" if what == "image" else "other labels (scribbles)"
            raise ValueError(f"{op.title} needs the {words} (--{what})")
    return op.function()(labels, list(points)[:need], spacing=tuple(spacing), image=image,
                         other=other, **p)  # fmt: skip


@tool("fill-between-slices", "fill between slices", "Draw the label on a few slices, then fill "
      "the slices between them.", (LABEL, Param("axis", int, 0, "The axis the slices are drawn "
      "across (0 = z: axial slices).", choices=(0, 1, 2))), preview=True)  # fmt: skip
def _fill(labels, points, *, spacing, image, other, label, axis):
    return interpolate_slices(labels, axis=axis, spacing=spacing, label_ids=[label])


def _same_grid(image: np.ndarray, labels: np.ndarray) -> None:
    if np.shape(image) != np.shape(labels):
        raise ValueError(f"the image {np.shape(image)} is not on the labels' grid {labels.shape}")


@tool("grow-region", "grow region", "Click inside an organ or lesion: its region of similar "
      "intensity.", (LABEL,), clicks=1, needs=("image",), preview=True)  # fmt: skip
def _grow(labels, points, *, spacing, image, other, label):
    check_label_value(labels, label)
    _same_grid(image, labels)
    region = grow_region(image, points[0], spacing=spacing)
    out = labels.copy()
    out[region & (labels == 0)] = label  # other labels are kept, as in napari's fill
    return out


#: The last grower (image, spacing, SeedGrower): a new scribble on the same image re-solves
#: warm-started in the same region instead of from scratch.
_GROWER: list = []


@tool("grow-from-seeds", "grow from seeds", "Scribble the label and the surroundings (another "
      "label) on a few slices of a scribbles layer; the label grows through the image up to the "
      "edges.", (LABEL,), needs=("image", "other"), preview=True)  # fmt: skip
def _seeds(labels, points, *, spacing, image, other, label):
    check_label_value(labels, label)
    _same_grid(image, labels)
    if not (_GROWER and _GROWER[0] is image and _GROWER[1] == tuple(spacing)):
        _GROWER[:] = [image, tuple(spacing), SeedGrower(image, spacing=spacing)]
    grown = _GROWER[2].grow(other)
    out = labels.copy()
    out[grown == label] = label  # the other scribbled labels mean "not this"
    return out


@tool("delete", "delete", "Click an object to erase it.", (WHOLE,), clicks=1)
def _delete(labels, points, *, spacing, image, other, whole_label):
    return delete_object(labels, points[0], whole_label=whole_label)


@tool("relabel", "relabel", "Click an object to give it the label value.", (LABEL, WHOLE),
      clicks=1)  # fmt: skip
def _relabel(labels, points, *, spacing, image, other, label, whole_label):
    return relabel_object(labels, points[0], label, whole_label=whole_label)


@tool("merge", "merge", "Click the label to keep, then the label to merge into it.", clicks=2)
def _merge(labels, points, *, spacing, image, other):
    return merge_labels(labels, points[0], points[1])


@tool("split", "split", "Click the two ends of one object: it splits at its neck into two "
      "labels.", clicks=2)  # fmt: skip
def _split(labels, points, *, spacing, image, other):
    return split_object(labels, points[0], points[1], spacing=spacing)


@tool("keep-island", "keep island", "Click the piece of a label to keep.", clicks=1)
def _keep(labels, points, *, spacing, image, other):
    return keep_island(labels, points[0])


@tool("remove-islands", "remove islands", "Remove the pieces of the label smaller than a "
      "volume.", (LABEL, Param("min_mm3", float, 10.0, "Pieces smaller than this volume are "
      "removed.", unit="mm³", low=0.0, high=1e9, step=10.0)))  # fmt: skip
def _islands(labels, points, *, spacing, image, other, label, min_mm3):
    return remove_islands(labels, label=label, min_mm3=min_mm3, spacing=spacing)


@tool("margin", "margin", "Grow (positive, into background) or shrink (negative) the label.",
      (LABEL, Param("margin_mm", float, 2.0, "Distance to grow (positive) or shrink "
       "(negative) the label by.", unit="mm", low=-50.0, high=50.0, step=0.5,
       aliases=("mm",))))  # fmt: skip
def _margin(labels, points, *, spacing, image, other, label, margin_mm):
    return margin(labels, label=label, mm=margin_mm, spacing=spacing)


@tool("smooth", "smooth", "Smooth the label: closing fills dents, opening cuts spurs, gaussian "
      "rounds.", (LABEL, Param("smooth", str, "closing", "Kind of smoothing.",
      choices=("closing", "opening", "gaussian"), aliases=("smoothing",)),
      Param("smooth_mm", float, 2.0, "Radius of the closing/opening ball, or the Gaussian "
      "sigma.", unit="mm", low=0.0, high=50.0, step=0.5, aliases=("mm",))))  # fmt: skip
def _smooth(labels, points, *, spacing, image, other, label, smooth, smooth_mm):
    return smooth_label(labels, label=label, method=smooth, mm=smooth_mm, spacing=spacing)


@tool("combine", "combine", "Union, intersect or subtract another labels volume with the label.",
      (LABEL, Param("op", str, "union", "union adds, intersect keeps the overlap, subtract "
       "removes it.", choices=("union", "intersect", "subtract"))), needs=("other",))  # fmt: skip
def _combine(labels, points, *, spacing, image, other, label, op):
    return combine(labels, other, op=op, label=label)
