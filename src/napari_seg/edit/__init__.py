"""Label editing for interactive correction (numpy in, numpy out; no napari).

Every function takes labels in napari order ``(z, y, x)`` and ``spacing`` in mm, or
:class:`~napari_seg.volume.Volume` arguments (spacing from their geometry in mm, all
checked onto one grid, the result a Volume on it), and returns a new array (never
editing its input); long ones take
``progress``/``should_stop``. The napari adapter writes the result back as one
undo step, honouring ``preserve_labels`` and locked labels (:func:`protect`).
"""

from .interpolate import interpolate_slices, signed_distance_mm
from .objects import (
    check_label_value,
    combine,
    delete_object,
    keep_island,
    label_at,
    margin,
    merge_labels,
    object_mask,
    relabel_object,
    remove_islands,
    smooth_label,
    split_object,
)
from .protect import protect
from .region import grow_region
from .seeds import SeedGrower, grow_from_seeds

__all__ = [
    "SeedGrower",
    "check_label_value",
    "combine",
    "delete_object",
    "grow_from_seeds",
    "grow_region",
    "interpolate_slices",
    "keep_island",
    "label_at",
    "margin",
    "merge_labels",
    "object_mask",
    "protect",
    "relabel_object",
    "remove_islands",
    "signed_distance_mm",
    "smooth_label",
    "split_object",
]
