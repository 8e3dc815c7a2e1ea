"""The classical methods, each registered beside its code with :func:`~.registry.method`.

Importing this module fills :data:`~napari_seg.segment.registry.METHODS` (in the
docks' menu order) and the operation registry (:mod:`napari_seg.ops`).
"""

from __future__ import annotations

from ._validate import SegmentationError
from .edges import canny
from .kmeans import kmeans
from .params import Param
from .pipeline import Cleanup, cleanup_labels
from .registry import CLEANUP, Inputs, method
from .threshold import CT_PRESETS, threshold
from .watershed import seeded_watershed, split_touching

__all__ = ["HIGH", "LOW", "SIGMA"]

_HU = {"unit": "HU", "low": -1e9, "high": 1e9, "step": 10.0}
LOW = Param("low", float, None, "Lower bound of the intensity window (inclusive).", **_HU,
            optional=True)  # fmt: skip
HIGH = Param("high", float, None, "Upper bound of the intensity window (inclusive).", **_HU,
             optional=True)  # fmt: skip
SIGMA = Param("sigma_mm", float, 1.0, "Gaussian smoothing before the gradient.", unit="mm",
              low=0.0, high=50.0, step=0.25)  # fmt: skip


def _threshold(name: str):
    def run(source, ctx: Inputs, *, progress, should_stop, **p):
        if name == "manual" and all(p.get(k) is None for k in ("low", "high", "preset")):
            raise SegmentationError(
                "manual threshold needs a low and/or a high bound (image intensity, HU on a CT), "
                "or a CT preset"
            )
        return threshold(
            source, method=name, mask=ctx.mask, progress=progress, should_stop=should_stop, **p
        )

    return run


method("manual", "Manual window", "Keep voxels with low <= value <= high.",
       (LOW, HIGH, Param("preset", str, None, "CT window for low/high.", optional=True,
                         choices=tuple(CT_PRESETS))),
       aliases=("threshold",))(_threshold("manual"))  # fmt: skip
_AUTO = "Global threshold chosen by {}; 1 above it."
method("otsu", "Otsu", _AUTO.format("Otsu"))(_threshold("otsu"))
method("multiotsu", "Multi-Otsu", "Classes 1..n from darkest to brightest.",
       (Param("classes", int, 3, "Number of classes.", low=2, high=10),))(
    _threshold("multiotsu"))  # fmt: skip
method("li", "Li", _AUTO.format("Li's minimum cross-entropy"))(_threshold("li"))
method("yen", "Yen", _AUTO.format("Yen"))(_threshold("yen"))
method("triangle", "Triangle", _AUTO.format("the triangle method"))(_threshold("triangle"))
method("mean", "Mean", _AUTO.format("the mean intensity"))(_threshold("mean"))


@method("kmeans", "K-means", "Cluster intensities into k classes; 1 is the darkest.",
        (Param("k", int, 3, "Number of classes.", low=2, high=64),
         Param("seed", int, 0, "Seed of the initialisation.", low=0, high=2**31 - 1,
               advanced=True),
         LOW, HIGH,
         Param("select_near", float, None, "Keep only the class whose centre is "
               "nearest this intensity, as label 1.", optional=True, **_HU)))  # fmt: skip
def _kmeans(source, ctx: Inputs, *, progress, should_stop, low, high, **p):
    mask = ctx.mask
    if low is not None or high is not None:
        window = threshold(source, method="manual", low=low, high=high) != 0
        mask = window if mask is None else mask & window
    return kmeans(source, mask=mask, progress=progress, should_stop=should_stop, **p)


@method("canny", "Canny edges", "3-D Canny (or 2-D per slice); 1 = edge.",
        (SIGMA,
         Param("edge_low", float, None, "Low hysteresis threshold (quantile of the "
               "gradient, or intensity/mm with absolute); none = 0.7.", optional=True,
               low=0, high=1e9, step=0.05),
         Param("edge_high", float, None, "High hysteresis threshold; none = 0.9.",
               optional=True, low=0, high=1e9, step=0.05),
         Param("absolute", bool, False,
               "Thresholds in intensity/mm (HU/mm on CT), not quantiles."),
         Param("mode", str, "3d", "3-D surfaces, or 2-D Canny on each axial slice.",
               choices=("3d", "slices"))),
        smoothing=False, uses_mask=False)  # fmt: skip
def _canny(source, ctx: Inputs, *, progress, should_stop, edge_low, edge_high, absolute, **p):
    return canny(
        source,
        spacing=ctx.spacing,
        low=edge_low,
        high=edge_high,
        use_quantiles=not absolute,
        progress=progress,
        should_stop=should_stop,
        **p,
    )


@method("watershed", "Watershed", "Split touching objects of a mask at their necks; "
        "with seeds, grow them over the image's edges (or the mask's distance map).",
        (Param("min_distance_mm", float, 5.0, "Minimum distance between object "
               "centres when splitting.", unit="mm", low=0.1, high=500.0),
         Param("compactness", float, 0.0, "Compact watershed (0 = classic).", low=0.0,
               high=1e6, advanced=True),
         Param("seed_radius_mm", float, None, "Radius of the ball around each clicked "
               "seed (none = 2.5 coarsest voxel sides); seed labels (markers) grow "
               "by it when given.", optional=True,
               unit="mm", low=0.0, high=50.0),
         SIGMA),
        source_kind="labels", smoothing=False, uses_mask=False)  # fmt: skip
def _watershed(source, ctx: Inputs, *, progress, should_stop, **p):
    mask = source != 0
    if ctx.markers is None:
        return split_touching(
            mask,
            spacing=ctx.spacing,
            min_distance_mm=p["min_distance_mm"],
            compactness=p["compactness"],
            progress=progress,
            should_stop=should_stop,
        )
    return seeded_watershed(
        ctx.markers,
        image=ctx.image,
        mask=mask,
        spacing=ctx.spacing,
        sigma_mm=p["sigma_mm"],
        compactness=p["compactness"],
        progress=progress,
        should_stop=should_stop,
    )


@method("cleanup", "Components and clean-up", "Clean up a labels volume, in this order.",
        CLEANUP, source_kind="labels", smoothing=False, cleanup=False, uses_mask=False,
        keeps_ids=True)  # fmt: skip
def _cleanup(source, ctx: Inputs, *, progress, should_stop, **p):
    return cleanup_labels(
        source, Cleanup(**p), spacing=ctx.spacing, progress=progress, should_stop=should_stop
    )
