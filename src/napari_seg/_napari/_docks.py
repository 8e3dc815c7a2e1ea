"""Keep napari-seg's docks in one tabbed stack, so several open docks fit on one screen."""

from __future__ import annotations

from collections import defaultdict

from qtpy.QtCore import QTimer
from qtpy.QtWidgets import QDockWidget, QLabel, QMainWindow, QWidget

__all__ = ["TAG", "fit_labels", "tabify_with_siblings"]

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


def fit_labels(widget: QWidget) -> None:
    """Make the label column as wide as its longest label in the font it is drawn in.

    magicgui measures the labels of a container with the application's default font
    and makes that their minimum width; napari's theme draws them larger, so in a
    narrow dock "task folder" became "task folde". Labels of one container share a
    width, so each group keeps its alignment.
    """
    groups: dict[int, list[QLabel]] = defaultdict(list)
    for label in widget.findChildren(QLabel):
        if label.minimumWidth() > 0 and not label.isHidden() and label.text():
            groups[label.minimumWidth()].append(label)
    for labels in groups.values():
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)


def tabify_with_siblings(widget: QWidget) -> None:
    """Once ``widget`` sits in its dock, tab that dock with the other napari-seg docks.

    Five docks stacked one above the other grow napari's window past a 1000 px
    screen; tabbed, each keeps its full height and one click shows it. Its labels
    are fitted to napari's font then too (:func:`fit_labels`).
    """
    QTimer.singleShot(0, lambda: (_tabify(widget), fit_labels(widget)))
