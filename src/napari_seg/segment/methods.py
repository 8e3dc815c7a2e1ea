"""The method registry: every classical method with its parameters, declared once.

:func:`run_method` is the one entry point the widgets, the command line and the
demo recipes call: optional smoothing, the method, then clean-up, with
progress and cancel across all three stages.

Examples
--------
>>> from napari_seg.data.synthetic import make_synthetic_ct
>>> ct = make_synthetic_ct((16, 32, 32), seed=0)
>>> labels = run_method("otsu", ct.image, spacing=ct.spacing, params={"largest": True})
>>> labels.shape
(16, 32, 32)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..progress import ProgressCallback, Steps, StopCallback
from ..volume import takes_volumes
from ._validate import SegmentationError, as_volume, check_mask
from .edges import canny
from .kmeans import kmeans
from .params import Param, check_params
from .pipeline import Cleanup, cleanup_labels
from .seeds import seed_labels
from .smoothing import smooth_mm
from .threshold import CT_PRESETS, threshold
from .watershed import seeded_watershed, split_touching

__all__ = ["CLEANUP", "METHODS", "SMOOTHING", "Method", "Param", "run_method"]

_HU = {"unit": "HU", "low": -1e9, "high": 1e9, "step": 10.0}
LOW = Param("low", float, None, "Lower bound of the intensity window (inclusive).", **_HU,
            optional=True)  # fmt: skip
HIGH = Param("high", float, None, "Upper bound of the intensity window (inclusive).", **_HU,
             optional=True)  # fmt: skip
SIGMA = Param("sigma_mm", float, 1.0, "Gaussian smoothing before the gradient.", unit="mm",
              low=0.0, high=50.0, step=0.25)  # fmt: skip

SMOOTHING: tuple[Param, ...] = (
    Param("smooth", str, "none", "Smooth the image first: Gaussian or median.",
          choices=("none", "gaussian", "median")),
    Param("smooth_mm", float, 1.5, "Gaussian sigma or median radius.", unit="mm", low=0.0,
          high=50.0, step=0.25),
)  # fmt: skip

CLEANUP: tuple[Param, ...] = (
    Param("open_mm", float, 0.0, "Opening radius, each label on its own (0 = off).", unit="mm",
          low=0.0, high=50.0, step=0.5, advanced=True),
    Param("close_mm", float, 0.0, "Closing radius, each label on its own (0 = off).", unit="mm",
          low=0.0, high=50.0, step=0.5, advanced=True),
    Param("min_voxels", int, 0, "Remove objects with fewer voxels.", unit="voxels", low=0,
          high=2**40, advanced=True),
    Param("min_mm3", float, 0.0, "Remove objects smaller than this volume.", unit="mm³",
          low=0.0, high=1e9, advanced=True),
    Param("fill_holes", bool, False, "Fill enclosed holes of each label."),
    Param("holes_per_slice", bool, False, "Fill holes slice by slice (axial), closing notches.",
          advanced=True),
    Param("largest", bool, False, "Keep only the largest object of each label."),
    Param("components", bool, False, "Split into connected components (instance labels 1..N)."),
    Param("connectivity", int, 26, "Neighbourhood of objects: faces, +edges, +corners.",
          choices=(6, 18, 26), advanced=True),
)  # fmt: skip


@dataclass(frozen=True)
class Method:
    """A registered method.

    ``run(source, inputs, *, progress, should_stop, **params)``
    returns labels of ``source``'s shape. ``source`` is an image, or for
    ``source_kind="labels"`` a mask/labels volume.
    """

    name: str
    title: str
    help: str
    run: Callable[..., np.ndarray]
    params: tuple[Param, ...] = ()
    source_kind: str = "image"
    smoothing: bool = True
    cleanup: bool = True
    uses_mask: bool = True
    #: Output label values mean the source labels' classes (so names and colours carry over),
    #: unless the ``components`` option made them instances.
    keeps_ids: bool = False

    @property
    def all_params(self) -> tuple[Param, ...]:
        """Own parameters, then smoothing and clean-up where the method offers them."""
        return (
            *self.params,
            *(SMOOTHING if self.smoothing else ()),
            *(CLEANUP if self.cleanup else ()),
        )


@dataclass(frozen=True)
class Inputs:
    """What a method may use besides its source and parameters."""

    spacing: Sequence[float]
    mask: np.ndarray | None = None
    markers: np.ndarray | None = None
    image: np.ndarray | None = None


def _threshold(method: str):
    def run(source, ctx: Inputs, *, progress, should_stop, **p):
        if method == "manual" and all(p.get(k) is None for k in ("low", "high", "preset")):
            raise SegmentationError(
                "manual threshold needs a low and/or a high bound (image intensity, HU on a CT), "
                "or a CT preset"
            )
        return threshold(
            source, method=method, mask=ctx.mask, progress=progress, should_stop=should_stop, **p
        )

    return run


def _kmeans(source, ctx: Inputs, *, progress, should_stop, low, high, **p):
    mask = ctx.mask
    if low is not None or high is not None:
        window = threshold(source, method="manual", low=low, high=high) != 0
        mask = window if mask is None else mask & window
    return kmeans(source, mask=mask, progress=progress, should_stop=should_stop, **p)


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


def _cleanup(source, ctx: Inputs, *, progress, should_stop, **p):
    return cleanup_labels(
        source, Cleanup(**p), spacing=ctx.spacing, progress=progress, should_stop=should_stop
    )


_AUTO = "Global threshold chosen by {}; 1 above it."
METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("manual", "Manual window", "Keep voxels with low <= value <= high.",
               _threshold("manual"), (LOW, HIGH,
               Param("preset", str, None, "CT window for low/high.", optional=True,
                     choices=tuple(CT_PRESETS)))),
        Method("otsu", "Otsu", _AUTO.format("Otsu"), _threshold("otsu")),
        Method("multiotsu", "Multi-Otsu", "Classes 1..n from darkest to brightest.",
               _threshold("multiotsu"),
               (Param("classes", int, 3, "Number of classes.", low=2, high=10),)),
        Method("li", "Li", _AUTO.format("Li's minimum cross-entropy"), _threshold("li")),
        Method("yen", "Yen", _AUTO.format("Yen"), _threshold("yen")),
        Method("triangle", "Triangle", _AUTO.format("the triangle method"),
               _threshold("triangle")),
        Method("mean", "Mean", _AUTO.format("the mean intensity"), _threshold("mean")),
        Method("kmeans", "K-means", "Cluster intensities into k classes; 1 is the darkest.",
               _kmeans,
               (Param("k", int, 3, "Number of classes.", low=2, high=64),
                Param("seed", int, 0, "Seed of the initialisation.", low=0, high=2**31 - 1,
                      advanced=True),
                LOW, HIGH,
                Param("select_near", float, None, "Keep only the class whose centre is "
                      "nearest this intensity, as label 1.", optional=True, **_HU))),
        Method("canny", "Canny edges", "3-D Canny (or 2-D per slice); 1 = edge.", _canny,
               (SIGMA,
                Param("edge_low", float, None, "Low hysteresis threshold (quantile of the "
                      "gradient, or intensity/mm with absolute); default 0.7.", optional=True,
                      low=0, high=1e9, step=0.05),
                Param("edge_high", float, None, "High hysteresis threshold; default 0.9.",
                      optional=True, low=0, high=1e9, step=0.05),
                Param("absolute", bool, False,
                      "Thresholds in intensity/mm (HU/mm on CT), not quantiles."),
                Param("mode", str, "3d", "3-D surfaces, or 2-D Canny on each axial slice.",
                      choices=("3d", "slices"))),
               smoothing=False, uses_mask=False),
        Method("watershed", "Watershed", "Split touching objects of a mask at their necks; "
               "with seeds, grow them over the image's edges (or the mask's distance map).",
               _watershed,
               (Param("min_distance_mm", float, 5.0, "Minimum distance between object "
                      "centres when splitting.", unit="mm", low=0.1, high=500.0),
                Param("compactness", float, 0.0, "Compact watershed (0 = classic).", low=0.0,
                      high=1e6, advanced=True),
                Param("seed_radius_mm", float, None, "Radius of the ball around each clicked "
                      "seed (default 2.5 coarsest voxel sides); seed labels (markers) grow "
                      "by it when given.", optional=True,
                      unit="mm", low=0.0, high=50.0),
                SIGMA),
               source_kind="labels", smoothing=False, uses_mask=False),
        Method("cleanup", "Components and clean-up", "Clean up a labels volume, in this order.",
               _cleanup, CLEANUP, source_kind="labels", smoothing=False, cleanup=False,
               uses_mask=False, keeps_ids=True),
    )
}  # fmt: skip


def _stage(progress: ProgressCallback | None, index: int, count: int):
    """Map a stage's own ``progress(done, total)`` onto a 0..1000*count overall scale."""
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        frac = done / total if total > 0 else 0.0
        progress(int(1000 * (index + min(frac, 1.0))), 1000 * count)

    return report


