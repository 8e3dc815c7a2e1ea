"""``napari-seg snapshot``: a report picture and a turntable, rendered by napari under Xvfb."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg.cli import main  # noqa: E402
from napari_seg.io import Geometry, save_nifti  # noqa: E402
from tests._geometry import LPS  # noqa: E402

pytestmark = pytest.mark.viewer


@pytest.fixture
def files(tmp_path):
    lab = np.zeros((16, 40, 44), np.uint8)
    lab[4:12, 8:30, 10:34] = 1
    image = np.where(lab > 0, 80, -50).astype(np.int16) + np.arange(44, dtype=np.int16)
    save_nifti(image, Geometry(LPS), tmp_path / "ct.nii.gz")
    save_nifti(lab, Geometry(LPS), tmp_path / "seg.nii.gz")
    return tmp_path / "ct.nii.gz", tmp_path / "seg.nii.gz"


def test_snapshot_and_turntable(files, tmp_path, capsys, qapp):
    iio = pytest.importorskip("imageio.v3")
    ct, seg = files
    png, gif = tmp_path / "report.png", tmp_path / "turn.gif"
    argv = ["snapshot", str(ct), str(seg), "-o", str(png), "--turntable", str(gif),
            "--frames", "6", "--size", "600", "400"]  # fmt: skip
    assert main(argv) == 0
    picture = iio.imread(png)
    assert picture.shape == (400 + 200, 600, 3)
    top, row = picture[:400], picture[400:]
    assert top.std() > 5  # something was drawn in 3-D
    for panel in np.array_split(row, 3, axis=1):  # axial, coronal, sagittal
        assert panel.std() > 5
    # the label outline (a colour on a grey CT) is in every slice view
    for panel in np.array_split(row.astype(int), 3, axis=1):
        assert (np.abs(panel[..., 0] - panel[..., 1]) > 30).sum() > 20
    frames = iio.imread(gif)
    assert frames.shape[0] == 6
    assert np.abs(frames[3].astype(int) - frames[0].astype(int)).mean() > 1  # it turns


def test_snapshot_without_a_display_is_one_line(files, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    ct, seg = files
    assert main(["snapshot", str(ct), str(seg), "-o", str(tmp_path / "x.png")]) == 2
    assert "xvfb-run" in capsys.readouterr().err
