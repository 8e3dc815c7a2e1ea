"""Segmentation metrics on label volumes (numpy only; no torch, no napari)."""

from .evaluate import align_to, evaluate, jsonable, table_rows, to_csv
from .instances import instance_metrics
from .live import SliceConfusion
from .overlap import MetricsError, confusion_matrix, overlap_metrics, scores_from_confusion
from .surface import surface_distances, surface_metrics, surface_voxels

__all__ = [
    "MetricsError",
    "SliceConfusion",
    "align_to",
    "confusion_matrix",
    "evaluate",
    "instance_metrics",
    "jsonable",
    "overlap_metrics",
    "scores_from_confusion",
    "surface_distances",
    "surface_metrics",
    "surface_voxels",
    "table_rows",
    "to_csv",
]