@takes_volumes
def run_method(
    method: str,
    source: np.ndarray,
    *,
    spacing: Sequence[float],
    params: Mapping[str, Any] | None = None,
    mask: np.ndarray | None = None,
    markers: np.ndarray | None = None,
    points: np.ndarray | None = None,
    image: np.ndarray | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """Run a registered method: smoothing, the method, clean-up.

    Parameters
    ----------
    method : str
        A key of :data:`METHODS`.
    source : numpy.ndarray, shape (Y, X) or (Z, Y, X), or Volume
        The image (HU for CT), or the mask/labels for ``watershed`` and ``cleanup``.
        A :class:`~napari_seg.volume.Volume` gives the spacing in mm (and ``mask``,
        ``markers``, ``image`` given as Volumes are checked onto its grid); the result
        is then a Volume on that grid.
    spacing : sequence of float
        Voxel size in mm per axis, from the full geometry (never a bare scale).
    params : mapping, optional
        Values by :class:`Param` name; the rest take their declared defaults.
    mask : numpy.ndarray, optional
        ROI: only voxels inside count and get labels (threshold and k-means methods).
    markers : numpy.ndarray of int, optional
        Seed labels for a seeded watershed; grown by ``seed_radius_mm`` when that is given.
    points : numpy.ndarray, shape (N, ndim), optional
        Clicked seeds in voxel coordinates; each becomes a ball of ``seed_radius_mm``.
    image : numpy.ndarray, optional
        Intensities a seeded watershed grows over.
    progress, should_stop : callable, optional
        See :mod:`napari_seg.progress`.

    Returns
    -------
    numpy.ndarray of int, same shape as ``source``

    Raises
    ------
    SegmentationError
        An unknown method or option, a value out of range, or inputs that do not fit.
    """
    if method not in METHODS:
        raise SegmentationError(f"unknown method {method!r}; choose one of {list(METHODS)}")
    spec = METHODS[method]
    p = check_params(spec.all_params, params or {}, owner=f"method {method!r}")
    src = as_volume(source, name="labels" if spec.source_kind == "labels" else "image")
    if method != "watershed" and any(v is not None for v in (markers, points, image)):
        raise SegmentationError(
            f"seeds and a grow-over image only apply to watershed, not {method!r}"
        )
    if mask is not None and not spec.uses_mask:
        raise SegmentationError(f"method {method!r} takes no mask/ROI")
    mask = check_mask(mask, src.shape)
    markers = seed_labels(markers, points, p.pop("seed_radius_mm", None), src.shape, spacing)
    smooth = {k: p.pop(k) for k in ("smooth", "smooth_mm") if k in p}
    post = Cleanup(**{k.name: p.pop(k.name) for k in CLEANUP if k.name in p and spec.cleanup})
    count = 2 + (post.steps > 0)
    steps = Steps(count * 1000, progress=progress, should_stop=should_stop)
    if smooth:
        src = smooth_mm(src, kind=smooth["smooth"], size_mm=smooth["smooth_mm"], spacing=spacing)
    steps.step(1000)
    labels = spec.run(
        src,
        Inputs(spacing, mask, markers, image),
        progress=_stage(progress, 1, count),
        should_stop=should_stop,
        **p,
    )
    steps.step(1000)
    if post.steps:
        labels = cleanup_labels(
            labels,
            post,
            spacing=spacing,
            progress=_stage(progress, 2, count),
            should_stop=should_stop,
        )
        steps.step(1000)
    return labels
