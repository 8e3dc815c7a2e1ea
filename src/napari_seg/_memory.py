"""Bounds on allocations whose size comes from a file or an option.

A size read from a NIfTI header, a checkpoint's metadata or a command-line
option is checked here *before* anything is allocated, so a hostile or
careless value becomes one clear error (naming the file or option and the
size it would need) instead of a ``MemoryError``, a swap storm or the
kernel's OOM killer.
"""

from __future__ import annotations

import resource

import psutil

__all__ = ["MemoryBoundError", "available_bytes", "ensure_fits", "format_bytes"]

#: Share of the available memory one allocation may take (the rest is left to
#: the copies a computation makes along the way, and to the rest of the system).
FRACTION = 0.8


class MemoryBoundError(ValueError):
    """An allocation that would not fit in memory; ``what`` names its origin."""

    def __init__(self, what: str, nbytes: int, available: int) -> None:
        self.what, self.nbytes, self.available = what, int(nbytes), int(available)
        super().__init__(
            f"{what}: would need {format_bytes(nbytes)} of memory, only "
            f"{format_bytes(available)} is available"
        )


def format_bytes(n: float) -> str:
    """``1536`` -> ``'1.5 KiB'`` (binary units)."""
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def available_bytes() -> int:
    """Memory this process can still allocate: the system's available memory,
    or less under an address-space limit (``ulimit -v``)."""
    avail = int(psutil.virtual_memory().available)
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        avail = min(avail, max(0, soft - psutil.Process().memory_info().vms))
    return avail


def ensure_fits(nbytes: int, what: str, *, copies: float = 1.0) -> None:
    """Raise :class:`MemoryBoundError` unless ``copies * nbytes`` fits in memory.

    Parameters
    ----------
    nbytes : int
        Size of the allocation in bytes (a Python int: no overflow).
    what : str
        The file or option the size comes from, for the message.
    copies : float, keyword-only
        How many arrays of that size the computation holds at its peak.
    """
    need = int(nbytes * copies)
    avail = available_bytes()
    if need > FRACTION * avail:
        raise MemoryBoundError(what, need, avail)
