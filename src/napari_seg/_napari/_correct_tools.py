"""The Correct dock's tools: how many clicks each needs and which core function it calls.

Each tool maps ``(labels, clicks, options)`` to new labels with a function of
:mod:`napari_seg.edit`; the dock applies :func:`~napari_seg.edit.protect` and writes
the difference back as one undo step. Kept free of Qt so it reads as a table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import edit

__all__ = ["TOOLS", "Options", "Tool"]


@dataclass(frozen=True)
class Options:
    """The dock's current values, as one tool call sees them."""

    spacing: tuple[float, ...]
    label: int
    mm: float
    whole_label: bool = False
    smoothing: str = "closing"
    op: str = "union"
    axis: int = 0
    image: np.ndarray | None = None
    other: np.ndarray | None = None


@dataclass(frozen=True)
class Tool:
    """A correction tool: ``run(labels, clicks, options) -> new labels``."""

    clicks: int
    run: Callable[[np.ndarray, list, Options], np.ndarray]
    preview: bool = False
    help: str = ""


def _grow(labels: np.ndarray, clicks: list, o: Options) -> np.ndarray:
    if o.image is None:
        raise ValueError("choose the image to grow over")
    edit.check_label_value(labels, o.label)
    if np.shape(o.image) != np.shape(labels):
        raise ValueError(
            f"the image {np.shape(o.image)} is not on the labels' grid {labels.shape}"
        )
    region = edit.grow_region(o.image, clicks[0], spacing=o.spacing)
    out = labels.copy()
    out[region & (labels == 0)] = o.label  # other labels are kept, as in napari's fill
    return out


#: The last grower (image, spacing, SeedGrower): a new scribble on the same image re-solves
#: warm-started in the same region instead of from scratch.
_GROWER: list = []


def _seeds(labels: np.ndarray, clicks: list, o: Options) -> np.ndarray:
    if o.image is None or o.other is None:
        raise ValueError("choose the image and the scribbles layer (other labels)")
    edit.check_label_value(labels, o.label)
    if not (_GROWER and _GROWER[0] is o.image and _GROWER[1] == tuple(o.spacing)):
        _GROWER[:] = [o.image, tuple(o.spacing), edit.SeedGrower(o.image, spacing=o.spacing)]
    grown = _GROWER[2].grow(o.other)
    out = labels.copy()
    out[grown == o.label] = o.label  # the other scribbled labels mean "not this"
    return out


def _combine(labels: np.ndarray, clicks: list, o: Options) -> np.ndarray:
    if o.other is None:
        raise ValueError("choose the other labels layer to combine with")
    return edit.combine(labels, o.other, op=o.op, label=o.label)


TOOLS: dict[str, Tool] = {
    "fill between slices": Tool(
        0,
        lambda lab, c, o: edit.interpolate_slices(
            lab, axis=o.axis, spacing=o.spacing, label_ids=[o.label]
        ),
        preview=True,
        help="Draw the label on a few slices, then fill the slices between them.",
    ),
    "grow region": Tool(
        1,
        _grow,
        preview=True,
        help="Click inside an organ or lesion: its region of similar intensity.",
    ),
    "grow from seeds": Tool(
        0,
        _seeds,
        preview=True,
        help="Scribble the label and the surroundings (another label) on a few slices of a "
        "scribbles layer; the label grows through the image up to the edges.",
    ),
    "delete": Tool(
        1,
        lambda lab, c, o: edit.delete_object(lab, c[0], whole_label=o.whole_label),
        help="Click an object to erase it.",
    ),
    "relabel": Tool(
        1,
        lambda lab, c, o: edit.relabel_object(lab, c[0], o.label, whole_label=o.whole_label),
        help="Click an object to give it the label value.",
    ),
    "merge": Tool(
        2,
        lambda lab, c, o: edit.merge_labels(lab, c[0], c[1]),
        help="Click the label to keep, then the label to merge into it.",
    ),
    "split": Tool(
        2,
        lambda lab, c, o: edit.split_object(lab, c[0], c[1], spacing=o.spacing),
        help="Click the two ends of one object: it splits at its neck into two labels.",
    ),
    "keep island": Tool(
        1,
        lambda lab, c, o: edit.keep_island(lab, c[0]),
        help="Click the piece of a label to keep.",
    ),
    "remove islands": Tool(
        0,
        lambda lab, c, o: edit.remove_islands(lab, label=o.label, min_mm3=o.mm, spacing=o.spacing),
        help="Remove the pieces of the label smaller than the size (mm³).",
    ),
    "margin": Tool(
        0,
        lambda lab, c, o: edit.margin(lab, label=o.label, mm=o.mm, spacing=o.spacing),
        help="Grow (positive mm, into background) or shrink (negative) the label.",
    ),
    "smooth": Tool(
        0,
        lambda lab, c, o: edit.smooth_label(
            lab, label=o.label, method=o.smoothing, mm=o.mm, spacing=o.spacing
        ),
        help="Smooth the label: closing fills dents, opening cuts spurs (radius or sigma in mm).",
    ),
    "combine": Tool(
        0, _combine, help="Union, intersect or subtract another labels layer with the label."
    ),
}


def run_tool(name: str, labels: np.ndarray, clicks: list, options: Options, **protection: Any):
    """The tool's new labels with :func:`~napari_seg.edit.protect` applied (worker side)."""
    new = TOOLS[name].run(labels, clicks, options)
    return edit.protect(labels, new, **protection)
