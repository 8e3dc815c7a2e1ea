"""The ``unet`` operation: load a checkpoint (through a model cache), predict, clean up.

One function for every front end: ``napari-seg segment --method unet``, a batch case and
the U-Net dock all call :func:`segment_unet`, so the U-Net is an operation like the
classical methods rather than a special case in each of them. torch is imported when it
runs, never when this module is imported.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..progress import ProgressCallback, StopCallback
from ..segment.params import check_params, resolve_aliases
from ..volume import Volume, to_volume
from .params import UNET_PARAMS

__all__ = ["segment_unet"]


def segment_unet(
    image: Volume | Any,
    checkpoint: str | os.PathLike[str],
    *,
    cache: Any = None,
    cleanup: Mapping[str, Any] | None = None,
    probabilities: bool = False,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
    **options: Any,
):
    """Segment ``image`` with the network in ``checkpoint``.

    Parameters
    ----------
    image : Volume
        The image (a channel axis first for a multi-channel network) and its geometry;
        the network runs on the checkpoint's grid and the labels come back on this one.
    checkpoint : path-like
        ``.safetensors`` (or a ``.pt`` state dict); weights only, never code.
    cache : ModelCache, optional
        Where loaded networks are kept between calls (a batch worker's, a dock's); a
        fresh one-entry cache when None.
    cleanup : mapping, optional
        Clean-up options (the registry's ``cleanup`` names, e.g. ``{"largest": True}``)
        applied to the labels.
    probabilities : bool
        Also return the class probabilities ``(K, Z, Y, X)`` on the input grid.
    progress, should_stop : callable, optional
        See :mod:`napari_seg.progress`.
    **options
        The ``unet`` operation's parameters (``device``, ``roi_size``, ``overlap``,
        ``sw_batch_size``, ``cpu_bf16``), checked against their declarations.

    Returns
    -------
    Prediction
        :func:`~napari_seg.deep.inference.predict`'s result (``labels`` on ``image``'s
        grid, ``probabilities``, ``notes``), clean-up applied, with the checkpoint's
        class names as ``label_names`` ``{value: name}``.
    """
    from .cache import ModelCache
    from .inference import predict

    vol = to_volume(image)
    given = resolve_aliases(UNET_PARAMS, options, owner="the U-Net")  # old names work
    opts = check_params(UNET_PARAMS, given, owner="the U-Net")
    device = str(opts.pop("device") or "auto")
    opts = {k: v for k, v in opts.items() if k in given}  # predict's own defaults otherwise
    model, meta, dev = (cache or ModelCache(size=1)).get(checkpoint, device)
    result = predict(
        vol.data, vol.geometry, model, meta, device=dev, probabilities=probabilities,
        progress=progress, should_stop=should_stop, **opts,
    )  # fmt: skip
    if cleanup:
        from ..segment.methods import run_method

        result.labels = run_method("cleanup", vol.like(result.labels), params=cleanup).data
    names = {int(k): str(n) for k, n in (meta.labels or {}).items() if str(k).isdigit()}
    result.label_names = {k: n for k, n in names.items() if k != 0}
    return result
