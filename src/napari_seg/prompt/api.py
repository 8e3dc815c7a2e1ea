"""``segment``: clicks in, one object out, on the image's own grid."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage as ndi

from .._memory import ensure_fits
from ..progress import ProgressCallback, Steps, StopCallback
from ..segment._validate import SegmentationError, as_volume, check_spacing
from .merge import merge_clicks
from .window import Window, place_window

if TYPE_CHECKING:
    from .model import PromptModel

__all__ = ["MAX_ZOOMS", "ZOOM_LOGIT", "segment"]

#: How many times the window may double its voxel size when the object reaches its edge.
MAX_ZOOMS = 3
#: The object "reaches" a face of the window where its logit exceeds this (probability
#: 0.27): the mirror-averaged prediction of a large object often stops just short of it.
ZOOM_LOGIT = -1.0


def _points(points: Sequence[Sequence[int]], shape: tuple[int, ...], name: str) -> np.ndarray:
    arr = np.asarray(list(points), dtype=float).reshape(-1, 3) if len(points) else np.zeros((0, 3))
    if not np.all(np.isfinite(arr)) or np.any(arr != np.rint(arr)):
        raise SegmentationError(f"{name} clicks must be whole (z, y, x) voxel indices")
    bad = np.any((arr < 0) | (arr >= np.asarray(shape)), axis=1)
    if bad.any():
        raise SegmentationError(
            f"{name} click {tuple(int(v) for v in arr[bad][0])} is outside the image {shape}"
        )
    return arr.astype(int)


def _extent(previous: np.ndarray | None) -> np.ndarray | None:
    if previous is None or not previous.any():
        return None
    idx = [
        np.flatnonzero(previous.any(axis=tuple(a for a in range(3) if a != ax))) for ax in range(3)
    ]
    return np.array([[i[0] for i in idx], [i[-1] for i in idx]], float)


def _predict(model, image, sp, pos, neg, previous, steps: Steps) -> tuple[Window, np.ndarray]:
    """Logits on the window box (image voxels), zooming out while the object meets its edge."""
    from .model import upsample, window_input

    extent = _extent(previous)
    for zoom in range(MAX_ZOOMS + 1):
        win = place_window(
            image.shape,
            sp,
            pos,
            crop=model.crop,
            base_mm=model.base_mm,
            extent=extent,
            scale=2.0**zoom,
        )
        x = window_input(image, win, pos, neg, previous, sigma_mm=model.sigma_mm)
        logits = model.logits(x)
        steps.step()
        if (
            zoom == MAX_ZOOMS
            or win.covers(image.shape)
            or not win.touches(image.shape, logits > ZOOM_LOGIT)
        ):
            break
    ensure_fits(int(np.prod(win.size)) * 4, "the prompt window at full resolution", copies=2)
    return win, upsample(logits, win.size)


def _keep_clicked(mask: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """Clicked voxels forced (object / background); only components holding a positive click kept
    (all of ``mask`` when no positive click lies in it)."""
    mask[tuple(neg.T)] = False
    mask[tuple(pos.T)] = True
    if len(pos) == 0:
        return mask
    lab, _ = ndi.label(mask)
    keep = np.unique(lab[tuple(pos.T)])
    return np.isin(lab, keep[keep > 0])


def segment(
    image: np.ndarray,
    positive: Sequence[Sequence[int]],
    negative: Sequence[Sequence[int]] = (),
    *,
    spacing: Sequence[float],
    model: PromptModel | str | os.PathLike[str] | None = None,
    previous: np.ndarray | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """Segment the one object that the clicks point at.

    Parameters
    ----------
    image : numpy.ndarray, shape (Z, Y, X)
        Intensities (any modality; normalised inside the working window).
    positive, negative : sequence of (z, y, x)
        Voxel indices on the object and on what is not the object; at least one positive.
    spacing : sequence of 3 float
        Voxel size (dz, dy, dx) in mm.
    model : PromptModel or path-like, optional
        A loaded model (:func:`napari_seg.prompt.load_prompt_model`) or a prompt
        checkpoint; None loads the shipped weights (each call: hold a model for many clicks).
    previous : numpy.ndarray, shape (Z, Y, X), optional
        An earlier result to refine (nonzero = object). Only clicks that contradict
        it (positive outside, negative inside) change it, each by the connected
        region of the change that holds it (a negative click removes at least the
        object's connected part around it); the rest of ``previous`` is kept.
    progress, should_stop : callable, optional
        See :mod:`napari_seg.progress` (one step per window, one for pasting). Each
        window's pass averages the logits of the window and its z/y/x mirrors.

    Returns
    -------
    numpy.ndarray of uint8, shape (Z, Y, X)
        1 on the object, 0 elsewhere. The clicked voxels are always on their side;
        of the network's result only the connected parts holding a positive click are
        kept (with ``previous``: see there).

    Raises
    ------
    SegmentationError
        Not a 3-D image, bad spacing, no positive click, a click outside the image,
        or ``previous`` of another shape.
    """
    img = as_volume(image)
    if img.ndim != 3:
        raise SegmentationError(f"image must be 3-D (Z, Y, X), got shape {img.shape}")
    sp = check_spacing(spacing, 3)
    pos = _points(positive, img.shape, "positive")
    neg = _points(negative, img.shape, "negative")
    if len(pos) == 0:
        raise SegmentationError("click to segment needs at least one positive click")
    prev = None if previous is None else np.asarray(previous)  # nonzero = object; never copied
    if prev is not None and prev.shape != img.shape:
        raise SegmentationError(
            f"previous shape {prev.shape} does not match the image {img.shape}"
        )
    steps = Steps(MAX_ZOOMS + 2, progress=progress, should_stop=should_stop)
    from .model import PromptModel, load_prompt_model

    net = model if isinstance(model, PromptModel) else load_prompt_model(model)
    win, logits = _predict(net, img, sp, pos, neg, prev, steps)
    out = np.zeros(img.shape, np.uint8) if prev is None else np.not_equal(prev, 0).view(np.uint8)
    img_sl, box_sl = win.clipped(img.shape)
    lo = np.array([s.start for s in img_sl])
    inside = np.all((pos >= lo) & (pos < [s.stop for s in img_sl]), axis=1)
    near = np.all((neg >= lo) & (neg < [s.stop for s in img_sl]), axis=1)
    new = _keep_clicked(logits[box_sl] > 0, pos[inside] - lo, neg[near] - lo)
    if prev is not None:
        new = merge_clicks(out[img_sl].astype(bool), new, pos - lo, neg - lo, spacing=sp)
    out[img_sl] = new
    out[tuple(pos.T)] = 1
    steps.step(steps.total - steps.done)
    return out
