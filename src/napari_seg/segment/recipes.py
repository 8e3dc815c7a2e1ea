"""Named recipes: chains of registry steps, each one what a user does with one widget run.

A recipe is data, not code: every step names a registered method, its
parameters, its source (the image or an earlier step's result) and an optional
ROI (an earlier step's result). The demo runs them through :func:`run_recipe`;
a user gets the same labels from the widgets with the same values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..progress import ProgressCallback, StopCallback
from .methods import run_method

__all__ = ["RECIPES", "Recipe", "Step", "run_recipe"]


@dataclass(frozen=True)
class Step:
    """One widget run.

    Attributes
    ----------
    name : str
        Name of the result (a layer name in napari).
    method : str
        A key of :data:`napari_seg.segment.methods.METHODS`.
    params : mapping
        Parameter values; the rest take their defaults.
    source : str
        ``"image"`` or the name of an earlier step (for labels-source methods).
    mask : str, optional
        Name of an earlier step whose result is the ROI.
    """

    name: str
    method: str
    params: Mapping[str, Any] = field(default_factory=dict)
    source: str = "image"
    mask: str | None = None


@dataclass(frozen=True)
class Recipe:
    """A named chain of steps and the ground truth its last result is scored against."""

    name: str
    steps: tuple[Step, ...]
    target: str | None = "spleen"
    help: str = ""


_SMOOTH = {"smooth": "gaussian", "smooth_mm": 1.5}
_ORGAN = {"open_mm": 2.0, "fill_holes": True, "largest": True}

RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in (
        Recipe(
            "otsu+largest",
            (Step("spleen", "otsu", {"largest": True}),),
            help="Otsu, then the largest object: the naive baseline (finds the body).",
        ),
        Recipe(
            "window+opening+largest",
            (Step("spleen", "manual", {**_SMOOTH, "low": 105.0, "high": 150.0, **_ORGAN}),),
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


def run_recipe(
    recipe: Recipe | str,
    image: np.ndarray,
    *,
    spacing: Sequence[float],
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> dict[str, np.ndarray]:
    """Run every step of ``recipe`` on ``image``; results by step name, in order.

    Parameters
    ----------
    recipe : Recipe or str
        A recipe or a key of :data:`RECIPES`.
    image : numpy.ndarray, shape (Z, Y, X)
        Intensities (HU for CT).
    spacing : sequence of float
        Voxel size in mm per axis.
    progress, should_stop : callable, optional
        Per step; see :mod:`napari_seg.progress`.

    Returns
    -------
    dict of str to numpy.ndarray
        The last entry is the recipe's result.
    """
    rec = RECIPES[recipe] if isinstance(recipe, str) else recipe
    results: dict[str, np.ndarray] = {}
    for i, step in enumerate(rec.steps):
        source = image if step.source == "image" else results[step.source]
        mask = None if step.mask is None else results[step.mask] != 0
        results[step.name] = run_method(
            step.method,
            source,
            spacing=spacing,
            params=step.params,
            mask=mask,
            should_stop=should_stop,
        )
        if progress is not None:
            progress(i + 1, len(rec.steps))
    return results
