"""Sizes: no module over 300 lines and no function over 80 lines anywhere in the package.

Walks ``src/napari_seg`` (no hand-written list of modules), so a new module is checked the
day it is added. A function's length runs from its ``def`` line to its last line,
docstring included (decorators not counted).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "napari_seg"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 80

#: Known offenders, each with who is splitting it. Empty this as they are split; an entry
#: that no longer offends fails the test too, so the list cannot go stale.
EXCEPTIONS: dict[str, str] = {}  # none: every module and function is within the limits


def _offenders() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found[rel] = lines
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found[f"{rel}::{node.name}"] = length
    return found


def test_the_walk_finds_the_package():
    assert (PACKAGE / "__init__.py").is_file() and len(list(PACKAGE.rglob("*.py"))) > 50


@pytest.mark.parametrize("kind", ["module", "function"])
def test_no_module_over_300_and_no_function_over_80_lines(kind):
    found = {k: v for k, v in _offenders().items() if ("::" in k) == (kind == "function")}
    new = {k: v for k, v in found.items() if k not in EXCEPTIONS}
    limit = MAX_FUNCTION_LINES if kind == "function" else MAX_MODULE_LINES
    assert not new, f"{kind}s over {limit} lines (split them): {new}"
    fixed = [k for k, v in EXCEPTIONS.items() if v == kind and k not in found]
    assert not fixed, f"no longer too long, remove from EXCEPTIONS: {fixed}"
