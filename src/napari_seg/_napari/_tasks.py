"""Run a core function in a napari thread worker with a progress bar and Cancel.

The core function takes ``progress(done, total)`` and ``should_stop()`` keyword
callbacks (see :mod:`napari_seg.progress`); this module turns them into a
napari progress bar and a Cancel button, and hands the result back on the
main thread. A cancelled run returns nothing and changes no layer.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable
from typing import Any

from magicgui.widgets import Label, PushButton
from napari.qt.threading import FunctionWorker, create_worker
from napari.utils import progress as progress_bar
from napari.utils.notifications import show_error, show_info
from superqt.utils import ensure_main_thread

from .._errors import one_line
from ..progress import Cancelled
from ._controls import full_width

__all__ = ["TaskRunner", "one_line", "one_step", "reports_errors"]


def reports_errors(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a widget's button handler: an error becomes one line in the widget's status
    and a napari notification (``self.runner.fail``), never an ``EmitLoopError``."""

    @functools.wraps(handler)
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return handler(self, *args, **kwargs)
        except Exception as exc:  # every error reaches the user as one line
            self.runner.fail(one_line(exc))
            return None

    return wrapper


_CANCELLED = object()


class TaskRunner:
    """Owns one background run at a time for a widget.

    Parameters
    ----------
    run_button, cancel_button : magicgui PushButton or None
        Run is disabled and Cancel enabled while work is in flight (None: a dock
        whose runs start from other controls, and cannot be cancelled).
    status : magicgui Label
        Shows "running", "done in …", "cancelled" or the error.
    """

    def __init__(
        self, run_button: PushButton | None, cancel_button: PushButton | None, status: Label
    ) -> None:
        self.run_button, self.cancel_button, self.status = run_button, cancel_button, status
        status.native.setWordWrap(True)  # a long note wraps instead of widening the dock
        full_width(status)
        self.worker: FunctionWorker | None = None
        self._stop = threading.Event()
        if cancel_button is not None:
            cancel_button.enabled = False
            cancel_button.changed.connect(self.cancel)

    def _busy(self, busy: bool) -> None:
        """Run disabled and Cancel enabled while a run is in flight."""
        with contextlib.suppress(RuntimeError):  # the dock was closed meanwhile
            if self.run_button is not None:
                self.run_button.enabled = not busy
            if self.cancel_button is not None:
                self.cancel_button.enabled = busy

    def say(self, text: str) -> None:
        """Put ``text`` in the status line (nothing if the dock was closed meanwhile)."""
        with contextlib.suppress(RuntimeError):
            self.status.value = text

    def fail(self, message: str) -> None:
        """Show an error: the status line and a napari notification."""
        self.say(message)
        show_error(message)

    def cancel(self) -> None:
        """Ask the running core function to stop at its next check."""
        self._stop.set()
        self.say("cancelling…")

    def start(
        self,
        fn: Callable[..., Any],
        *,
        description: str,
        on_result: Callable[[Any], str | None],
        on_finish: Callable[[], None] | None = None,
    ) -> FunctionWorker:
        """Run ``fn(progress=..., should_stop=...)`` in a worker; ``on_result`` gets its value.

        A string ``on_result`` returns is shown in the status line (for example
        where the result went); ``on_finish`` runs after success, error or cancel.
        """
        self._stop = threading.Event()
        stop = self._stop
        pbar = progress_bar(total=0, desc=description)

        @ensure_main_thread
        def report(done: int, total: int) -> None:
            if pbar.total != total:
                pbar.total = total
            pbar.update(done - pbar.n)

        def work() -> Any:
            try:
                return fn(progress=report, should_stop=stop.is_set)
            except Cancelled:
                return _CANCELLED

        def returned(value: Any) -> None:
            if value is _CANCELLED:
                self.say(f"{description}: cancelled")
                show_info(f"{description}: cancelled; no layer was changed")
                return
            note = on_result(value)
            self.say(f"{description}: {note or 'done'}")

        def errored(exc: BaseException) -> None:
            self.fail(f"{description} failed: {one_line(exc)}")

        def finished() -> None:
            if on_finish is not None:
                on_finish()
            pbar.close()
            self._busy(False)

        # errors go to ``errored`` only: napari's default re-raises them in a Qt slot,
        # which aborts a plain script's process (PyQt6 calls qFatal)
        worker = create_worker(work, _start_thread=False, _ignore_errors=True)
        worker.returned.connect(returned)
        worker.errored.connect(errored)  # status line and notification (napari's is off)
        worker.finished.connect(finished)
        self._busy(True)
        self.status.value = f"{description}…"
        self.worker = worker
        worker.start()
        return worker


def one_step(fn: Callable[..., Any], *args: Any, progress=None, should_stop=None) -> Any:
    """Run a one-step core function ``fn(*args)`` under the worker protocol (a 1/1 bar)."""
    out = fn(*args)
    if progress is not None:
        progress(1, 1)
    return out
