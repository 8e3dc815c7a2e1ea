"""Atomic writes: stale temporaries of a killed writer are cleaned, fresh ones are left."""

from __future__ import annotations

import os
import time

import pytest

from napari_seg._files import STALE_SECONDS, atomic_path, refuse_overwriting_inputs


def test_stale_temporaries_are_removed_on_the_next_write(tmp_path):
    target = tmp_path / "labels.nii.gz"
    stale = tmp_path / ".labels.nii.gz.abc123.tmp"  # left by a kill -9
    fresh = tmp_path / ".labels.nii.gz.def456.tmp"  # another process writing right now
    other = tmp_path / ".image.nii.gz.xyz.tmp"  # another target's: not ours
    for f in (stale, fresh, other):
        f.write_bytes(b"x" * 1000)
    old = time.time() - STALE_SECONDS - 10
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert not stale.exists() and fresh.exists() and other.exists()


def test_a_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "a.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_refuse_overwriting_inputs(tmp_path):
    src = tmp_path / "ct.nii.gz"
    src.write_bytes(b"ct")
    with pytest.raises(ValueError, match="input file"):
        refuse_overwriting_inputs(tmp_path / "." / "ct.nii.gz", [None, src])
    refuse_overwriting_inputs(tmp_path / "out.nii.gz", [src])
