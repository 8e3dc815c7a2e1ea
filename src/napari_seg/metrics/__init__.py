"""Segmentation metrics on label volumes (numpy only; no torch, no napari)."""

from .errors import ERROR_NAMES, error_map, worst_component, worst_slice
from .evaluate import align_to, evaluate, jsonable, table_rows, to_csv
from .groups import group_names, merge_groups, parse_groups
from .instances import instance_metrics
from .live import SliceConfusion
from .overlap import MetricsError, confusion_matrix, overlap_metrics, scores_from_confusion
from .surface import surface_distances, surface_metrics, surface_voxels

__all__ = [
    "ERROR_NAMES",
    "MetricsError",
    "SliceConfusion",
    "align_to",
    "confusion_matrix",
    "error_map",
    "evaluate",
    "group_names",
    "instance_metrics",
    "jsonable",
    "merge_groups",
    "overlap_metrics",
    "parse_groups",
    "scores_from_confusion",
    "surface_distances",
    "surface_metrics",
    "surface_voxels",
    "table_rows",
    "to_csv",
    "worst_component",
    "worst_slice",
]
