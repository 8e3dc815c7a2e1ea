"""Sample data contribution: the synthetic abdominal CT and its ground truths."""

from __future__ import annotations

from napari.types import LayerDataTuple

from ..data.synthetic import make_synthetic_ct
from ..io import Geometry


def make_synthetic_ct_sample() -> list[LayerDataTuple]:
    """Synthetic CT (HU, 2.5 x 0.8 x 0.8 mm) with spleen and lesion ground truths."""
    ct = make_synthetic_ct()
    placed = Geometry.from_spacing(ct.spacing).layer_kwargs()
    image_kw = {
        **placed,
        "name": "synthetic CT",
        "colormap": "gray",
        "contrast_limits": (-160, 240),  # abdominal soft-tissue window (W 400, L 40)
    }
    spleen_kw = {**placed, "name": "spleen ground truth", "opacity": 0.5}
    spleen_kw["metadata"] = {**placed["metadata"], "label_names": ct.label_names}
    lesions_kw = {**placed, "name": "lesions ground truth", "opacity": 0.5}
    return [
        (ct.image, image_kw, "image"),
        (ct.spleen, spleen_kw, "labels"),
        (ct.lesions, lesions_kw, "labels"),
    ]
