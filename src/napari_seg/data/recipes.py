"""The demo's named recipes, tuned on the synthetic sample CT (:mod:`.synthetic`).

Each row of ``napari-seg demo`` is one recipe: widget runs with stated values, scored
against the sample's spleen or lesions. They are content of the sample, not of the core:
the core keeps the generic mechanism (:class:`~napari_seg.segment.recipes.Recipe`,
:func:`~napari_seg.segment.recipes.run_recipe`), the values live here.
"""

from __future__ import annotations

from ..segment.recipes import Recipe, Step

__all__ = ["RECIPES"]

_SMOOTH = {"smooth": "gaussian", "smooth_mm": 1.5}
_ORGAN = {"open_mm": 2.0, "fill_holes": True, "largest": True}

RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in (
        Recipe(
            "otsu+largest",
            (Step("spleen", "otsu", {"largest": True}),),
            target="spleen",
            help="Otsu, then the largest object: the naive baseline (finds the body).",
        ),
        Recipe(
            "window+opening+largest",
            (Step("spleen", "manual", {**_SMOOTH, "low": 105.0, "high": 150.0, **_ORGAN}),),
            target="spleen",
            help="Smooth 1.5 mm, enhanced-organ window 105..150 HU, open 2 mm, fill, largest.",
        ),
        Recipe(
            "kmeans(5)+largest",
            (
                Step(
                    "spleen",
                    "kmeans",
                    {**_SMOOTH, "k": 5, "low": 0.0, "high": 250.0, "select_near": 120.0, **_ORGAN},
                ),
            ),
            target="spleen",
            help="Smooth 1.5 mm, k-means (k=5) of 0..250 HU, class nearest 120 HU, clean-up.",
        ),
        Recipe(
            "liver-holes+watershed",
            (
                Step(
                    "liver",
                    "manual",
                    {
                        **_SMOOTH,
                        "low": 70.0,
                        "high": 105.0,
                        "open_mm": 3.0,
                        "largest": True,
                        "fill_holes": True,
                        "holes_per_slice": True,
                    },
                ),
                Step(
                    "lesion mask",
                    "manual",
                    {**_SMOOTH, "high": 70.0, "open_mm": 2.0},
                    mask="liver",
                ),
                Step("lesions", "watershed", {"min_distance_mm": 6.0}, source="lesion mask"),
            ),
            target="lesions",
            help="Liver by window (holes filled per slice); its dark inside split by watershed.",
        ),
        Recipe(
            "canny-3d",
            (Step("edges", "canny", {"sigma_mm": 1.5}),),
            target=None,
            help="3-D Canny edges (sigma 1.5 mm); not scored (edges are not regions).",
        ),
    )
}
