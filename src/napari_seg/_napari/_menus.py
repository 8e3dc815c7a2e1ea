"""Menu commands (Layers > Visualize): display convention and orientation markers."""

from __future__ import annotations

import napari

from ..display import CONVENTIONS
from ..settings import load_settings
from ._anatomy import attach_display, set_convention, toggle_markers

__all__ = ["switch_convention", "toggle_orientation_markers"]


def toggle_orientation_markers(viewer: napari.viewer.Viewer) -> None:
    """Show or hide the R/L/A/P/S/I letters at the canvas edges (kept between sessions)."""
    attach_display(viewer)
    shown = toggle_markers()
    viewer.status = f"napari-seg: orientation markers {'shown' if shown else 'hidden'}"


def switch_convention(viewer: napari.viewer.Viewer) -> None:
    """Switch between radiological and neurological display (kept between sessions)."""
    attach_display(viewer)
    now = load_settings().display_convention
    new = CONVENTIONS[(CONVENTIONS.index(now) + 1) % len(CONVENTIONS)]  # type: ignore[arg-type]
    set_convention(new)
    viewer.status = f"napari-seg: {new} display"
