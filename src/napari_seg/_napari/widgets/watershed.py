"""Watershed widget: split touching objects of a mask, or grow clicked seeds."""

from __future__ import annotations

from ._base import MethodWidget


class WatershedWidget(MethodWidget):
    """Dock widget: ``watershed <mask>`` instance labels.

    Without seeds, touching blobs of the mask are split at their necks
    (distance-seeded, spacing-aware). With a Points layer (each click a ball of
    *seed radius* mm) or a seed Labels layer, the seeds grow over the chosen
    image's edges (or the mask's distance map): click seeds, run again.
    """

    methods = ("watershed",)
