"""The Evaluate table as users read it: volumes in mL and distances in mm, as Statistics shows."""

from __future__ import annotations

__all__ = ["cell", "heading"]

#: Units of the table's columns, shown as Statistics shows them (volumes in mL).
_UNITS = {"hd95": "mm", "assd": "mm"}


def heading(column: str) -> str:
    """``volume_pred_mm3`` -> ``volume pred (mL)``, ``hd95`` -> ``hd95 (mm)``."""
    if column.endswith("_mm3"):
        return column.removesuffix("_mm3").replace("_", " ") + " (mL)"
    unit = _UNITS.get(column)
    return f"{column} ({unit})" if unit else column


def cell(column: str, v: object) -> object:
    if column.endswith("_mm3") and isinstance(v, (int, float)):
        v = float(v) / 1000.0  # mm³ -> mL
    return round(v, 4) if isinstance(v, float) else v
