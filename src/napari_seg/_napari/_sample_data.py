"""Sample data contribution: the synthetic abdominal CT and its ground truths."""

from __future__ import annotations

from functools import cache

from napari import current_viewer
from napari.types import LayerDataTuple

from ..data.synthetic import make_synthetic_ct
from ..io.kinds import CT_WINDOWS, window_limits
from ._anatomy import attach_display
from ._labeltable import watch_roles, with_role


@cache
def _sample():
    """Made once per session (0.2 s); every open gets its own copies to paint on."""
    return make_synthetic_ct()


def make_synthetic_ct_sample() -> list[LayerDataTuple]:
    """Synthetic CT (HU, 2.5 x 0.8 x 0.8 mm) with spleen and lesion ground truths.

    Placed in world RAS as a scanner stores an axial series; the viewer it opens
    into shows it in the clinical convention (:mod:`._anatomy`).
    """
    attach_display(current_viewer())
    ct = _sample()
    placed = ct.geometry.layer_kwargs()
    image_kw = {
        **placed,
        "name": "synthetic CT",
        "colormap": "gray",
        "contrast_limits": window_limits(*CT_WINDOWS["soft tissue"]),
    }
    image_kw["metadata"] = {**placed["metadata"], "modality": "CT"}
    spleen_kw = {**placed, "name": "spleen ground truth", "opacity": 0.5}
    spleen_kw["metadata"] = {**placed["metadata"], "label_names": ct.label_names}
    lesions_kw = {**placed, "name": "lesions ground truth", "opacity": 0.5}
    lesion_names = {0: "background"} | {
        i: f"lesion {i}" for i in range(1, int(ct.lesions.max()) + 1)
    }
    lesions_kw["metadata"] = {**placed["metadata"], "label_names": lesion_names}
    lesions_kw["features"] = {"index": list(lesion_names), "name": list(lesion_names.values())}
    spleen_kw["features"] = {"index": list(ct.label_names), "name": list(ct.label_names.values())}
    watch_roles()  # the ground truths are outlined once they are in the viewer
    spleen_kw, lesions_kw = (with_role(kw, "ground truth") for kw in (spleen_kw, lesions_kw))
    return [
        (ct.image.copy(), image_kw, "image"),
        (ct.spleen.copy(), spleen_kw, "labels"),
        (ct.lesions.copy(), lesions_kw, "labels"),
    ]
