"""One line for an error, the same in the command line, the docks and batch reports."""

from __future__ import annotations

__all__ = ["one_line"]


def one_line(exc: BaseException | None, *, hint: str = "") -> str:
    """The first line of ``exc``'s message, as a user should read it.

    Our errors (``ValueError``/``OSError`` subclasses) name the file or option and the
    reason, so their text is shown as it is; a ``MemoryError`` says so; anything else is
    a bug of ours and reads ``unexpected <type>: <text>`` followed by ``hint``.
    """
    if exc is None:
        return "unknown error"
    text = (str(exc).strip().splitlines() or [""])[0]
    if isinstance(exc, MemoryError):
        return f"not enough memory ({text or 'the allocation failed'})"
    if isinstance(exc, (ValueError, OSError)):
        return text or type(exc).__name__
    return f"unexpected {type(exc).__name__}: {text}{hint}"
