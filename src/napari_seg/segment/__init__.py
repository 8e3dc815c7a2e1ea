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
from .threshold import CT_PRESETS, histogram, threshold, threshold_value
from .threshold import METHODS as THRESHOLD_METHODS
from .watershed import distance_mm, markers_from_points, seeded_watershed, split_touching

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


def __getattr__(name: str):
    """``METHODS``: the old name of :data:`THRESHOLD_METHODS` (the method registry is
    :data:`napari_seg.segment.methods.METHODS`)."""
    if name == "METHODS":
        import warnings

        warnings.warn(
            "napari_seg.segment.METHODS is renamed THRESHOLD_METHODS (the registry of every "
            "method is napari_seg.segment.methods.METHODS)",
            DeprecationWarning,
            stacklevel=2,
        )
        return THRESHOLD_METHODS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
