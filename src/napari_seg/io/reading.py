"""One public reader: a path in, named Volumes out, as napari's File > Open would show them.

The napari reader (``napari_seg._napari._reader``) turns the same files into layers;
scripts call :func:`read` and get plain :class:`~napari_seg.volume.Volume` values with
the names and kinds the layers would have, without napari.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from ..volume import Volume
from .decathlon import is_decathlon_path, load_decathlon
from .formats import holds_segments, load_volume, volume_stem
from .kinds import Kind, as_labels, guess_kind
from .labeltable import LabelTable, table_for_volume
from .nifti import is_nifti_path, nifti_intent

__all__ = ["Item", "read"]


class Item(NamedTuple):
    """One volume read from a path.

    Attributes
    ----------
    name : str
        What the napari reader names the layer (``"spleen_2 CT"``, ``"ct_seg"``).
    kind : {"image", "labels"}
        Image intensities or integer labels (guessed as File > Open guesses, or forced).
    volume : Volume
        ``(Z, Y, X)`` (or ``(C, Z, Y, X)`` for a multi-channel file) and its geometry.
    label_names : dict of int to str
        Names of the label values (a sidecar table, the file's segments or
        ``dataset.json``); empty for an image or when none are known.
    path : pathlib.Path
        The file it came from.
    """

    name: str
    kind: Kind
    volume: Volume
    label_names: dict[int, str]
    path: Path


def read(
    path: str | os.PathLike[str],
    *,
    kind: Kind | None = None,
    case: str | None = None,
    series: str | int | None = None,
) -> list[Item]:
    """Read a volume file, DICOM series or Decathlon task into named Volumes.

    Parameters
    ----------
    path : path-like
        NIfTI, NRRD, ``.seg.nrrd``, DICOM file/folder/DICOM SEG, or a Decathlon task
        folder or its ``dataset.json``.
    kind : {"image", "labels"}, optional
        Force the kind of a single volume file (the reader's guess otherwise).
    case : str, optional
        The Decathlon case to read (default: the first training case).
    series : str or int, optional
        The DICOM series of a folder holding several (UID or index).

    Returns
    -------
    list of Item
        One item per volume: a Decathlon case gives one image per modality
        (``"<case> <modality>"``) and its ground truth (``"<case> ground truth"``).

    Raises
    ------
    NiftiError, NrrdError, DicomError, DecathlonError
        One line naming the file and the reason.
    """
    p = Path(path)
    if is_decathlon_path(p):
        return _case_items(p, case)
    loaded = load_volume(p, series=series)
    intent = nifti_intent(loaded.geometry) if is_nifti_path(p) else 0
    kind = kind or ("labels" if holds_segments(p) else guess_kind(p, loaded.data, intent=intent))
    if kind != "labels":
        return [Item(volume_stem(p), "image", Volume(loaded.data, loaded.geometry), {}, p)]
    if loaded.segments:
        names = {int(k): str(v.get("name", k)) for k, v in loaded.segments.items()}
    else:
        names = _names(table_for_volume(p))
    data = as_labels(loaded.data, p)
    return [Item(volume_stem(p), "labels", Volume(data, loaded.geometry), names, p)]


def _names(table: LabelTable | None) -> dict[int, str]:
    return dict(table.names) if table is not None else {}


def _case_items(root: Path, case: str | None) -> list[Item]:
    task = load_decathlon(root)
    if not task.training:
        raise ValueError(f"{task.root}: the task lists no training case")
    loaded = task.load_case(case if case is not None else task.training[0])
    c = loaded.case
    items = [
        Item(f"{c.name} {task.modalities[i]}", "image", vol, {}, c.image)
        for i, vol in enumerate(loaded.channels)
    ]
    if loaded.label is not None:
        names = _names(table_for_volume(c.label)) or dict(task.labels)
        label = Volume(as_labels(loaded.label.data, c.label), loaded.label.geometry)
        items.append(Item(f"{c.name} ground truth", "labels", label, names, c.label))
    return items
