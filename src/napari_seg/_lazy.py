"""Lazy public names: a package lists what it exports; the module behind a name is
imported on first use (as scikit-image does with ``lazy_loader``), so importing the
package stays cheap (``napari_seg.deep`` without torch)."""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["CallableModule", "attach", "make_callable"]


def attach(
    package: str, exports: Mapping[str, tuple[str, str | None]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : mapping
        Public name to ``(submodule, attribute)``; attribute None exports the
        submodule itself.
    """

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attr = exports[name]
        mod = importlib.import_module(f"{package}.{module}")
        return mod if attr is None else getattr(mod, attr)

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *exports})

    return __getattr__, __dir__, sorted(exports)


class CallableModule(types.ModuleType):
    """A module that can be called as its main function (the one with its own name).

    ``napari_seg.deep.finetune`` is both the module (``from napari_seg.deep.finetune
    import FinetuneResult`` keeps working) and, called, the function
    ``napari_seg.deep.finetune.finetune``: Python binds a submodule over its package's
    attribute of the same name once it is imported, so the name cannot stay a plain
    function.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, self.__name__.rpartition(".")[2])(*args, **kwargs)


def make_callable(name: str) -> None:
    """Make module ``name`` a :class:`CallableModule` with its function's signature."""
    module = sys.modules[name]
    module.__class__ = CallableModule
    module.__signature__ = inspect.signature(getattr(module, name.rpartition(".")[2]))  # type: ignore[attr-defined]
