"""What segment-batch reads: a folder, a Decathlon task, a text file of paths."""

from __future__ import annotations

import json

import numpy as np
import pytest

from napari_seg.batch import batch_inputs
from napari_seg.io import Geometry, save_nifti


def _vol(path):
    save_nifti(np.zeros((4, 5, 6), np.int16), Geometry(np.eye(4)), path)
    return path


def test_folder_task_and_list(tmp_path):
    folder = tmp_path / "vols"
    folder.mkdir()
    a, b = _vol(folder / "b.nii.gz"), _vol(folder / "a.nii")
    (folder / "._a.nii.gz").write_bytes(b"junk")  # macOS resource file: skipped
    (folder / "notes.txt").write_text("x")
    assert batch_inputs(folder) == [("a", b), ("b", a)]
    task = tmp_path / "Task01"
    for sub in ("imagesTr", "labelsTr", "imagesTs"):
        (task / sub).mkdir(parents=True)
    _vol(task / "imagesTs" / "t1.nii.gz")
    _vol(task / "imagesTr" / "c1.nii.gz")
    _vol(task / "labelsTr" / "c1.nii.gz")
    meta = {
        "name": "T",
        "modality": {"0": "CT"},
        "labels": {"0": "bg", "1": "x"},
        "training": [{"image": "./imagesTr/c1.nii.gz", "label": "./labelsTr/c1.nii.gz"}],
    }
    (task / "dataset.json").write_text(json.dumps(meta))
    assert [n for n, _ in batch_inputs(task)] == ["t1"]
    assert [n for n, _ in batch_inputs(task, split="train")] == ["c1"]
    listing = tmp_path / "cases.txt"
    listing.write_text("# my cases\nvols/a.nii\n\n" + str(a) + "  # absolute\n")
    assert batch_inputs(listing) == [("a", b), ("b", a)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("missing.nii.gz\n", "no such file"),
        ("a.nii\nsub/a.nii.gz\n", "appear twice"),
        ("", "nothing"),
    ],
)
def test_bad_inputs(tmp_path, content, message):
    _vol(tmp_path / "a.nii")
    (tmp_path / "sub").mkdir()
    _vol(tmp_path / "sub" / "a.nii.gz")
    listing = tmp_path / "cases.txt"
    listing.write_text(content)
    with pytest.raises(ValueError, match=message):
        batch_inputs(listing)
    with pytest.raises(ValueError, match="not a folder"):
        batch_inputs(tmp_path / "nope")
