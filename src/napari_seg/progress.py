"""Progress and cancellation protocol shared by every long-running core function.

Core functions take two optional keyword callbacks and know nothing of Qt:

* ``progress(done, total)`` is called as work advances (``total`` may be 0 if unknown);
* ``should_stop()`` is polled between units of work; when it returns True the
  function raises :class:`Cancelled` and leaves its inputs untouched.

The napari layer turns these into a progress bar and a Cancel button.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Cancelled", "ProgressCallback", "Steps", "StopCallback"]

ProgressCallback = Callable[[int, int], None]
StopCallback = Callable[[], bool]


class Cancelled(Exception):
    """Raised inside core functions when ``should_stop()`` returned True."""


class Steps:
    """Counts a known number of steps, reporting each and checking for cancel.

    Parameters
    ----------
    total : int
        Number of steps.
    progress : callable, optional
        ``progress(done, total)``.
    should_stop : callable, optional
        Polled at each step; True raises :class:`Cancelled`.
    """

    def __init__(
        self,
        total: int,
        *,
        progress: ProgressCallback | None = None,
        should_stop: StopCallback | None = None,
    ) -> None:
        self.total, self.done = int(total), 0
        self._progress, self._should_stop = progress, should_stop
        self.check()

    def check(self) -> None:
        """Raise :class:`Cancelled` if a stop was asked for."""
        if self._should_stop is not None and self._should_stop():
            raise Cancelled()

    def step(self, n: int = 1) -> None:
        """Record ``n`` finished steps, report them, then check for cancel."""
        self.done = min(self.done + n, self.total)
        if self._progress is not None:
            self._progress(self.done, self.total)
        self.check()
