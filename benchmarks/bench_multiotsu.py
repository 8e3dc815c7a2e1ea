"""Multi-Otsu for every allowed number of classes (2..10): ours vs scikit-image, same process.

Ours: :func:`napari_seg.segment.threshold_value` (histogram of at most 256 bins, then the
exact dynamic programme of :mod:`napari_seg.segment._multiotsu`). Baselines:
``skimage.filters.threshold_multiotsu`` on the image itself (one bin per integer value),
and on the same 256-bin histogram as ours (search only, against our search only).
scikit-image searches all ``C(bins - 1, classes - 1)`` threshold combinations; a
baseline over :data:`LIMIT` candidates is not run, and its count is printed instead.

Volumes: the issue's 24x48x48 integer image (4096 values), the 200x512x512 synthetic CT,
the real chest CT ``lung2`` (PyRadiomics) and the Colin27 T1 MRI (mricron-data).
"""

from __future__ import annotations

import math

import numpy as np
from _common import best_of, large_ct, machine, report
from _real import ct_lung, mri_colin27, try_load
from skimage import filters

from napari_seg.segment import histogram, threshold_value
from napari_seg.segment._multiotsu import multiotsu, rebin

CLASSES = range(2, 11)
LIMIT = 2e8  # candidates scikit-image may try here (about a second each 1e8 on this machine)


def _bins(image: np.ndarray) -> int:
    return histogram(image)[0].size


def one_volume(name: str, image: np.ndarray) -> None:
    counts, centers = rebin(*histogram(image))
    nbins = _bins(image)
    print(f"# {name}: {image.shape} {image.dtype}, {nbins} histogram bins, 256 after rebin")
    for c in CLASSES:
        t_ours, cuts = best_of(lambda c=c: threshold_value(image, method="multiotsu", classes=c))
        raw = math.comb(nbins - 1, c - 1)
        if raw <= LIMIT:
            t_raw, ref = best_of(
                lambda c=c: filters.threshold_multiotsu(image, classes=c), repeat=1
            )
            step = max(float(centers[1] - centers[0]) if centers.size > 1 else 0.0, 1e-12)
            diff = np.max(np.abs(cuts - ref)) / step
            report(f"{name} classes={c} vs skimage (image)", t_ours, t_raw,
                   note=f"max |cut diff| {diff:.1f} bins")  # fmt: skip
        else:
            print(f"{name} classes={c}: ours {t_ours:.3f} s; skimage (image) not run: "
                  f"{raw:.2g} candidates")  # fmt: skip
        same = math.comb(counts.size - 1, c - 1)
        if same <= LIMIT:
            t_dp, _ = best_of(lambda c=c: multiotsu(counts, centers, c))
            t_sk, _ = best_of(
                lambda c=c: filters.threshold_multiotsu(hist=(counts, centers), classes=c),
                repeat=1,
            )
            report(f"{name} classes={c} search, same 256 bins", t_dp, t_sk)
        else:
            print(f"{name} classes={c}: skimage (256 bins) not run: {same:.2g} candidates")


def main() -> None:
    print(f"# {machine()}")
    rng = np.random.default_rng(0)
    one_volume("issue 24x48x48", rng.integers(-1024, 3072, (24, 48, 48)).astype(np.int16))
    one_volume("synthetic CT", large_ct().image)
    for loader in (ct_lung, mri_colin27):
        scan = try_load(loader)
        if scan is not None:
            one_volume(scan.name, scan.image)


if __name__ == "__main__":
    main()
