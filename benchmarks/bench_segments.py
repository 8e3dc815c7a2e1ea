"""Segments dock on 200x512x512 labels: counting voxels per label, and removing a segment.

Counting. Ours: ``count_values`` (fastremap's unique, slab by slab, in the worker).
Baseline: ``numpy.bincount`` on the whole volume. Printed: the time of each, and
the longest the GUI thread could be kept waiting (the longest gap a 1 ms Python
ticker thread sees while the count runs in another thread: the GIL held in one go).

Removing a segment (one undo step). Ours: the GUI-thread part of
``remove_segment`` with the edits found in the worker (``removal_edits``).
Baseline: napari's own ``data_setitem`` with the label's indices, all on the GUI thread.

Real row: the 116-region AAL atlas (181x217x181) when Debian's mricron-data is in
``~/.cache/napari-seg/real`` (see benchmarks/README.md), skipped with a note otherwise.

    .venv/bin/python benchmarks/bench_segments.py
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
from _common import best_of, large_ct, machine, report
from napari.layers import Labels

from napari_seg._napari._segments import removal_edits, remove_segment
from napari_seg._napari.widgets._segment_counts import count_values
from napari_seg.io import load_nifti

AAL = Path.home() / ".cache/napari-seg/real/mricron/usr/share/mricron/templates/aal.nii.gz"


def longest_gap(fn) -> float:
    """Longest pause (s) a 1 ms ticker thread sees while ``fn`` runs in this thread."""
    stop, gaps = threading.Event(), [0.0]

    def tick() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps[0] = max(gaps[0], now - last)
            last = now

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        fn()
    finally:
        stop.set()
        ticker.join()
    return gaps[0]


def counting(name: str, labels: np.ndarray) -> None:
    ours, counts = best_of(lambda: count_values(labels))
    base, hist = best_of(lambda: np.bincount(labels.reshape(-1)))
    assert all(hist[v] == c for v, c in counts.items())
    report(f"count per label, {name}", ours, base)
    report(
        f"  GUI wait (GIL held), {name}",
        longest_gap(lambda: count_values(labels)),
        longest_gap(lambda: np.bincount(labels.reshape(-1))),
    )


def removing(name: str, labels: np.ndarray, value: int) -> None:
    worker = time.perf_counter()
    edits, n = removal_edits(labels, value)
    worker = time.perf_counter() - worker
    layer = Labels(labels.copy())
    t0 = time.perf_counter()
    remove_segment(layer, value, edits)
    ours = time.perf_counter() - t0
    base_layer = Labels(labels.copy())
    t0 = time.perf_counter()
    base_layer.data_setitem(np.nonzero(labels == value), 0)
    base = time.perf_counter() - t0
    assert np.array_equal(layer.data, base_layer.data)
    layer.undo()
    assert np.array_equal(layer.data, labels)
    report(f"remove {n} voxels, GUI thread, {name}", ours, base, note=f"(worker {worker:.3f} s)")


def main() -> None:
    print(machine())
    ct = large_ct()
    labels = (ct.spleen + 2 * (ct.lesions > 0)).astype(np.uint8)
    counting("synthetic 200x512x512", labels)
    removing("synthetic 200x512x512", labels, 1)
    if AAL.is_file():
        aal = np.ascontiguousarray(load_nifti(AAL).data)
        counting("AAL 116 regions", aal)
        removing("AAL 116 regions", aal, 37)
    else:
        print(f"real row skipped: {AAL} not found (apt-get download mricron-data; dpkg -x)")


if __name__ == "__main__":
    main()
