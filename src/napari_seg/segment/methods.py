"""Run a registered classical method: smoothing, the method, clean-up.

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

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..progress import ProgressCallback, Steps, StopCallback
from ..volume import takes_volumes
from . import method_defs as _method_defs  # noqa: F401  (registers the methods)
from ._validate import SegmentationError, as_volume, check_mask
from .params import Param, check_params
from .pipeline import Cleanup, cleanup_labels
from .registry import (
    CLEANUP,
    METHODS,
    SMOOTHING,
    Inputs,
    Method,
    check_only_watershed,
    resolve_method,
)
from .seeds import seed_labels
from .smoothing import smooth_mm

__all__ = ["CLEANUP", "METHODS", "SMOOTHING", "Method", "Param", "run_method"]


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
        A key of :data:`METHODS` (an old name such as ``threshold`` warns and works).
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
    spec = resolve_method(method)
    p = check_params(spec.all_params, params or {}, owner=f"method {spec.name!r}")
    src = as_volume(source, name="labels" if spec.source_kind == "labels" else "image")
    check_only_watershed(spec.name, markers, points, image)
    if mask is not None and not spec.uses_mask:
        raise SegmentationError(f"method {spec.name!r} takes no mask/ROI")
    mask = check_mask(mask, src.shape)
    markers = seed_labels(markers, points, p.pop("seed_radius_mm", None), src.shape, spacing)
    return _stages(spec, src, p, Inputs(spacing, mask, markers, image), progress, should_stop)


def _stages(
    spec: Method,
    src: np.ndarray,
    p: dict[str, Any],
    inputs: Inputs,
    progress: ProgressCallback | None,
    should_stop: StopCallback | None,
) -> np.ndarray:
    """Smoothing, the method, clean-up, with progress across the stages."""
    spacing = inputs.spacing
    smooth = {k: p.pop(k) for k in ("smooth", "smooth_mm") if k in p}
    post = Cleanup(**{k.name: p.pop(k.name) for k in CLEANUP if k.name in p and spec.cleanup})
    count = 2 + (post.steps > 0)
    steps = Steps(count * 1000, progress=progress, should_stop=should_stop)
    if smooth:
        src = smooth_mm(src, kind=smooth["smooth"], size_mm=smooth["smooth_mm"], spacing=spacing)
    steps.step(1000)
    labels = spec.run(
        src, inputs, progress=_stage(progress, 1, count), should_stop=should_stop, **p
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
