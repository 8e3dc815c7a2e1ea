"""The Correct dock's tools: how many clicks each needs and which core function it calls.

Each tool maps ``(labels, clicks, options)`` to new labels with its registered
operation (:mod:`napari_seg.edit.tools`, also ``napari-seg edit``); the dock applies
:func:`~napari_seg.edit.protect` and writes
the difference back as one undo step. Kept free of Qt so it reads as a table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import edit
from ..edit import tools as _tools
from ..edit.tools import edit_tools, run_edit
from ..ops import Operation

__all__ = ["SIZES", "TOOLS", "Options", "Tool"]


#: The grow-from-seeds tool's warm-start cache (see :mod:`napari_seg.edit.tools`).
_GROWER = _tools._GROWER

#: The Correct dock's size controls: each tool's own option, with its true unit.
SIZES = ("margin_mm", "min_mm3", "smooth_mm")


@dataclass(frozen=True)
class Options:
    """The dock's current values, as one tool call sees them.

    ``margin_mm`` (mm), ``min_mm3`` (mm³) and ``smooth_mm`` (radius or sigma, mm) are
    the tools' own sizes; ``mm``, the old catch-all, fills whichever is not given.
    """

    spacing: tuple[float, ...]
    label: int
    mm: float | None = None
    whole_label: bool = False
    smoothing: str = "closing"
    op: str = "union"
    axis: int = 0
    image: np.ndarray | None = None
    other: np.ndarray | None = None
    margin_mm: float | None = None
    min_mm3: float | None = None
    smooth_mm: float | None = None

    def params_for(self, op: Operation) -> dict[str, Any]:
        """The values of ``op``'s declared parameters."""
        values = {"label": self.label, "whole_label": self.whole_label, "axis": self.axis,
                  "smooth": self.smoothing, "op": self.op}  # fmt: skip
        for name in SIZES:
            own = getattr(self, name)
            if own is not None or self.mm is not None:
                values[name] = self.mm if own is None else own
        return {p.name: values[p.name] for p in op.params if p.name in values}


@dataclass(frozen=True)
class Tool:
    """A correction tool: ``run(labels, clicks, options) -> new labels``."""

    clicks: int
    run: Callable[[np.ndarray, list, Options], np.ndarray]
    preview: bool = False
    help: str = ""
    operation: Operation | None = None


def _tool(op: Operation) -> Tool:
    def run(labels: np.ndarray, clicks: list, o: Options) -> np.ndarray:
        return run_edit(op.name, labels, clicks, spacing=o.spacing, image=o.image,
                        other=o.other, **o.params_for(op))  # fmt: skip

    return Tool(op.extra["clicks"], run, preview=op.extra["preview"], help=op.help, operation=op)


#: Every Correct tool by its dock title, built from the registry (:mod:`napari_seg.edit.tools`).
TOOLS: dict[str, Tool] = {title: _tool(op) for title, op in edit_tools().items()}


def run_tool(name: str, labels: np.ndarray, clicks: list, options: Options, **protection: Any):
    """The tool's new labels with :func:`~napari_seg.edit.protect` applied (worker side)."""
    new = TOOLS[name].run(labels, clicks, options)
    return edit.protect(labels, new, **protection)
