"""Segmentation metrics on label volumes (numpy only; no torch, no napari)."""

from .overlap import MetricsError, confusion_matrix, overlap_metrics, scores_from_confusion

__all__ = ["MetricsError", "confusion_matrix", "overlap_metrics", "scores_from_confusion"]
