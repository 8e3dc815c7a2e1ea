"""The user guide and the reference pages stay true to the code.

README.md is a short guide (under 200 lines) holding the two set-up commands that CI runs;
every relative link in README.md and docs/*.md resolves; every ``napari-seg <command>``
quoted there is a command of the parser, and every ``--option`` written on such a command
line is one of that command's options; every ``napari_seg.…`` name and ``from napari_seg…
import …`` quoted there exists.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from napari_seg.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
DEMO = "bash .ci/setup && .venv/bin/napari-seg demo --out demo-out"
TESTS = "bash .ci/setup --test && .venv/bin/python -m pytest"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
COMMAND = re.compile(r"(?:napari-seg|-m napari_seg)((?:\s+--debug)?)\s+([a-z][a-z-]*)")
FENCE = re.compile(r"```[a-z]*\n(.*?)```", re.S)
# written by other branches of issue 23 (glossary, generated operations table); drop this
# set once they are merged, so that a link to them must resolve like every other
SPAN = re.compile(r"`([^`]+)`")


def _subcommands() -> dict:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return dict(action.choices)


def _command_lines(text: str) -> list[str]:
    """Every quoted command: code spans, and fenced lines joined with their continuations."""
    lines = [" ".join(m.group(1).split()) for m in SPAN.finditer(FENCE.sub("", text))]
    for block in FENCE.findall(text):
        joined: list[str] = []
        for raw in block.splitlines():
            if joined and ((raw[:1].isspace() and raw.strip()) or joined[-1].endswith("\\")):
                joined[-1] = joined[-1].rstrip("\\") + " " + raw.strip()
            else:
                joined.append(raw)
        lines += joined
    return [line.split("  #")[0] for line in lines if COMMAND.search(line)]


def test_readme_is_a_short_guide():
    assert len(README.read_text().splitlines()) < 200


def test_readme_holds_the_two_commands_ci_runs():
    text = README.read_text()
    assert DEMO in text and TESTS in text
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith(TESTS)  # what CI runs


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors for the headings of a markdown page."""
    headings = re.findall(r"^#+ (.+)$", FENCE.sub("", page.read_text()), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page: Path):
    missing = []
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = page.parent / path if path else page
        if not file.exists() or (anchor and file.suffix == ".md" and anchor not in _anchors(file)):
            missing.append(target)
    assert not missing, f"{page.name}: links to nothing: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_quoted_commands_and_options_exist(page: Path):
    commands, wrong = _subcommands(), []
    for line in _command_lines(page.read_text()):
        for match in COMMAND.finditer(line):
            name = match.group(2)
            if name not in commands:
                wrong.append(f"napari-seg {name}")
                continue
            rest = COMMAND.split(line[match.end() :])[0]
            known = commands[name]._option_string_actions
            wrong += [
                f"{name} {o}"
                for o in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", rest)
                if o not in known
            ]
    assert not wrong, f"{page.name}: not in the CLI: {sorted(set(wrong))}"


def _resolve(dotted: str) -> bool:
    """Whether ``a.b.c`` names a module, or an attribute reached from the longest module."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_quoted_python_names_exist(page: Path):
    text = page.read_text()
    names = set(re.findall(r"\bnapari_seg(?:\.[A-Za-z_]\w*)+", text))
    for module, imported in re.findall(r"from (napari_seg[\w.]*) import ([\w, ]+)", text):
        names |= {f"{module}.{n.strip()}" for n in imported.split(",") if n.strip()}
    missing = sorted(n for n in names if not _resolve(n))
    assert not missing, f"{page.name}: no such Python name: {missing}"
