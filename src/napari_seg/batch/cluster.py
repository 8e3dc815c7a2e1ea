"""The dask side of a batch: the client (local cluster or --scheduler) and finished futures.

Local worker processes start with Ctrl-C ignored, so an interrupted batch stops them
itself instead of each printing a traceback; their log lines stay off the terminal
unless ``debug``. Waiting is bounded: no scheduler, no worker, or all workers lost
for ``timeout`` seconds ends in one ``ValueError``.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from contextlib import contextmanager

from .._errors import one_line

__all__ = ["completed", "make_client"]


def make_client(workers: int, scheduler: str | None, timeout: float, debug: bool):
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise ValueError(
                f"--scheduler {scheduler}: no scheduler answered within {timeout:g} s "
                f"(--connect-timeout) ({one_line(exc)})"
            ) from None
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError):
            client.close()
            raise ValueError(
                f"--scheduler {scheduler}: the scheduler has no worker after {timeout:g} s "
                "(--connect-timeout); start workers with `dask worker ADDRESS`"
            ) from None
        return client, None
    # one thread per worker process: torch and our numpy code use the cores themselves.
    # The worker processes start with Ctrl-C ignored (inherited through exec): the batch
    # itself stops them, instead of each printing its own KeyboardInterrupt traceback.
    with _sigint_ignored():
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.WARNING if debug else logging.CRITICAL,
        )
    return Client(cluster), cluster


@contextmanager
def _sigint_ignored():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def completed(client, futures, timeout: float):
    """Yield futures as they finish; ``ValueError`` when no worker is left for ``timeout`` s."""
    from distributed import wait

    pending = set(futures)
    alone_since = None
    while pending:
        try:
            finished = wait(list(pending), timeout=1.0, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            finished = set()
        yield from finished
        pending -= set(finished)
        if finished or client.scheduler_info().get("workers"):
            alone_since = None
        elif alone_since is None:
            alone_since = time.monotonic()
        elif time.monotonic() - alone_since > timeout:
            raise ValueError(
                f"the scheduler lost all its workers and none came back within {timeout:g} s "
                f"(--connect-timeout); {len(pending)} case(s) not done"
            )
