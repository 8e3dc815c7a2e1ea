"""Reading and writing volumes (NIfTI, Decathlon tasks). No napari imports."""

from .decathlon import (
    DecathlonCase,
    DecathlonTask,
    LoadedCase,
    is_decathlon_path,
    load_decathlon,
)
from .errors import DecathlonError, NiftiError
from .geometry import METADATA_KEY, Geometry, GeometryError
from .nifti import Volume, is_nifti_path, load_nifti, nifti_stem, save_nifti

__all__ = [
    "METADATA_KEY",
    "DecathlonCase",
    "DecathlonError",
    "DecathlonTask",
    "Geometry",
    "GeometryError",
    "LoadedCase",
    "NiftiError",
    "Volume",
    "is_decathlon_path",
    "is_nifti_path",
    "load_decathlon",
    "load_nifti",
    "nifti_stem",
    "save_nifti",
]
