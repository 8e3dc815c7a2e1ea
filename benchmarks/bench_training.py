"""Training throughput (patches/s): ours vs the plain spleen-tutorial pipeline, same process.

Same synthetic task, same transforms, network, loss, optimizer, patch size and seed.
Baseline: MONAI ``Dataset`` + ``DataLoader`` (every epoch reloads and re-resamples the
NIfTI files), fp32. Ours: ``CacheDataset`` (deterministic transforms cached) +
``ThreadDataLoader``, channels-last 3-D on the CPU, AMP on CUDA (fp32 on the CPU).
Timed over the same number of epochs after one warm-up epoch each (ours: the warm-up
fills the cache, counted apart).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import torch
from _common import machine
from monai.data import DataLoader, Dataset
from monai.losses import DiceCELoss
from monai.utils import set_determinism

from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.deep.data import DataConfig, fold_split, make_loaders, make_transforms
from napari_seg.deep.networks import build_network
from napari_seg.deep.steps import place_model, train_step
from napari_seg.io import load_decathlon

EPOCHS = 3
SHAPE, SPACING = (64, 256, 256), (2.5, 0.8, 0.8)  # a CT with a quarter of the usual slices
CFG = DataConfig(
    target_spacing=(2.0, 1.5, 1.5),
    roi=(48, 64, 64),
    samples_per_volume=4,
    batch_size=2,
    cache="memory",
)


def run_epochs(loader, epochs: int, device, *, ours: bool) -> tuple[float, int]:
    """Train ``epochs`` after a warm-up epoch; ours uses napari-seg's placement and step."""
    set_determinism(0)
    model = build_network("unet", config="fast")
    model = place_model(model, device) if ours else model.to(device)
    opt = torch.optim.AdamW(model.parameters(), 1e-3)
    loss_fn = DiceCELoss(to_onehot_y=True, softmax=True)
    amp = ours and device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=amp)
    patches, t0 = 0, 0.0
    for epoch in range(epochs + 1):
        if epoch == 1:
            t0, patches = time.perf_counter(), 0
        for batch in loader:
            if ours:
                train_step(model, opt, loss_fn, scaler, batch, device, amp=amp)
            else:  # the tutorial's loop, fp32
                x, y = batch["image"].to(device), batch["label"].to(device)
                opt.zero_grad()
                loss_fn(model(x), y).backward()
                opt.step()
            patches += batch["image"].shape[0]
    return time.perf_counter() - t0, patches


def main() -> None:
    device = torch.device(sys.argv[1] if len(sys.argv) > 1 else "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        root = make_synthetic_task(
            Path(tmp) / "Task90",
            cases=8,
            test_cases=0,
            shape=SHAPE,
            spacing=SPACING,
        )
        train_cases, val_cases = fold_split(load_decathlon(root), fold=0)
        print(
            f"# {machine()}, device {device}; {len(train_cases)} training volumes {SHAPE} at "
            f"{SPACING} mm, "
            f"patches {CFG.roi}, {CFG.samples_per_volume}/volume, batch {CFG.batch_size}"
        )
        items = [{"image": str(c.image), "label": str(c.label)} for c in train_cases]
        plain = DataLoader(
            Dataset(items, make_transforms(CFG, train=True)),
            batch_size=CFG.batch_size,
            shuffle=True,
            num_workers=0,
        )
        t_plain, n_plain = run_epochs(plain, EPOCHS, device, ours=False)
        t0 = time.perf_counter()
        ours, _ = make_loaders(train_cases, val_cases, CFG, cache_dir=Path(tmp) / "c")
        t_cache = time.perf_counter() - t0
        t_ours, n_ours = run_epochs(ours, EPOCHS, device, ours=True)
    r_plain, r_ours = n_plain / t_plain, n_ours / t_ours
    print(
        f"{'training throughput (patches/s)':<44} ours {r_ours:8.2f}      baseline "
        f"{r_plain:8.2f}      ratio {r_ours / r_plain:6.2f}x  (cache filled once in "
        f"{t_cache:.1f} s)"
    )


if __name__ == "__main__":
    main()
