"""The frame every napari-seg dock shares, and one tabbed stack for the open docks.

:class:`DockFrame` is the scaffolding of a dock: the viewer, a Run and a Cancel
button, a status line, and one :class:`~._tasks.TaskRunner` that runs the
dock's core function in a napari thread worker with a progress bar (the GUI
thread never waits; Cancel sets the run's ``should_stop``). An error before or
during a run is one line in the status and a napari notification
(:func:`~._tasks.reports_errors`). Docks are tabbed with each other, so several
open docks fit on one screen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import napari
from magicgui.widgets import Container, Label, PushButton, Widget
from napari.qt.threading import FunctionWorker
from qtpy.QtCore import QTimer
from qtpy.QtWidgets import QDockWidget, QLabel, QMainWindow, QWidget

from ._controls import full_width, set_tooltips
from ._tasks import TaskRunner

__all__ = ["TAG", "DockFrame", "fit_labels", "tabify_with_siblings"]

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


class DockFrame(Container):
    """A napari-seg dock: controls, Run, Cancel, more controls, then the status line.

    Subclasses build their controls, then call :meth:`lay_out`; Run calls
    :meth:`run` (decorate it with :func:`~._tasks.reports_errors`), which reads the
    layers and hands a core function to :meth:`start`.

    Parameters
    ----------
    viewer : napari.viewer.Viewer
        The viewer the dock acts on.
    run, cancel : str or None
        Button texts; ``run=None``: a dock without a background run of its own
        (no Run or Cancel button; its status line and error path stay).
    """

    def __init__(
        self, viewer: napari.viewer.Viewer, *, run: str | None = "Run", cancel: str = "Cancel"
    ) -> None:
        super().__init__(labels=True)
        tabify_with_siblings(self.native)
        self.viewer = viewer
        self.run_button = None if run is None else PushButton(text=run)
        self.cancel_button = None if run is None else PushButton(text=cancel)
        self.status = Label(value="")
        self.runner = TaskRunner(self.run_button, self.cancel_button, self.status)

    def lay_out(
        self,
        controls: Sequence[Widget],
        after: Sequence[Widget] = (),
        *,
        tooltips: dict[str, str] | None = None,
    ) -> None:
        """Add ``controls``, Run and Cancel, ``after`` and the status line; wire Run."""
        buttons = [] if self.run_button is None else [self.run_button, self.cancel_button]
        self.extend([*controls, *buttons, *after, self.status])
        full_width(self.status)  # a status line has no label: it takes the whole row
        set_tooltips(self, tooltips or {})
        if self.run_button is not None:
            self.run_button.changed.connect(self.run)

    def run(self, *_: object) -> None:
        """What Run does (a dock with a Run button overrides it)."""
        raise NotImplementedError

    def start(self, fn: Callable[..., Any], **how: Any) -> FunctionWorker:
        """Run ``fn(progress=..., should_stop=...)`` in a worker: :meth:`TaskRunner.start`
        (``description``, ``on_result`` and ``on_finish`` keywords)."""
        return self.runner.start(fn, **how)

    def fail(self, message: str) -> None:
        """One line in the status and a napari notification."""
        self.runner.fail(message)
