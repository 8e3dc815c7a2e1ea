"""Sample data contribution: the synthetic abdominal CT and its ground truths."""

from __future__ import annotations

from functools import cache

from napari import current_viewer
from napari.types import LayerDataTuple

from ..data.synthetic import make_synthetic_ct
from ..io.kinds import CT_WINDOWS, window_limits
from ..io.labeltable import LabelTable
from ._anatomy import attach_display
from ._labeltable import table_kwargs, watch_roles, with_role
from ._meta import with_modality

#: Label colours of the sample (RGBA 0..1): the spleen dark red, the lesions bright and apart.
SPLEEN_COLOR = (0.47, 0.145, 0.024, 1.0)
LESION_COLORS = (
    (0.25, 0.8, 0.3, 1.0),
    (0.2, 0.7, 0.95, 1.0),
    (0.95, 0.85, 0.2, 1.0),
    (0.85, 0.35, 0.85, 1.0),
)


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
    image_kw["metadata"] = with_modality(placed["metadata"], "CT")
    # names and colours as a label table: each lesion its own colour, none the spleen's
    spleen_table = LabelTable.from_dict({1: {"name": "spleen", "color": SPLEEN_COLOR}})
    lesion_table = LabelTable.from_dict(
        {
            i: {"name": f"lesion {i}", "color": LESION_COLORS[(i - 1) % len(LESION_COLORS)]}
            for i in range(1, int(ct.lesions.max()) + 1)
        }
    )
    spleen_kw = table_kwargs(
        spleen_table, {**placed, "name": "spleen ground truth", "opacity": 0.5}
    )
    lesions_kw = table_kwargs(
        lesion_table, {**placed, "name": "lesions ground truth", "opacity": 0.5}
    )
    watch_roles()  # the ground truths are outlined once they are in the viewer
    spleen_kw, lesions_kw = (with_role(kw, "ground truth") for kw in (spleen_kw, lesions_kw))
    return [
        (ct.image.copy(), image_kw, "image"),
        (ct.spleen.copy(), spleen_kw, "labels"),
        (ct.lesions.copy(), lesions_kw, "labels"),
    ]
