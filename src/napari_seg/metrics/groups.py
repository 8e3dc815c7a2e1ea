"""Label groups scored as one: ``"1+2"`` scores labels 1 and 2 together (liver with tumour)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["group_names", "merge_groups", "parse_groups"]


def parse_groups(text: str) -> list[tuple[int, ...]]:
    """``"1+2, 3+4"`` -> ``[(1, 2), (3, 4)]`` (empty text: no groups).

    Raises
    ------
    ValueError
        A group that is not labels joined by ``+``, or a label in two groups.
    """
    groups, seen = [], set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            members = tuple(int(v) for v in part.split("+"))
        except ValueError:
            raise ValueError(
                f"label groups: {part!r} is not labels joined by +, e.g. 1+2"
            ) from None
        if len(members) < 2 or min(members) < 1 or seen & set(members):
            raise ValueError(f"label groups: {part!r} needs two or more labels >= 1, each once")
        seen |= set(members)
        groups.append(members)
    return groups


def merge_groups(labels: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """``labels`` with every group's members written as its first label (a copy when changed)."""
    if not groups:
        return labels
    top = max(int(labels.max(initial=0)), max(max(g) for g in groups))
    table = np.arange(top + 1, dtype=labels.dtype)
    for g in groups:
        table[list(g)] = g[0]
    return table[labels]


def group_names(names: dict | None, groups: Sequence[Sequence[int]]) -> dict:
    """Names with each group's first label named after its members (``liver + tumour``)."""
    out = dict(names or {})
    for g in groups:
        parts = [str(out.get(v) or out.get(str(v)) or v) for v in g]
        out[g[0]] = " + ".join(parts)
        out.pop(str(g[0]), None)
    return out
