"""napari-seg: volumetric segmentation for napari (NIfTI, Decathlon, classical and deep).

Public names are imported on first use (``import napari_seg`` stays cheap)::

    import napari_seg
    items = napari_seg.read("spleen_2.nii.gz")          # [Item(name, kind, volume, ...)]
    labels = napari_seg.run_method("otsu", items[0].volume)

Subpackages: :mod:`napari_seg.io`, :mod:`napari_seg.segment`, :mod:`napari_seg.edit`,
:mod:`napari_seg.metrics`, :mod:`napari_seg.inspect`, :mod:`napari_seg.deep` (torch only
when one of its functions is used).
"""

from importlib.metadata import PackageNotFoundError, version

from ._lazy import attach

try:
    __version__ = version("napari-seg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__getattr__, __dir__, _exports = attach(
    __name__,
    {
        "Geometry": ("io.geometry", "Geometry"),
        "GeometryError": ("io.geometry", "GeometryError"),
        "Volume": ("volume", "Volume"),
        "check_same_grid": ("volume", "check_same_grid"),
        "evaluate": ("metrics.evaluate", "evaluate"),
        "read": ("io.reading", "read"),
        "run_method": ("segment.methods", "run_method"),
        "save_volume": ("io.formats", "save_volume"),
    },
)
__all__ = ["__version__", *_exports]
