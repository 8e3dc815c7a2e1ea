"""segment-batch throughput: cases/s with 1 and 2 dask workers, and model loads per worker.

8 synthetic CTs (96x192x192). Two methods: the demo's threshold recipe (manual
window 90-250 HU, 2 mm opening, largest) and the fast U-Net (a checkpoint trained
for a few epochs; its quality does not matter here). Baseline in the same process: a
plain loop calling the same per-case function (``segment_case``) one case at a time.

    .venv/bin/python benchmarks/bench_batch.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _common import machine
from distributed import Client, LocalCluster

from napari_seg.batch import segment_case, segment_many
from napari_seg.data.synthetic import make_synthetic_ct
from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.deep.train import cpu_recipe, train
from napari_seg.io import save_nifti

SHAPE, SPACING = (96, 192, 192), (2.5, 0.8, 0.8)
WINDOW = {"low": 90.0, "high": 250.0, "open_mm": 2.0, "largest": True}


def _warm_up(image: str, out: str, kw: dict) -> None:
    """One case per worker before timing: imports, the model load, oneDNN's first calls."""
    import os

    segment_case(image, f"{out}-{os.getpid()}.nii.gz", **kw)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    inputs = work / "in"
    inputs.mkdir()
    for i in range(8):
        ct = make_synthetic_ct(SHAPE, spacing=SPACING, seed=3000 + i)
        save_nifti(ct.image, ct.geometry, inputs / f"case{i}.nii.gz")
    task = make_synthetic_task(
        work / "Task90", cases=2, test_cases=0, shape=SHAPE, spacing=SPACING, seed=1
    )
    ckpt = train(task, work / "run", cpu_recipe(epochs=1, val_every=1)).best_checkpoint
    methods = {
        "threshold recipe": {"method": "manual", "params": WINDOW},
        "fast U-Net": {"method": "unet", "unet": {"checkpoint": str(ckpt), "device": "cpu"}},
    }
    print(machine())
    print("8 cases of 96x192x192; cases/s after one warm-up case per process (higher is better)")
    for name, kw in methods.items():
        _warm_up(str(inputs / "case0.nii.gz"), str(work / "warm"), kw)
        t0 = time.perf_counter()
        for i in range(8):
            segment_case(inputs / f"case{i}.nii.gz", work / f"seq-{i}.nii.gz", **kw)
        seq = 8 / (time.perf_counter() - t0)
        line = f"  {name:17} loop {seq:5.2f}"
        for n in (1, 2):
            with LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster:
                out = work / f"out-{name[:4]}-{n}"
                with Client(cluster) as client:  # imports happen once per worker, not per case
                    client.run(_warm_up, str(inputs / "case0.nii.gz"), str(work / "warm"), kw)
                t0 = time.perf_counter()
                result = segment_many(inputs, out, scheduler=cluster.scheduler_address, **kw)
                rate = 8 / (time.perf_counter() - t0)
            loads = sorted(result.workers.values())
            line += f"   {n} worker(s) {rate:5.2f} ({rate / seq:.2f}x loop; model loads {loads})"
        print(line)


if __name__ == "__main__":
    main()
