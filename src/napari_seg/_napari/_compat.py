"""The one place that touches napari's private names.

napari has no public API for what these shims do: record an undo step it did
not paint itself, read or share a Labels layer's undo history, or filter what
its brush paints. Each shim uses the private name only on the napari versions
it was checked on (:data:`TESTED_NAPARI`) and only if the name is there; else it
takes the public fallback named in its docstring, which keeps the user's voxels
safe at some cost (more undo memory, a full recount, no lock in the brush).
``tests/_napari/test_compat.py`` pins the versions and exercises both paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import napari
from napari.layers import Labels

__all__ = [
    "PRIVATE_OK",
    "TESTED_NAPARI",
    "MaskedPaintAtom",
    "can_save_history",
    "history_lengths",
    "history_tops",
    "resize_window",
    "save_history",
    "share_history",
    "wrap_paint_mask",
]

#: napari minor versions ``(major, minor)`` whose private names these shims were checked on.
TESTED_NAPARI = ((0, 9),)


def _version(text: str) -> tuple[int, int]:
    m = re.match(r"(\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


#: Whether this napari is one the private names were checked on.
PRIVATE_OK = _version(napari.__version__) in TESTED_NAPARI

MaskedPaintAtom: Any = None
"""napari's compact undo atom (bounding box, bit mask, old values, new value), or None:
then :mod:`._results` records edits as fancy indices through the public
``Labels.data_setitem`` (more undo memory, same undo)."""
if PRIVATE_OK:
    try:
        from napari.layers.labels.labels import _MaskedPaintAtom as MaskedPaintAtom
    except ImportError:  # pragma: no cover - a 0.9 build without it
        MaskedPaintAtom = None

_HISTORIES = ("_undo_history", "_redo_history")


def _has(obj: object, *names: str) -> bool:
    return PRIVATE_OK and all(hasattr(obj, n) for n in names)


def can_save_history(layer: Labels) -> bool:
    """Whether :func:`save_history` can record on ``layer`` (else it returns False)."""
    return _has(layer, "_save_history")


def save_history(layer: Labels, item: Any) -> bool:
    """Push ``item`` onto ``layer``'s undo history (inside ``block_history``: one step).

    Returns False where napari has no ``_save_history``: the caller's change is
    then applied without an undo step (:mod:`._segments` table edits) or goes
    through the public ``data_setitem`` (voxel edits, which record themselves).
    """
    if not can_save_history(layer):
        return False
    layer._save_history(item)
    return True


def history_lengths(layer: Labels) -> tuple[int, int] | None:
    """Lengths of ``layer``'s undo and redo stacks, or None where they cannot be read
    (callers then treat every data event as a possible edit and recount)."""
    if not _has(layer, *_HISTORIES):
        return None
    return tuple(len(getattr(layer, n)) for n in _HISTORIES)  # type: ignore[return-value]


def history_tops(layer: Labels) -> list[Any] | None:
    """The newest item of the undo and of the redo stack (where not empty), or None where
    they cannot be read: after an undo or redo, one of them is the step just moved."""
    if not _has(layer, *_HISTORIES):
        return None
    return [h[-1] for h in (getattr(layer, n) for n in _HISTORIES) if h]


def share_history(mirror: Labels, layer: Labels) -> bool:
    """Make ``mirror`` (a view of the same array) undo and redo on ``layer``'s history.

    Returns False where napari's stacks cannot be shared: each view then keeps
    its own history (Ctrl+Z undoes strokes made in the view it is pressed in).
    """
    if not (_has(mirror, *_HISTORIES) and _has(layer, *_HISTORIES)):
        return False
    for name in _HISTORIES:
        setattr(mirror, name, getattr(layer, name))
    return True


PaintMask = Callable[[Any, Any, int, Any], Any]


def wrap_paint_mask(layer: Labels, wrap: Callable[[PaintMask], PaintMask]) -> bool:
    """Route napari's brush, eraser, fill and polygon writes on ``layer`` through ``wrap``.

    ``wrap(original)`` returns ``paint(data, mask, new_label, volume_slice)``
    (napari 0.9's ``Labels._apply_mask_to_data``). Returns False where napari has
    no such hook: locked segments are then not protected from the brush (the
    docks' own writes still respect them).
    """
    if not _has(layer, "_apply_mask_to_data"):
        return False
    layer._apply_mask_to_data = wrap(layer._apply_mask_to_data)
    return True


def resize_window(viewer: napari.Viewer, width: int, height: int) -> None:
    """Resize the viewer's main window: the public ``Window.resize`` (napari 0.9), else the
    Qt window."""
    window = viewer.window
    if hasattr(window, "resize"):
        window.resize(int(width), int(height))
    else:  # pragma: no cover - napari without Window.resize
        window._qt_window.resize(int(width), int(height))
