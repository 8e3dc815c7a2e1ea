"""Declarations of method parameters: one place for name, type, default, range, unit and help.

The command line (:mod:`napari_seg.cli.segment`), the napari widgets and the
demo recipes are all built from these declarations, so an option has one name,
one default and one help text everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._validate import SegmentationError

__all__ = ["Param", "check_params"]


@dataclass(frozen=True)
class Param:
    """One option of a segmentation method.

    Attributes
    ----------
    name : str
        Python keyword (``sigma_mm``); the CLI flag is ``--sigma-mm``.
    kind : type
        ``float``, ``int``, ``bool`` or ``str`` (``str`` needs ``choices``).
    default : Any
        Default value (None for an optional value that is off by default).
    help : str
        One sentence for tooltips and ``--help``.
    unit : str
        ``"mm"``, ``"mm³"``, ``"HU"``, ``"voxels"`` or ``""``; shown in labels.
    low, high : float, optional
        Inclusive range of numeric values.
    choices : tuple, optional
        Allowed values (``str`` and enumerated ``int`` options).
    optional : bool
        None is a valid value (for example an open window bound).
    step : float, optional
        Spin-box step in the widgets.
    advanced : bool
        Shown collapsed in the widgets.
    """

    name: str
    kind: type
    default: Any
    help: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] | None = None
    optional: bool = False
    step: float | None = None
    advanced: bool = False

    @property
    def flag(self) -> str:
        """The command-line flag, ``--name-with-dashes``."""
        return "--" + self.name.replace("_", "-")

    @property
    def label(self) -> str:
        """Widget label: the name in words and the unit (``sigma (mm)``)."""
        words = self.name.removesuffix("_mm3").removesuffix("_mm").replace("_", " ")
        return f"{words} ({self.unit})" if self.unit else words

    def check(self, value: Any) -> Any:
        """``value`` converted to :attr:`kind` and range-checked.

        Raises
        ------
        SegmentationError
            Naming the option (its CLI flag), the value and what is allowed.
        """
        if value is None:
            if self.optional:
                return None
            raise SegmentationError(f"{self.flag}: a value is required")
        try:
            if self.kind is bool:
                if not isinstance(value, (bool, int)) or value not in (0, 1):
                    raise TypeError
                v: Any = bool(value)
            elif self.kind is int:
                if isinstance(value, float) and not value.is_integer():
                    raise TypeError
                v = int(value)
            else:
                v = self.kind(value)
        except (TypeError, ValueError, OverflowError):
            raise SegmentationError(
                f"{self.flag}: expected {self.kind.__name__}, got {value!r}"
            ) from None
        if self.choices is not None and v not in self.choices:
            raise SegmentationError(f"{self.flag}: {v!r} is not one of {list(self.choices)}")
        if self.kind in (int, float):
            if not math.isfinite(v):
                raise SegmentationError(f"{self.flag}: {v} is not a finite number")
            if (self.low is not None and v < self.low) or (
                self.high is not None and v > self.high
            ):
                raise SegmentationError(
                    f"{self.flag}: {v} is outside [{self.low}, {self.high}]"
                    + (f" {self.unit}" if self.unit else "")
                )
        return v


def check_params(
    declared: tuple[Param, ...], given: Mapping[str, Any], *, owner: str
) -> dict[str, Any]:
    """Every declared parameter's value: ``given`` checked, defaults for the rest.

    Raises
    ------
    SegmentationError
        A name ``owner`` does not declare, or a value out of type or range.
    """
    by_name = {p.name: p for p in declared}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        flags = ", ".join("--" + u.replace("_", "-") for u in unknown)
        raise SegmentationError(f"{flags} does not apply to {owner}")
    return {p.name: p.check(given.get(p.name, p.default)) for p in declared}
