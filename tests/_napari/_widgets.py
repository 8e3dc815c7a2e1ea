"""Helpers for tests that drive the plugin's dock widgets in a real viewer."""

from __future__ import annotations

__all__ = ["run_widget", "wait_for_worker"]


def wait_for_worker(qtbot, widget, *, timeout: int = 120_000) -> None:
    """Wait until the widget's background run has ended and Run is enabled again."""
    worker = widget.runner.worker
    assert worker is not None, f"nothing started: {widget.status.value}"
    button = widget.runner.run_button  # Run, Compute, Apply...
    qtbot.waitUntil(lambda: not worker.is_running and button.enabled, timeout=timeout)


def run_widget(qtbot, widget, *, timeout: int = 120_000) -> None:
    """Press Run and wait for its worker (fails, naming the status, if nothing started)."""
    widget.runner.worker = None
    widget.run()
    wait_for_worker(qtbot, widget, timeout=timeout)
