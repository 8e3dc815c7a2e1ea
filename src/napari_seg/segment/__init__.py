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
from .threshold import CT_PRESETS, METHODS, histogram, threshold, threshold_value

__all__ = [
    "CT_PRESETS",
    "METHODS",
    "EmptyInputWarning",
    "SegmentationError",
    "binary_closing",
    "binary_opening",
    "connected_components",
    "fill_holes",
    "histogram",
    "keep_largest",
    "remove_small",
    "threshold",
    "threshold_value",
]
