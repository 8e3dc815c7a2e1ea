"""A small Decathlon task per test (copied from one made per session)."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def _task_master(tmp_path_factory):
    from napari_seg.data.synthetic_task import make_synthetic_task

    return make_synthetic_task(
        tmp_path_factory.mktemp("hostile") / "Task", cases=2, test_cases=2, shape=(16, 24, 24)
    )


@pytest.fixture
def task(_task_master, tmp_path):
    """A fresh copy of a 2 training + 2 test case task (16 x 24 x 24)."""
    return shutil.copytree(_task_master, tmp_path / "Task")
