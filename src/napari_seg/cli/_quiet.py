"""Warnings as one-line notes on the terminal (no source lines), unless ``--debug``."""

from __future__ import annotations

import logging
import sys
import warnings

__all__ = ["one_line_warnings"]

#: Library messages about optional parts we do not use (MONAI's GPU DICOM decoder).
_IRRELEVANT = ("NvImgCodecPydicomReader", "nvImageCodec")


def _show(message, category, filename, lineno, file=None, line=None) -> None:
    text = (str(message).strip().splitlines() or [""])[0]
    if any(word in text for word in _IRRELEVANT):
        return
    print(f"napari-seg: note: {text}", file=file or sys.stderr)


def one_line_warnings() -> None:
    """Print each warning once as ``napari-seg: note: <first line>``; hush MONAI's DICOM plugin."""
    warnings.showwarning = _show
    warnings.simplefilter("once")  # one note per message, not one per call site
    for category in (DeprecationWarning, PendingDeprecationWarning):  # libraries' plans, not
        warnings.filterwarnings("ignore", category=category)  # the user's (napari's pydantic)
        warnings.filterwarnings("once", category=category, module="napari_seg")
    logging.getLogger("monai.data.nvimgcodec_pydicom_plugin").setLevel(logging.ERROR)
