"""Reading and writing volumes (NIfTI, Decathlon tasks). No napari imports."""

from .errors import DecathlonError, NiftiError
from .geometry import METADATA_KEY, Geometry, GeometryError
from .nifti import Volume, is_nifti_path, load_nifti, save_nifti

__all__ = [
    "METADATA_KEY",
    "DecathlonError",
    "Geometry",
    "GeometryError",
    "NiftiError",
    "Volume",
    "is_nifti_path",
    "load_nifti",
    "save_nifti",
]
