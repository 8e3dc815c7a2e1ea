"""3-D inspection: label surfaces as meshes, per-label measurements, mesh files.

Plain numpy in and out, no napari: the Surfaces and Statistics docks and the
``napari-seg surfaces`` / ``stats`` commands call these functions.
"""

from .export import MESH_FORMATS, mesh_file_name, write_mesh, write_meshes
from .stats import STAT_COLUMNS, SUMMARY_COLUMNS, label_statistics
from .surfaces import SURFACE_PARAMS, Mesh, label_boxes, label_surfaces

__all__ = [
    "MESH_FORMATS",
    "STAT_COLUMNS",
    "SUMMARY_COLUMNS",
    "SURFACE_PARAMS",
    "Mesh",
    "label_boxes",
    "label_statistics",
    "label_surfaces",
    "mesh_file_name",
    "write_mesh",
    "write_meshes",
]
