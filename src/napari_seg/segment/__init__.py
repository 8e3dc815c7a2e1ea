"""Classical segmentation: thresholds, components and clean-up (numpy in, numpy out)."""

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
from .threshold import CT_PRESETS, METHODS, histogram, threshold, threshold_value
from .watershed import (
    distance_mm,
    grow_markers,
    markers_from_points,
    seeded_watershed,
    split_touching,
)

__all__ = [
    "CT_PRESETS",
    "METHODS",
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
