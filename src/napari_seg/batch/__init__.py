"""Batch segmentation of many volumes on dask.distributed (a local cluster or an existing one).

``segment_many`` is what ``napari-seg segment-batch`` runs; every registry method and
the U-Net work, with the same parameter names as ``napari-seg segment``.
"""

from .case import segment_case
from .inputs import batch_inputs
from .run import BatchResult, segment_many

__all__ = ["BatchResult", "batch_inputs", "segment_case", "segment_many"]
