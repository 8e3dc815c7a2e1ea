from __future__ import annotations

import numpy as np
import pytest

from napari_seg.io.kinds import guess_kind

IMAGE = np.random.default_rng(0).integers(-1000, 1000, (8, 8, 8)).astype(np.int16)
FEW = np.random.default_rng(0).integers(0, 3, (8, 8, 8)).astype(np.uint8)


@pytest.mark.parametrize(
    ("path", "data", "kind"),
    [
        ("Task09/labelsTr/spleen_2.nii.gz", IMAGE, "labels"),
        ("Task09/imagesTr/spleen_2.nii.gz", IMAGE, "image"),
        ("case_seg.nii.gz", IMAGE, "labels"),
        ("case-label.nii", IMAGE, "labels"),
        ("liver_labels.nii.gz", IMAGE, "labels"),
        ("brain_mask.nii.gz", IMAGE, "labels"),
        ("segmentation_notes.nii.gz", FEW, "labels"),  # by values
        ("masked_brain.nii.gz", IMAGE, "image"),
        ("ct.nii.gz", FEW, "labels"),
        ("ct.nii.gz", FEW.astype(np.float32), "image"),
        ("ct.nii.gz", (FEW.astype(np.int16) - 1), "image"),  # negative values
        (None, FEW, "labels"),
    ],
)
def test_guess_kind(path, data, kind):
    assert guess_kind(path, data) == kind
