"""What napari-seg keeps in a layer's ``metadata``: one typed accessor per entry.

Every module of :mod:`napari_seg._napari` reads and writes these entries through
the functions here, never by key. ``metadata`` stays a plain dict, so a layer
data tuple, the writer and a saved session carry it. Each getter takes a napari
layer or the attributes dict of a layer data tuple (``{"metadata": ..., ...}``).

========================  ==================================  ==========================
entry                     getter / setter                     written by
========================  ==================================  ==========================
``napari_seg``            :func:`kept`, :func:`with_kept`     reader, sample, results
  ``affine``, header      (:func:`.._layers.layer_geometry`)  the file's placement
  ``source``              :func:`source_path`                 reader: the file read
  ``decathlon``           :func:`decathlon_case`              reader, Decathlon dock
  ``dicom``               :func:`dicom_source`                DICOM reader
``modality``              :func:`modality`, :func:`is_ct`     reader, sample (``"CT"``)
                          :func:`with_modality`
``label_names``           :func:`label_names`                 label tables, results
                          :func:`set_label_names`
``role``                  :func:`role`, :func:`with_role_key`  reader, sample, results
                          :func:`is_ground_truth`
========================  ==================================  ==========================

``napari_seg_surface`` (:func:`surface_of`) marks a Surface layer we built, written by
:mod:`._surface_layers`. The label table itself (``label_table``) is read and written
by :mod:`._labeltable` only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..io import METADATA_KEY

__all__ = [
    "GROUND_TRUTH",
    "METADATA_KEY",
    "ROLE_KEY",
    "SURFACE_KEY",
    "case_key",
    "decathlon_case",
    "dicom_source",
    "is_ct",
    "is_ground_truth",
    "kept",
    "label_names",
    "metadata_of",
    "modality",
    "role",
    "set_label_names",
    "source_path",
    "surface_of",
    "with_kept",
    "with_modality",
    "with_role_key",
]

#: ``metadata`` key naming a layer's role (``"ground truth"``, ``"result"``, ...).
ROLE_KEY = "role"
#: ``metadata`` key of a Surface layer we built (:mod:`._surface_layers`).
SURFACE_KEY = "napari_seg_surface"
#: The role of a reference segmentation (Evaluate scores against it).
GROUND_TRUTH = "ground truth"
_NAMES_KEY = "label_names"
_MODALITY_KEY = "modality"


def metadata_of(layer: Any) -> dict[str, Any]:
    """The metadata dict of a layer or of a layer data tuple's attributes ({} if none)."""
    meta = layer.get("metadata") if isinstance(layer, dict) else getattr(layer, "metadata", None)
    return meta if isinstance(meta, dict) else {}


def kept(layer: Any) -> dict[str, Any]:
    """napari-seg's own entry: the file's geometry, its source, its Decathlon case."""
    entry = metadata_of(layer).get(METADATA_KEY)
    return entry if isinstance(entry, dict) else {}


def source_path(layer: Any) -> str | None:
    """The file the layer was read from (None: made in the session, or another reader's)."""
    source = kept(layer).get("source")
    return str(source) if source else None


def decathlon_case(layer: Any) -> tuple[str, str] | None:
    """``(task root, case name)`` of a layer opened from a Decathlon task, else None."""
    tag = kept(layer).get("decathlon")
    if isinstance(tag, dict) and tag.get("root") and tag.get("case"):
        return str(tag["root"]), str(tag["case"])
    return None


def dicom_source(layer: Any) -> dict[str, Any] | None:
    """The DICOM series a layer was read from (UID and files), for writing a DICOM SEG."""
    source = kept(layer).get("dicom")
    return source if isinstance(source, dict) else None


def case_key(layer: Any) -> tuple[str, ...] | None:
    """What pairs layers of one case: the Decathlon case, else the source file's name.

    A Decathlon image and its label share the case; ``imagesTr/x.nii.gz`` and
    ``labelsTr/x.nii.gz`` share the file name; a result carries its source's entry.
    """
    case = decathlon_case(layer)
    if case is not None:
        return ("decathlon", *case)
    source = source_path(layer)
    return ("file", Path(source).name) if source else None


def with_kept(metadata: dict[str, Any], **entries: Any) -> dict[str, Any]:
    """A copy of ``metadata`` with napari-seg's entry updated (``source=``, ``decathlon=``,
    ``dicom=``); the caller's dicts are not changed."""
    return {**metadata, METADATA_KEY: {**metadata.get(METADATA_KEY, {}), **entries}}


def surface_of(layer: Any) -> dict[str, Any] | None:
    """A surface layer's own entry (``label``, ``name``, ``source`` layer name, ``mesh``),
    None for any other layer."""
    entry = metadata_of(layer).get(SURFACE_KEY)
    return entry if isinstance(entry, dict) else None


def modality(layer: Any) -> str:
    """The image's modality in capitals (``"CT"``, ``"MR"``), or "" when unknown."""
    return str(metadata_of(layer).get(_MODALITY_KEY) or "").upper()


def with_modality(metadata: dict[str, Any], value: str) -> dict[str, Any]:
    """A copy of ``metadata`` marked with the image's modality (``"CT"``: values in HU)."""
    return {**metadata, _MODALITY_KEY: value}


def is_ct(layer: Any) -> bool:
    """True for an image marked CT: its values are Hounsfield units."""
    return layer is not None and modality(layer) == "CT"


def label_names(layer: Any) -> dict[int, str]:
    """``{value: name}`` of a Labels layer (from its label table), {} when it has none."""
    names = metadata_of(layer).get(_NAMES_KEY) or {}
    try:
        return {int(k): str(v) for k, v in dict(names).items()}
    except (TypeError, ValueError):  # a foreign layer's odd entry: no names
        return {}


def set_label_names(metadata: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    """A copy of ``metadata`` with the label names set."""
    return {**metadata, _NAMES_KEY: {int(k): str(v) for k, v in names.items()}}


def role(layer: Any) -> str | None:
    """The role the reader or a dock marked (``"ground truth"``, ...), or None."""
    value = metadata_of(layer).get(ROLE_KEY)
    return str(value) if value else None


def with_role_key(metadata: dict[str, Any], value: str) -> dict[str, Any]:
    """A copy of ``metadata`` marked with role ``value`` (styling: ``_labeltable.with_role``)."""
    return {**metadata, ROLE_KEY: value}


def is_ground_truth(layer: Any) -> bool:
    """A reference segmentation: marked so by the reader or the sample.

    A layer with no role (from another plugin, or made in a script) counts when
    its name ends in "ground truth", the only hint it carries.
    """
    marked = role(layer)
    if marked is not None:
        return marked == GROUND_TRUTH
    return str(getattr(layer, "name", "")).endswith(GROUND_TRUTH)
