"""Recipes: chains of registry steps, each one what a user does with one widget run.

A recipe is data, not code: every step names a registered method, its
parameters, its source (the image or an earlier step's result) and an optional
ROI (an earlier step's result). :func:`run_recipe` runs one; a user gets the same
labels from the widgets with the same values. The demo's named recipes, tuned on the
sample, live with the sample (:data:`napari_seg.data.recipes.RECIPES`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..progress import ProgressCallback, StopCallback
from ..volume import Volume, takes_volumes
from .methods import run_method

__all__ = ["Recipe", "Step", "run_recipe"]


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
    target: str | None = None
    help: str = ""


@takes_volumes
def run_recipe(
    recipe: Recipe | str,
    image: np.ndarray | Volume,
    *,
    spacing: Sequence[float] | None = None,
    recipes: Mapping[str, Recipe] | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> dict[str, np.ndarray]:
    """Run every step of ``recipe`` on ``image``; results by step name, in order.

    Parameters
    ----------
    recipe : Recipe or str
        A recipe, or a key of ``recipes``.
    image : numpy.ndarray, shape (Z, Y, X); or Volume
        Intensities (HU for CT).
    spacing : sequence of float, optional
        Voxel size in mm per axis (from the geometry of a Volume).
    recipes : mapping of str to Recipe, optional
        Where a recipe given by name is looked up (for example
        :data:`napari_seg.data.recipes.RECIPES`).
    progress, should_stop : callable, optional
        Per step; see :mod:`napari_seg.progress`.

    Returns
    -------
    dict of str to numpy.ndarray
        The last entry is the recipe's result.
    """
    if isinstance(recipe, str):
        known = recipes or {}
        if recipe not in known:
            raise KeyError(f"no recipe {recipe!r} among {sorted(known)}; pass recipes=")
        recipe = known[recipe]
    results: dict[str, np.ndarray] = {}
    for i, step in enumerate(recipe.steps):
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
            progress(i + 1, len(recipe.steps))
    return results


def __getattr__(name: str):
    """``RECIPES`` moved to :mod:`napari_seg.data.recipes` (the demo's content)."""
    if name == "RECIPES":
        import warnings

        from ..data.recipes import RECIPES

        warnings.warn(
            "napari_seg.segment.recipes.RECIPES moved to napari_seg.data.recipes.RECIPES",
            DeprecationWarning,
            stacklevel=2,
        )
        return RECIPES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
