"""Keep napari-seg's docks in one tabbed stack, so several open docks fit on one screen."""

from __future__ import annotations

from qtpy.QtCore import QTimer
from qtpy.QtWidgets import QDockWidget, QMainWindow, QWidget

__all__ = ["TAG", "tabify_with_siblings"]

#: napari titles a plugin's dock "<widget> (<plugin>)".
TAG = "(napari-seg)"


def _dock_of(widget: QWidget) -> QDockWidget | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    return parent


def _tabify(widget: QWidget) -> None:
    dock = _dock_of(widget)
    if dock is None or dock.isFloating():
        return
    window = dock.parentWidget()
    while window is not None and not isinstance(window, QMainWindow):
        window = window.parentWidget()
    if window is None:
        return
    area = window.dockWidgetArea(dock)
    siblings = [
        d
        for d in window.findChildren(QDockWidget)
        if d is not dock
        and d.isVisible()
        and not d.isFloating()
        and TAG in d.windowTitle()
        and window.dockWidgetArea(d) == area
    ]
    if siblings:
        window.tabifyDockWidget(siblings[0], dock)
        dock.show()
        dock.raise_()


def tabify_with_siblings(widget: QWidget) -> None:
    """Once ``widget`` sits in its dock, tab that dock with the other napari-seg docks.

    Five docks stacked one above the other grow napari's window past a 1000 px
    screen; tabbed, each keeps its full height and one click shows it.
    """
    QTimer.singleShot(0, lambda: _tabify(widget))
