"""The generic recipe mechanism in the core; the demo's tuned recipes live with the sample."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seg.data.recipes import RECIPES
from napari_seg.segment.recipes import Recipe, Step, run_recipe
from napari_seg.volume import Volume


def test_core_recipes_are_generic():
    import napari_seg.segment.recipes as core

    assert Recipe("r", ()).target is None  # no organ assumed
    with pytest.warns(DeprecationWarning, match="napari_seg.data.recipes"):
        assert core.RECIPES is RECIPES  # the old name keeps working
    assert {r.target for r in RECIPES.values()} == {"spleen", "lesions", None}


def test_run_recipe_by_name_and_on_a_volume():
    image = np.zeros((6, 8, 8), np.float32)
    image[2:4, 2:6, 2:6] = 100.0
    two = Recipe(
        "two", (Step("blob", "manual", {"low": 50.0}), Step("big", "cleanup", {}, source="blob"))
    )
    by_name = run_recipe("two", Volume.from_array(image, (2.0, 1.0, 1.0)), recipes={"two": two})
    assert list(by_name) == ["blob", "big"] and int(by_name["big"].sum()) == 32
    with pytest.raises(KeyError, match="pass recipes="):
        run_recipe("two", image, spacing=(1.0, 1.0, 1.0))
