"""Classical segmentation: thresholds, components and clean-up (numpy in, numpy out)."""

import warnings
from typing import Any

from ._validate import EmptyInputWarning, SegmentationError
from .components import (
    binary_closing,
    binary_opening,
    connected_components,
    fill_holes,
    keep_largest,
    remove_small,
)
from .edges import canny
from .kmeans import kmeans
from .pipeline import Cleanup, cleanup
from .smoothing import gaussian_mm, gradient_mm
from .threshold import CT_PRESETS, THRESHOLD_METHODS, histogram, threshold, threshold_value
from .watershed import (
    distance_mm,
    grow_markers,
    markers_from_points,
    seeded_watershed,
    split_touching,
)

__all__ = [
    "CT_PRESETS",
    "THRESHOLD_METHODS",
    "Cleanup",
    "EmptyInputWarning",
    "SegmentationError",
    "binary_closing",
    "binary_opening",
    "canny",
    "cleanup",
    "connected_components",
    "distance_mm",
    "fill_holes",
    "gaussian_mm",
    "gradient_mm",
    "grow_markers",
    "histogram",
    "keep_largest",
    "kmeans",
    "markers_from_points",
    "remove_small",
    "seeded_watershed",
    "split_touching",
    "threshold",
    "threshold_value",
]


def __getattr__(name: str) -> Any:
    """``METHODS``: the old name of :data:`THRESHOLD_METHODS` (a DeprecationWarning).

    It was easy to mistake for :data:`napari_seg.segment.methods.METHODS`, the registry
    of every method with its options.
    """
    if name == "METHODS":
        warnings.warn(
            "napari_seg.segment.METHODS is deprecated: use THRESHOLD_METHODS for the "
            "threshold names, or napari_seg.segment.methods.METHODS for every method",
            DeprecationWarning,
            stacklevel=2,
        )
        return THRESHOLD_METHODS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
