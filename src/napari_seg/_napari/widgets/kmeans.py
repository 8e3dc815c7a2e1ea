"""K-means widget: cluster intensities into k classes (label 1 darkest)."""

from __future__ import annotations

from ._base import MethodWidget


class KMeansWidget(MethodWidget):
    """Dock widget: ``kmeans <image>`` labels 1..k ordered by mean intensity."""

    methods = ("kmeans",)
