"""Reading and writing volumes (NIfTI, NRRD, Slicer .seg.nrrd, DICOM, Decathlon tasks).

No napari imports. :func:`read` is the public reader (named Volumes, as File > Open
shows them); :func:`load_volume` / :func:`save_volume` read and write one file.
"""

from .decathlon import (
    DecathlonCase,
    DecathlonTask,
    LoadedCase,
    is_decathlon_path,
    load_decathlon,
)
from .errors import DecathlonError, DicomError, NiftiError, NrrdError
from .formats import Loaded, is_volume_path, load_volume, save_volume, volume_stem
from .geometry import METADATA_KEY, Geometry, GeometryError
from .nifti import Volume, is_nifti_path, load_nifti, nifti_stem, save_nifti
from .reading import Item, read

__all__ = [
    "METADATA_KEY",
    "DecathlonCase",
    "DecathlonError",
    "DecathlonTask",
    "DicomError",
    "Geometry",
    "GeometryError",
    "Item",
    "Loaded",
    "LoadedCase",
    "NiftiError",
    "NrrdError",
    "Volume",
    "is_decathlon_path",
    "is_nifti_path",
    "is_volume_path",
    "load_decathlon",
    "load_nifti",
    "load_volume",
    "nifti_stem",
    "read",
    "save_nifti",
    "save_volume",
    "volume_stem",
]
