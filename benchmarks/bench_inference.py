"""U-Net sliding-window inference on the CPU: ours vs plain MONAI, same weights, same process.

Volume: the 96x192x192 synthetic CT, resampled to the spleen tutorial's 2.0x1.5x1.5 mm and
windowed -57..164 HU (once, outside the timings). Network: the spleen tutorial U-Net,
seeded random weights. Baseline: ``monai.inferers.sliding_window_inference`` at its
defaults (overlap 0.25, constant blending, 1 window per batch) under ``torch.no_grad``.
Ours: the same windows through ``napari_seg.deep.inference._windows`` (inference mode,
4 windows per batch), then variants: channels-last and bf16 autocast.
"""

from __future__ import annotations

import torch
from _common import best_of, machine, report
from monai.inferers import sliding_window_inference

from napari_seg.data.spleen import spleen_unet
from napari_seg.data.synthetic import make_synthetic_ct
from napari_seg.deep.checkpoint import CheckpointMeta
from napari_seg.deep.inference import _windows
from napari_seg.deep.preprocess import to_network_frame

ROI = (96, 96, 96)


def main() -> None:
    torch.manual_seed(0)
    meta = CheckpointMeta(**spleen_unet())  # the spleen tutorial U-Net, as before
    model = meta.build().eval()
    ct = make_synthetic_ct((96, 192, 192), seed=0)
    x, _ = to_network_frame(
        ct.image[None],
        ct.geometry,
        orientation="RAS",
        target_spacing=meta.target_spacing,
        window=meta.intensity_window,
        device=torch.device("cpu"),
    )
    print(
        f"# {machine()}, torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"network input {tuple(x.shape[2:])}, ROI {ROI}"
    )

    def baseline():
        with torch.no_grad():
            return sliding_window_inference(x, ROI, 1, model)

    def ours(batch=4, amp=False, fmt=torch.contiguous_format):
        net = model.to(memory_format=fmt)
        with torch.inference_mode():
            return _windows(
                net,
                x,
                ROI,
                0.25,
                batch,
                "constant",
                amp,
                torch.device("cpu"),
                torch.device("cpu"),
                None,
                None,
            )

    t_base, ref = best_of(baseline, repeat=2)
    prob_ref = torch.softmax(ref, 1)
    for label, fn in [
        ("ours: inference mode, 4 windows/batch", ours),
        ("ours: + channels-last 3-D", lambda: ours(fmt=torch.channels_last_3d)),
        ("ours: + bf16 autocast", lambda: ours(amp=True)),
    ]:
        t, out = best_of(fn, repeat=2)
        delta = float((torch.softmax(out, 1) - prob_ref).abs().max())
        report(label, t, t_base, note=f"max |d prob| {delta:.2e}")
    model.to(memory_format=torch.contiguous_format)


if __name__ == "__main__":
    main()
