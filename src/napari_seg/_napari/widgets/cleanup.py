"""Components and clean-up widget: opening/closing in mm, size filter, holes, largest object."""

from __future__ import annotations

from ._base import MethodWidget


class CleanupWidget(MethodWidget):
    """Dock widget: ``cleanup <labels>``, applied in the order shown."""

    methods = ("cleanup",)
