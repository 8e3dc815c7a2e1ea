"""One case of a batch, as a dask task: read, segment, write atomically, report.

Runs in a worker process. The U-Net is loaded once per worker and checkpoint file
(a :class:`~napari_seg.deep.cache.ModelCache` keyed by the file's SHA-256, so a
replaced file is loaded again) and kept in this module for the worker's lifetime.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from ..deep.cache import ModelCache, content_key
from ..io import load_volume, save_volume
from ..segment.methods import run_method
from ..volume import Volume

__all__ = ["model_loads", "segment_case"]

#: This worker's networks (torch is imported only when the U-Net first runs).
_MODELS = ModelCache(size=4, key=content_key)


def model_loads() -> int:
    """How many checkpoints this process has loaded."""
    return _MODELS.loads


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def segment_case(
    image: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    method: str,
    params: dict[str, Any] | None = None,
    cleanup: dict[str, Any] | None = None,
    unet: dict[str, Any] | None = None,
    channel: int = 0,
) -> dict[str, Any]:
    """Segment one volume (any format :func:`~napari_seg.io.load_volume` reads) into ``out``.

    The labels keep the input's geometry; ``out``'s name picks the format.

    Parameters
    ----------
    image, out : path-like
        Input volume and output labels file (written atomically).
    method : str
        A registry method or ``"unet"``.
    params : dict, optional
        The method's parameters (registry names, as ``napari-seg segment``).
    cleanup : dict, optional
        Clean-up after the U-Net (registry clean-up names).
    unet : dict, optional
        ``checkpoint`` and optionally ``device``, ``roi_size``, ``overlap``,
        ``sw_batch_size``, ``cpu_bf16`` for ``method="unet"``.
    channel : int
        Channel of a 4-D image for the classical methods.

    Returns
    -------
    dict
        ``seconds``, ``labels`` (distinct non-zero values), ``worker``, ``model_loads``.
    """
    t0 = time.perf_counter()
    vol = load_volume(image)
    if method == "unet":
        from ..deep.segment_unet import segment_unet

        opts = dict(unet or {})
        labels = segment_unet(
            vol, opts.pop("checkpoint"), cache=_MODELS, cleanup=cleanup, **opts
        ).labels
    else:
        data = vol.data
        n_channels = data.shape[0] if data.ndim == 4 else 1
        if not 0 <= channel < n_channels:  # as `segment` says
            raise ValueError(f"--channel {channel}: {image} has {n_channels} channel(s)")
        if data.ndim == 4:
            data = data[channel]
        source = Volume(data, vol.geometry)  # options in mm convert through its unit
        labels = run_method(method, source, params=params or {}).data
    save_volume(labels, vol.geometry, out, kind="labels", source=vol.source)
    n = int(np.count_nonzero(np.unique(labels)))
    return {
        "seconds": time.perf_counter() - t0,
        "labels": n,
        "worker": _worker_name(),
        "model_loads": model_loads(),
    }
