"""Re-running a method into its output layer: the undoable write against plain assignment.

A re-run on a 200x512x512 CT that changes a few percent of the voxels (the low
bound of a window moved). Ours: the worker computes the checksum and the changed
voxels (``_results.prepare``). The GUI thread applies them as one undo step of
napari masked paint atoms (``_results.apply_edits``). Baseline: what the
widgets did before, ``layer.data = new`` (no undo, hand edits lost). Printed:
GUI-thread time of each, the worker time, and the memory the undo step keeps.

    .venv/bin/python benchmarks/bench_rerun.py
"""

from __future__ import annotations

import time

import numpy as np
from _common import large_ct, machine, report
from napari.layers import Labels

from napari_seg._napari._results import Target, apply_edits, digest, prepare
from napari_seg.segment.methods import run_method


def _case(name: str, first: np.ndarray, second: np.ndarray) -> None:
    changed = np.count_nonzero(first != second)
    layer = Labels(first.copy())
    target = Target(layer, digest(first))
    t0 = time.perf_counter()
    prepared = prepare(second, target)
    worker = time.perf_counter() - t0
    t0 = time.perf_counter()
    apply_edits(layer, prepared.edits)
    ours = time.perf_counter() - t0
    target.close()
    assert np.array_equal(layer.data, second)
    undo_bytes = sum(
        np.asarray(part).nbytes
        for atom in layer._undo_history[-1]
        for part in (atom.mask, atom.old_values)
        if part is not None
    )
    layer.undo()
    assert np.array_equal(layer.data, first)

    plain = Labels(first.copy())
    t0 = time.perf_counter()
    plain.data = second.copy()
    baseline = time.perf_counter() - t0
    report(
        f"{name} ({changed / first.size:.2%} changed)",
        ours,
        baseline,
        note=f"worker {worker:.3f} s; undo step {undo_bytes / 2**20:.1f} MiB; baseline: no undo",
    )


def main() -> None:
    ct = large_ct()
    print(f"{machine()}; {ct.image.shape}")
    smooth = {"smooth": "gaussian", "smooth_mm": 1.5, "largest": True}
    window = run_method(
        "manual", ct.image, spacing=ct.spacing, params={**smooth, "low": 105.0, "high": 150.0}
    )
    moved = run_method(
        "manual", ct.image, spacing=ct.spacing, params={**smooth, "low": 90.0, "high": 150.0}
    )
    otsu = run_method("otsu", ct.image, spacing=ct.spacing)
    _case("re-run, window bound moved", window, moved)
    _case("re-run, other method (Otsu)", window, otsu)


if __name__ == "__main__":
    main()
