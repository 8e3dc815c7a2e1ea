"""The operation registry: every operation's parameters, declared once beside its code.

An :class:`Operation` is a classical method, the U-Net, training, fine-tuning,
a comparison, a Correct tool, surfaces or statistics. Each declares its
:class:`Param` values (name, type, default, range, unit, help) once; the command
line, the docks' controls and tooltips, the batch checks and ``docs/operations.md``
are generated from the declarations, so a name, limit or default cannot differ
between them. Operations register themselves where they are defined, with
:func:`operation` (a decorator, as MONAI's ``ComponentStore``) or :func:`register`;
:func:`all_operations` imports the modules that declare them. No napari, no torch.

Examples
--------
>>> from napari_seg import ops
>>> ops.get("segment.otsu").title
'Otsu'
>>> ops.get("train").param("epochs").high
100000
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .segment.params import Param, check_params, resolve_aliases

__all__ = [
    "Operation",
    "Param",
    "all_operations",
    "check_params",
    "get",
    "operation",
    "register",
    "resolve_aliases",
]

#: Modules that declare operations; importing one registers its operations.
PROVIDERS = (
    "napari_seg.segment.methods",
    "napari_seg.deep.params",
    "napari_seg.edit.tools",
    "napari_seg.inspect.params",
)

_OPS: dict[str, Operation] = {}


@dataclass(frozen=True)
class Operation:
    """One operation and its declared parameters.

    Attributes
    ----------
    name : str
        Name within its group (``otsu``, ``margin``, ``train``).
    title, help : str
        A short title and one sentence for docs, menus and tooltips.
    run : callable or str, optional
        The core function, or ``"module:function"`` imported only when needed
        (so declaring torch operations imports no torch).
    params : tuple of Param
        The options, in the order the docks and ``--help`` show them.
    group : str
        ``segment``, ``deep``, ``edit`` or ``inspect``; the key is ``group.name``
        (``deep`` and ``inspect`` operations are keyed by their name alone).
    command : str
        The CLI command that runs it (``segment --method otsu``, ``edit margin``).
    signature : bool
        The core function takes every parameter as a keyword of the same name (checked
        by the glossary test).
    aliases : tuple of str
        Old names of the operation itself (``threshold`` for ``manual``).
    """

    name: str
    title: str
    help: str
    run: Callable[..., Any] | str | None = None
    params: tuple[Param, ...] = ()
    group: str = ""
    command: str = ""
    signature: bool = False
    aliases: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """The registry key: ``segment.otsu``, ``edit.margin``, ``train``."""
        return f"{self.group}.{self.name}" if self.group in ("segment", "edit") else self.name

    @property
    def all_params(self) -> tuple[Param, ...]:
        """Every parameter the operation takes (methods add smoothing and clean-up)."""
        return self.params

    def param(self, name: str) -> Param:
        """The declared parameter ``name`` (or one of its old names)."""
        for p in self.all_params:
            if name == p.name or name in p.aliases:
                return p
        raise KeyError(f"{self.key} has no parameter {name!r}")

    def check(self, given: dict[str, Any]) -> dict[str, Any]:
        """Every parameter's value: ``given`` checked (old names too), defaults for the rest."""
        return check_params(self.all_params, given, owner=self.key)

    def function(self) -> Callable[..., Any]:
        """The core function (imported now if it was declared as ``"module:function"``)."""
        if isinstance(self.run, str):
            module, _, attr = self.run.partition(":")
            return getattr(importlib.import_module(module), attr)
        if self.run is None:
            raise TypeError(f"{self.key} has no core function")
        return self.run


def register(op: Operation) -> Operation:
    """Add ``op`` to the registry (again with the same declaration is a no-op).

    Raises
    ------
    ValueError
        Another operation with the same key.
    """
    old = _OPS.get(op.key)
    if old is not None and old != op:
        raise ValueError(f"operation {op.key!r} is registered twice, differently")
    _OPS[op.key] = op
    return op


def operation(name: str, **declaration: Any) -> Callable[[Callable], Callable]:
    """Decorator: register the decorated function as the operation ``name``.

    ``declaration`` holds :class:`Operation`'s other fields (``title``, ``help``,
    ``params``, ``group``, ...). The function is returned unchanged.
    """

    def wrap(fn: Callable) -> Callable:
        register(Operation(name, run=fn, **declaration))
        return fn

    return wrap


def _load() -> None:
    for module in PROVIDERS:
        importlib.import_module(module)


def all_operations(group: str | None = None) -> Iterator[Operation]:
    """Every registered operation (of ``group``), in registration order."""
    _load()
    return iter([op for op in _OPS.values() if group is None or op.group == group])


def get(key: str) -> Operation:
    """The operation registered as ``key`` (``segment.otsu``, ``edit.margin``, ``train``).

    An old name (``segment.threshold``) gives the operation it was renamed to.

    Raises
    ------
    KeyError
        No such operation (the message lists the known keys).
    """
    _load()
    if key in _OPS:
        return _OPS[key]
    group, _, name = key.rpartition(".")
    for op in _OPS.values():
        if name in op.aliases and op.group == group:
            return op
    raise KeyError(f"no operation {key!r}; known: {', '.join(_OPS)}")
