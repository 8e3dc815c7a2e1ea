"""Canny widget: 3-D (spacing-aware) or per-slice edges as a Labels layer."""

from __future__ import annotations

from ._base import MethodWidget


class CannyWidget(MethodWidget):
    """Dock widget: ``canny <image>`` edges (1); usable as a watershed input."""

    methods = ("canny",)
