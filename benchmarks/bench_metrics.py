"""All-label metrics, HD95 and live per-stroke update on 200x512x512 uint8 volumes (14 labels).

Ours: one confusion matrix (chunked bincount) -> Dice, IoU, accuracy for every label.
Baselines, same process: MONAI (``one_hot`` then ``compute_dice`` and
``compute_iou``, background excluded) and naive per-label numpy.
"""

from __future__ import annotations

import time

import numpy as np
from _common import best_of, large_ct, machine, peak_bytes, report
from scipy import ndimage as ndi

from napari_seg.metrics import SliceConfusion, overlap_metrics, surface_metrics

SHAPE = (200, 512, 512)
N_LABELS = 14


def volumes() -> tuple[np.ndarray, np.ndarray]:
    """Ground truth of 14 smooth regions, prediction with ~10% of voxels relabelled."""
    rng = np.random.default_rng(0)
    coarse = rng.random((8, 16, 16)).astype(np.float32)
    field = ndi.zoom(coarse, [s / c for s, c in zip(SHAPE, coarse.shape, strict=True)], order=1)
    gt = np.minimum((field * (N_LABELS + 1)).astype(np.uint8), N_LABELS)
    pred = gt.copy()
    flip = rng.random(SHAPE, dtype=np.float32) < 0.1
    pred[flip] = rng.integers(0, N_LABELS + 1, int(flip.sum()), dtype=np.uint8)
    return pred, gt


def naive(pred: np.ndarray, gt: np.ndarray) -> dict[int, tuple[float, float]]:
    out = {}
    for v in range(1, N_LABELS + 1):
        p, g = pred == v, gt == v
        tp = np.count_nonzero(p & g)
        s = np.count_nonzero(p) + np.count_nonzero(g)
        out[v] = (2 * tp / s, tp / (s - tp))
    return out


def monai_scores(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import torch
    from monai.metrics import compute_dice, compute_iou
    from monai.networks.utils import one_hot

    with torch.inference_mode():
        yp = one_hot(torch.as_tensor(pred)[None, None], N_LABELS + 1)
        y = one_hot(torch.as_tensor(gt)[None, None], N_LABELS + 1)
        dice = compute_dice(yp, y, include_background=False)[0].numpy()
        iou = compute_iou(yp, y, include_background=False)[0].numpy()
    return dice, iou


def main() -> None:
    pred, gt = volumes()
    print(f"# {machine()}; {SHAPE} uint8, {N_LABELS} labels")
    t_ours, ours = best_of(lambda: overlap_metrics(pred, gt))
    t_naive, ref = best_of(lambda: naive(pred, gt), repeat=1)
    t_monai, (dice, iou) = best_of(lambda: monai_scores(pred, gt), repeat=1)
    for v in range(1, N_LABELS + 1):
        assert abs(ours["labels"][str(v)]["dice"] - ref[v][0]) < 1e-9
        assert abs(ours["labels"][str(v)]["dice"] - dice[v - 1]) < 1e-5
        assert abs(ours["labels"][str(v)]["iou"] - iou[v - 1]) < 1e-5
    gbs = 2 * pred.nbytes / t_ours / 1e9
    report("all-label Dice/IoU/accuracy vs MONAI", t_ours, t_monai, note=f"({gbs:.2f} GB/s read)")
    report("all-label Dice/IoU vs naive numpy", t_ours, t_naive)
    extra = peak_bytes(lambda: overlap_metrics(pred, gt)) / pred.nbytes
    print(f"{'extra peak memory / one input':<44} ours {extra:8.3f} x")

    ct = large_ct()
    spleen = ct.spleen.astype(bool)
    shifted = ndi.binary_dilation(np.roll(spleen, 2, axis=2), iterations=1)
    t_hd, m = best_of(lambda: surface_metrics(shifted, spleen, spacing=ct.spacing))
    print(
        f"{'HD95+ASSD+NSD, one label (spleen, 230k vox)':<44} ours {t_hd:8.3f} s    "
        f"(hd95 {m['hd95']:.2f} mm)"
    )

    live = SliceConfusion(pred, gt)
    times = []
    for z in range(50, 60):
        pred[z, 100:140, 100:140] = 3  # a brush stroke on one slice
        t0 = time.perf_counter()
        live.refresh([z])
        live.scores()
        times.append(time.perf_counter() - t0)
    ms = 1e3 * float(np.median(times))
    print(f"{'live update per one-slice stroke (median)':<44} ours {ms:8.2f} ms")


if __name__ == "__main__":
    main()
