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


@pytest.mark.parametrize(("low", "ct"), [(-1024, True), (-3024, True), (-2048, True),
                                          (-5000, False), (-500, False)])  # fmt: skip
def test_ct_padding_outside_the_field_of_view_still_reads_as_ct(low, ct):
    from napari_seg.io.kinds import looks_like_ct

    data = np.full((4, 8, 8), 40, np.int16)
    data[0, 0, 0], data[1, 1, 1] = low, 1200
    assert looks_like_ct(data) is ct
