"""Declarations of method parameters: one place for name, type, default, range, unit and help.

The command line (:mod:`napari_seg.cli.segment`), the napari widgets and the
demo recipes are all built from these declarations, so an option has one name,
one default and one help text everywhere.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._validate import SegmentationError

__all__ = ["Param", "check_params", "resolve_aliases"]


#: Bounds this large mean "no bound" in texts (an open HU window, a voxel count).
_OPEN = 1e9


def _number(v: float) -> str:
    """``0``, ``0.95``, ``1e-06``, ``2147483647``: short and exact."""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


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
    aliases : tuple of str
        Old names of this parameter (Python keyword and CLI flag), still accepted with a
        one-line deprecation note.
    count : int, optional
        A fixed number of values (``roi_size``: 3); None for one value.
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
    aliases: tuple[str, ...] = ()
    count: int | None = None

    @property
    def flag(self) -> str:
        """The command-line flag, ``--name-with-dashes``."""
        return "--" + self.name.replace("_", "-")

    @property
    def alias_flags(self) -> list[str]:
        """The old flags, ``--old-name`` for each alias."""
        return ["--" + a.replace("_", "-") for a in self.aliases]

    @property
    def default_text(self) -> str:
        """The default in words, for ``--help``, tooltips and the docs (0 and off included)."""
        d = self.default
        if d is None:
            return "none" if self.optional else "required"
        if isinstance(d, bool):
            return "on" if d else "off"
        if isinstance(d, (tuple, list)):
            return " ".join(str(v) for v in d)
        return str(d)

    @property
    def range_text(self) -> str:
        """``[low, high] unit``, the choices, or ``""``."""
        if self.choices is not None:
            return "{" + ", ".join(str(c) for c in self.choices) + "}"
        if self.low is None and self.high is None:
            return ""
        top = math.inf if self.kind is int else _OPEN  # whole numbers: the exact limit
        lo = "-inf" if self.low is None or self.low <= -top else _number(self.low)
        hi = "inf" if self.high is None or self.high >= top else _number(self.high)
        return "" if lo == "-inf" and hi == "inf" else f"[{lo}, {hi}]"

    @property
    def help_text(self) -> str:
        """Help with the unit and the default, as ``--help`` and tooltips show it."""
        unit = f" ({self.unit})" if self.unit else ""
        return f"{self.help.rstrip('.')}{unit}; default {self.default_text}"

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
        if self.count is not None and value is not None:
            return self._check_many(value)
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

    def _check_many(self, value: Any) -> tuple:
        try:
            values = tuple(value)
        except TypeError:
            values = (value,)
        if len(values) != self.count:
            raise SegmentationError(f"{self.flag}: expected {self.count} values, got {value!r}")
        one = Param(self.name, self.kind, None, self.help, self.unit, self.low, self.high,
                    self.choices)  # fmt: skip
        return tuple(one.check(v) for v in values)


def resolve_aliases(
    declared: tuple[Param, ...], given: Mapping[str, Any], *, owner: str
) -> dict[str, Any]:
    """``given`` with old parameter names replaced by the declared ones.

    An old name warns (:class:`DeprecationWarning`, one line naming the new name).

    Raises
    ------
    SegmentationError
        Both the old and the new name given.
    """
    old = {a: p.name for p in declared for a in p.aliases}
    out = dict(given)
    for name in [n for n in given if n in old]:
        new = old[name]
        if new in out:
            raise SegmentationError(f"{owner}: give {new!r} or its old name {name!r}, not both")
        warnings.warn(f"{owner}: {name!r} is renamed {new!r}", DeprecationWarning, stacklevel=3)
        out[new] = out.pop(name)
    return out


def check_params(
    declared: tuple[Param, ...], given: Mapping[str, Any], *, owner: str
) -> dict[str, Any]:
    """Every declared parameter's value: ``given`` checked, defaults for the rest.

    Raises
    ------
    SegmentationError
        A name ``owner`` does not declare, or a value out of type or range.
    """
    given = resolve_aliases(declared, given, owner=owner)
    by_name = {p.name: p for p in declared}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        flags = ", ".join("--" + u.replace("_", "-") for u in unknown)
        raise SegmentationError(f"{flags} does not apply to {owner}")
    return {p.name: p.check(given.get(p.name, p.default)) for p in declared}
