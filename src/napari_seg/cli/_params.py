"""Command-line options generated from the registry's declarations (:mod:`napari_seg.ops`).

Every :class:`~napari_seg.segment.params.Param` becomes one option: its flag, type,
range check, metavar and a help text that always shows the default (0 and off
included). An old name (:attr:`Param.aliases`) stays a working flag that prints a
one-line note naming the new one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from typing import Any

from ..segment._validate import SegmentationError
from ..segment.params import Param

__all__ = ["Store", "add_param", "add_params", "given_params", "note_renamed", "with_defaults"]

_METAVARS = {2: ("LOW", "HIGH"), 3: ("Z", "Y", "X")}


def note_renamed(old: str, new: str) -> None:
    """The one-line deprecation note of an old flag or value (stderr)."""
    print(f"napari-seg: note: {old} is renamed {new} (the old name still works)", file=sys.stderr)


class Store(argparse.Action):
    """Store a value; an alias flag notes its new name."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        if option_string and option_string != self.option_strings[0]:
            note_renamed(option_string, self.option_strings[0])
        many = self.nargs is not None and isinstance(values, list)
        setattr(namespace, self.dest, tuple(values) if many else values)


class _Flag(argparse.Action):
    """``--name`` sets True, ``--no-name`` False (the latter only for options on by default)."""

    def __init__(self, option_strings, dest, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        negative = bool(option_string and option_string.startswith("--no-"))
        canonical = next(s for s in self.option_strings if s.startswith("--no-") == negative)
        if option_string and option_string != canonical:
            note_renamed(option_string, canonical)
        setattr(namespace, self.dest, not negative)


def _converter(p: Param) -> Callable[[str], Any]:
    """An argparse ``type``: the value converted and range-checked by the declaration
    (before any file is read: ``argument --k: 99 is outside [2, 64]``, exit 2)."""
    one = Param(p.name, p.kind, None, p.help, p.unit, p.low, p.high, p.choices)

    def convert(text: str) -> Any:
        try:
            return one.check(p.kind(text) if p.kind is not str else text)
        except (ValueError, SegmentationError) as exc:
            reason = str(exc).removeprefix(f"{p.flag}: ")
            raise argparse.ArgumentTypeError(f"{reason}: invalid value") from None

    convert.__name__ = p.kind.__name__
    return convert


def add_param(
    group: Any, p: Param, *, where: str = "", type: Callable | None = None, dest: str | None = None
) -> None:
    """Add ``p`` to ``group`` (a parser or argument group); the default is None (= not given).

    ``where`` is appended to the help (the methods that take it); ``type`` replaces the
    declaration's converter (``--device`` checks the device exists).
    """
    extent = p.range_text if p.choices is None and p.kind is not bool else ""
    text = p.help_text + (f"; range {extent}" if extent else "") + where
    if p.aliases:
        text += f" (old name: {', '.join(p.alias_flags)})"
    flags = [p.flag, *p.alias_flags]
    common = {"dest": dest or p.name, "default": None, "help": text.replace("%", "%%")}
    if p.kind is bool:
        negative = [f"--no-{f[2:]}" for f in flags] if p.default else []
        group.add_argument(*flags, *negative, action=_Flag, **common)
        return
    kw: dict[str, Any] = {"type": type or _converter(p), "action": Store}
    if p.count:
        kw["nargs"] = p.count
        kw["metavar"] = _METAVARS.get(p.count, ("V",) * p.count)
    elif p.choices is not None:
        kw["choices"] = p.choices
        kw["metavar"] = "{" + ",".join(str(c) for c in p.choices) + "}"
    else:
        kw["metavar"] = p.unit.upper().replace("³", "3") if p.unit else p.kind.__name__.upper()
    group.add_argument(*flags, **kw, **common)


def add_params(
    group: Any, params: Iterable[Param], *, types: dict[str, Callable] | None = None
) -> None:
    """:func:`add_param` for each of ``params`` (``types`` overrides converters by name)."""
    for p in params:
        add_param(group, p, type=(types or {}).get(p.name))


def given_params(args: argparse.Namespace, params: Iterable[Param]) -> dict[str, Any]:
    """The values of ``params`` the user gave (None = not given)."""
    names = [p.name if isinstance(p, Param) else p for p in params]
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def with_defaults(args: argparse.Namespace, params: Iterable[Param]) -> dict[str, Any]:
    """Every value of ``params``: the given ones, the declared defaults for the rest."""
    return {p.name: p.default if getattr(args, p.name, None) is None else getattr(args, p.name)
            for p in params}  # fmt: skip
