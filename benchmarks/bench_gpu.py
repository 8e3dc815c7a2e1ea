"""GPU end to end (needs CUDA): one 200x512x512 CT from a .nii.gz to a written labels .nii.gz.

Steps timed together: load, reorient/resample/window, sliding-window inference (ROI 96³,
overlap 0.5, AMP, Gaussian blending), restore to the original grid, write. Named baseline:
MONAI's spleen bundle reports 1.27 s on an A100 for the same job (not run here).
Then the largest Z x 512 x 512 volume whose inference fits in 16 GB of GPU memory.

``python benchmarks/bench_gpu.py [cuda|cpu] [Z]`` (cpu and a small Z only to check the script).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from _common import machine

from napari_seg.data.spleen import spleen_unet
from napari_seg.data.synthetic import make_synthetic_ct
from napari_seg.deep.checkpoint import CheckpointMeta
from napari_seg.deep.inference import predict
from napari_seg.io import Geometry, load_nifti, save_nifti

BUNDLE_A100_S = 1.27
WINDOWS = {"roi_size": (96, 96, 96), "overlap": 0.5, "sw_batch_size": 8, "amp": True}


def end_to_end(path: Path, out: Path, model, meta, device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    vol = load_nifti(path)
    result = predict(vol.data, vol.geometry, model, meta, device=device, **WINDOWS)
    save_nifti(result.labels, vol.geometry, out, kind="labels")
    return time.perf_counter() - t0


def largest_volume(model, meta, device, budget_gb: float = 16.0) -> int:
    """Largest Z (x 512 x 512) that infers within ``budget_gb`` (doubling, then bisection)."""
    total = torch.cuda.get_device_properties(device).total_memory
    torch.cuda.set_per_process_memory_fraction(min(1.0, budget_gb * 2**30 / total), device)
    geo = Geometry.from_spacing((1.5, 0.8, 0.8))

    def fits(z: int) -> bool:
        try:
            predict(np.zeros((z, 512, 512), np.int16), geo, model, meta, device=device, **WINDOWS)
            return True
        except torch.cuda.OutOfMemoryError:
            return False
        finally:
            torch.cuda.empty_cache()

    lo, hi = 64, 128
    while fits(hi):
        lo, hi = hi, hi * 2
    while hi - lo > 16:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo


def main() -> None:
    device = torch.device(sys.argv[1] if len(sys.argv) > 1 else "cuda")
    z = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("no CUDA device: run this on a machine with a GPU")
    torch.manual_seed(0)
    meta = CheckpointMeta(**spleen_unet())  # the spleen tutorial U-Net, as before
    model = meta.build().to(device).eval()
    print(f"# {machine()}, device {device}")
    with tempfile.TemporaryDirectory() as tmp:
        ct = make_synthetic_ct((z, 512, 512), spacing=(1.5, 0.8, 0.8), seed=0)
        src = save_nifti(ct.image, ct.geometry, Path(tmp) / "ct.nii.gz")
        end_to_end(src, Path(tmp) / "warm.nii.gz", model, meta, device)  # warm-up, cudnn
        t = min(end_to_end(src, Path(tmp) / "o.nii.gz", model, meta, device) for _ in range(3))
    print(
        f"{'end to end ' + str((z, 512, 512)):<44} ours {t:8.3f} s   baseline (A100 bundle, "
        f"reported) {BUNDLE_A100_S:.2f} s   ratio {BUNDLE_A100_S / t:6.2f}x"
    )
    if device.type == "cuda":
        print(f"largest Z x 512 x 512 in 16 GB: Z = {largest_volume(model, meta, device)}")


if __name__ == "__main__":
    main()
