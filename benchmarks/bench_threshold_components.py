"""Otsu + connected components on a 200x512x512 CT: ours vs the plain scikit-image recipe.

Baseline: ``skimage.filters.threshold_otsu`` then ``skimage.measure.label`` (26-connected).
Ours: ``napari_seg.segment.threshold`` (fastremap histogram) then
``connected_components`` (cc3d, 26-connected). Same labels up to numbering.
"""

from __future__ import annotations

import numpy as np
from _common import best_of, large_ct, machine, peak_bytes, report
from skimage import filters, measure

from napari_seg.segment import connected_components, threshold


def ours(image: np.ndarray):
    return connected_components(threshold(image, method="otsu"), connectivity=26)


def baseline(image: np.ndarray):
    mask = image > filters.threshold_otsu(image)
    return measure.label(mask, connectivity=3, return_num=True)


def main() -> None:
    image = large_ct().image
    print(f"# {machine()}; volume {image.shape} {image.dtype} = {image.nbytes / 1e6:.0f} MB")
    t_ours, (lab_ours, n_ours) = best_of(lambda: ours(image))
    t_base, (lab_base, n_base) = best_of(lambda: baseline(image))
    assert n_ours == n_base, (n_ours, n_base)
    assert np.array_equal(lab_ours > 0, lab_base > 0)
    report("otsu + connected components (26)", t_ours, t_base, note=f"({n_ours} components)")
    extra = peak_bytes(lambda: ours(image)) / image.nbytes
    extra_base = peak_bytes(lambda: baseline(image)) / image.nbytes
    label = "extra peak memory / input size"
    print(f"{label:<44} ours {extra:8.2f} x    baseline {extra_base:8.2f} x")


if __name__ == "__main__":
    main()
