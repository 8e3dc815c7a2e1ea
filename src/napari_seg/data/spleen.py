"""The spleen the sample data, the demo and MONAI's spleen model are about.

Kept here, beside the sample, instead of as defaults of the core's classes: a
:class:`~napari_seg.deep.checkpoint.CheckpointMeta` built without arguments describes a
generic network, not a spleen one. No torch.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SPLEEN_LABELS", "spleen_unet"]

#: Label names of the sample's and MONAI's spleen segmentation.
SPLEEN_LABELS: dict[str, str] = {"0": "background", "1": "spleen"}


def spleen_unet() -> dict[str, Any]:
    """Checkpoint metadata of MONAI's spleen tutorial U-Net (``spleen_ct_segmentation``).

    Channels 16..256 (the ``standard`` preset), soft-tissue window -57..164 HU, 2 x 1.5 x
    1.5 mm (napari order), RAS, 96³ windows. A plain state dict (``model.pt``) that carries
    no metadata is read with these values; its ``<file>.json`` sidecar overrides them key
    by key. A new dict each call (the caller may change it).
    """
    return {
        "network": "unet",
        "config": "standard",
        "labels": dict(SPLEEN_LABELS),
        "intensity_window": (-57.0, 164.0),
        "target_spacing": (2.0, 1.5, 1.5),
        "orientation": "RAS",
        "roi_size": (96, 96, 96),
    }
