"""Reader contribution: NIfTI files, Decathlon task folders and ``dataset.json``; NRRD and DICOM.

NRRD, ``.seg.nrrd``, DICOM series and DICOM SEG layers are built in :mod:`._format_layers`.

The whole list of layers is built before it is returned, so a file that
fails (a :class:`~napari_seg.io.NiftiError` or :class:`~napari_seg.io.DecathlonError`,
which napari shows as a notification) adds no layer at all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from napari import current_viewer
from napari.types import LayerDataTuple

from ..io import (
    LoadedCase,
    Volume,
    is_decathlon_path,
    is_nifti_path,
    load_decathlon,
    load_nifti,
    nifti_stem,
)
from ..io.kinds import CT_WINDOWS, Kind, as_labels, guess_kind, looks_like_ct, window_limits
from ..io.labeltable import LabelTable, table_for_volume
from ..io.nifti import nifti_intent
from ._anatomy import attach_display
from ._labeltable import table_kwargs, watch_roles, with_role
from ._meta import with_kept, with_modality

__all__ = ["MAX_CHANNEL_LAYERS", "case_layers", "get_reader", "read_paths", "volume_layer"]

#: A 4-D file with at most this many volumes opens as one layer per channel
#: (modalities); a longer 4th axis (time) opens as one 4-D layer.
MAX_CHANNEL_LAYERS = 8

ReaderFunction = Callable[[Any], list[LayerDataTuple]]


def get_reader(path: str | list[str]) -> ReaderFunction | None:
    """Return :func:`read_paths` if every path is one we read (NIfTI, Decathlon, NRRD, DICOM)."""
    from ._format_layers import is_other_format

    paths = [path] if isinstance(path, str) else list(path)
    if paths and all(
        is_nifti_path(p) or is_decathlon_path(p) or is_other_format(str(p)) for p in paths
    ):
        return read_paths
    return None


def read_paths(path: str | list[str], *, kind: Kind | None = None) -> list[LayerDataTuple]:
    """Layers for each path; ``kind`` forces ``"image"`` or ``"labels"`` for NIfTI/NRRD files.

    Called by napari's File > Open, the viewer it opens into gets the anatomical
    display (radiological orientation, edge letters, R/A/S readout) first.
    """
    from ._format_layers import format_layers, is_other_format, one_file_per_series

    attach_display(current_viewer())
    paths = one_file_per_series([path] if isinstance(path, str) else list(path))
    layers: list[LayerDataTuple] = []
    for p in paths:
        if is_decathlon_path(p):
            task = load_decathlon(p)
            if not task.training:
                raise ValueError(f"{task.root}: the task lists no training case")
            loaded = task.load_case(task.training[0])
            layers += case_layers(loaded, task.root, task.labels, task.modalities)
        elif is_other_format(str(p)):
            layers += format_layers(str(p), kind=kind)
        else:
            layers += volume_layer(load_nifti(p), Path(p), kind=kind)
    return layers


def _base_kwargs(vol: Volume, path: Path, ndim: int) -> dict[str, Any]:
    kw = vol.geometry.layer_kwargs(ndim=ndim)
    kw["metadata"] = with_kept(kw["metadata"], source=str(path))
    return kw


def _label_kwargs(
    kw: dict[str, Any], table: LabelTable | None, *, ground_truth: bool = False
) -> dict[str, Any]:
    """Names and colours from the table; ground truth drawn as an outline."""
    kw = {**kw, "opacity": 0.5}
    if ground_truth:
        watch_roles()  # the viewer opening the file outlines its ground truth once added
        kw = with_role(kw, "ground truth")
    return table_kwargs(table, kw)


def _image_kwargs(kw: dict[str, Any], data: np.ndarray, modality: str | None) -> dict[str, Any]:
    """CT opens in the soft-tissue window (W 400 / L 40), not the full -1024..3000 range."""
    if looks_like_ct(data, modality=modality):
        kw = {**kw, "contrast_limits": window_limits(*CT_WINDOWS["soft tissue"])}
        kw["metadata"] = with_modality(kw["metadata"], "CT")
    return {"colormap": "gray", **kw}


def volume_layer(vol: Volume, path: Path, *, kind: Kind | None = None) -> list[LayerDataTuple]:
    """One layer (or one per channel of a 4-D image) for a NIfTI volume."""
    kind = kind or guess_kind(path, vol.data, intent=nifti_intent(vol.geometry))
    name = nifti_stem(path)
    if kind == "labels":
        data = as_labels(vol.data, path)
        truth = any(p.lower() in ("labelstr", "labelsts") for p in path.parts[:-1])
        kw = _label_kwargs(_base_kwargs(vol, path, 3), table_for_volume(path), ground_truth=truth)
        return [(data, {**kw, "name": name}, "labels")]
    if vol.data.ndim == 4 and vol.data.shape[0] > MAX_CHANNEL_LAYERS:
        # a time series (fMRI, 4-D perfusion): one layer with a slider, not hundreds of layers
        return [(vol.data, {**_base_kwargs(vol, path, 4), "name": name}, "image")]
    if vol.data.ndim == 4:
        return [
            (
                vol.data[c],
                {**_image_kwargs(_base_kwargs(vol, path, 3), vol.data[c], None),
                 "name": f"{name} [{c}]"},
                "image",
            )
            for c in range(vol.data.shape[0])
        ]  # fmt: skip
    kw = _image_kwargs(_base_kwargs(vol, path, 3), vol.data, None)
    return [(vol.data, {**kw, "name": name}, "image")]


def case_layers(
    loaded: LoadedCase, root: Path, label_names: dict[int, str], modalities: dict[int, str]
) -> list[LayerDataTuple]:
    """Image layers (one per modality) and the ground truth of a Decathlon case."""
    case = loaded.case
    tag = {"decathlon": {"root": str(root), "case": case.name}}
    layers: list[LayerDataTuple] = []
    for i, vol in enumerate(loaded.channels):
        kw = _base_kwargs(vol, case.image, 3)
        kw["metadata"] = with_kept(kw["metadata"], **tag)
        kw = _image_kwargs(kw, vol.data, modalities[i])
        layers.append((vol.data, {**kw, "name": f"{case.name} {modalities[i]}"}, "image"))
    if loaded.label is not None:
        kw = _base_kwargs(loaded.label, case.label, 3)
        kw["metadata"] = with_kept(kw["metadata"], **tag)
        table = table_for_volume(case.label)
        if table is None and label_names:
            table = LabelTable.from_names(label_names, source_format="dataset.json")
        kw = _label_kwargs(kw, table, ground_truth=True)
        layers.append((loaded.label.data, {**kw, "name": f"{case.name} ground truth"}, "labels"))
    return layers
