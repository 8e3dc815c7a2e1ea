"""How many labels an inspection may take: a stated limit, checked in one O(voxels) pass."""

from __future__ import annotations

import fastremap
import numpy as np

__all__ = ["MAX_LABELS", "check_label_count"]

#: Default ``--max-labels`` per command: the work per label (a row, a mesh, a rendered
#: mesh) times this stays within minutes on a laptop.
MAX_LABELS = {"stats": 100_000, "surfaces": 10_000, "snapshot": 500}


def check_label_count(labels: np.ndarray, limit: int, *, what: str) -> int:
    """The number of non-zero label values; ``ValueError`` naming ``--max-labels`` if over.

    Parameters
    ----------
    labels : numpy.ndarray of int
        Any shape and integer dtype (uint64 included).
    limit : int
        The largest number of labels accepted.
    what : str
        The file, for the message.
    """
    values = fastremap.unique(np.ascontiguousarray(labels))
    n = int(values.size - (1 if values.size and values[0] == 0 else 0))
    if n > limit:
        raise ValueError(
            f"{what}: {n:,} label values, more than --max-labels {limit:,}; "
            f"raise it with --max-labels {n} if you mean it (the work grows with each label)"
        )
    return n
