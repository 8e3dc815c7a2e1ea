"""ruff is part of the test suite: lint and format errors fail CI like any other test.

ruff comes with the test extra; a missing ruff fails here instead of skipping silently.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["src", "tests", "benchmarks", "docs"]


@pytest.mark.parametrize(
    "command", [["check", *PATHS], ["format", "--check", *PATHS]], ids=["check", "format"]
)
def test_ruff_passes(command):
    out = subprocess.run(
        [sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
