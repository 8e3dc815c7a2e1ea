"""U-Net from the command line and in a real viewer."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seg.cli import main
from napari_seg.io import Geometry, load_nifti, save_nifti
from napari_seg.metrics import overlap_metrics
from tests._geometry import ORIENTATIONS
from tests._napari._widgets import run_widget, wait_for_worker


def test_cli_unet_writes_geometry_preserving_nifti(tiny_checkpoint, tmp_path, capsys):
    path, ct, _ = tiny_checkpoint
    geo = Geometry(ORIENTATIONS[5] @ np.diag([5.0, 1.6, 1.6, 1.0]))  # a flipped, permuted grid
    image = save_nifti(ct.image, geo, tmp_path / "ct.nii.gz", kind="image")
    out = tmp_path / "unet.nii.gz"
    assert (
        main(
            [
                "segment",
                str(image),
                "-o",
                str(out),
                "--method",
                "unet",
                "--checkpoint",
                str(path),
                "--device",
                "cpu",
                "--overlap",
                "0.25",
                "--quiet",
            ]
        )
        == 0
    )
    vol = load_nifti(out)
    assert vol.data.shape == ct.image.shape
    assert np.max(np.abs(vol.geometry.affine - geo.affine)) < 1e-5
    assert "unet ->" in capsys.readouterr().out


def test_cli_unet_needs_a_checkpoint(tmp_path, capsys):
    image = save_nifti(
        np.zeros((4, 4, 4), np.int16), Geometry(np.eye(4)), tmp_path / "i.nii.gz", kind="image"
    )
    assert main(["segment", str(image), "-o", str(tmp_path / "o.nii.gz"), "--method", "unet"]) == 2
    assert "--checkpoint" in capsys.readouterr().err


@pytest.mark.viewer
def test_unet_widget_adds_labels_on_the_image(tiny_checkpoint, make_napari_viewer, qtbot):
    pytest.importorskip("napari")
    path, ct, geo = tiny_checkpoint
    viewer = make_napari_viewer()
    viewer.add_image(ct.image, name="ct", **geo.layer_kwargs())
    _, widget = viewer.window.add_plugin_dock_widget("napari-seg", "U-Net")
    widget.reset_choices()
    widget.image.value = viewer.layers["ct"]
    widget.checkpoint.value = path
    widget.device.value = "cpu"
    widget.probabilities.value = True
    run_widget(qtbot, widget, timeout=60_000)
    out = viewer.layers["unet ct"]
    np.testing.assert_allclose(out.scale, viewer.layers["ct"].scale)
    assert overlap_metrics(out.data, ct.spleen)["labels"]["1"]["dice"] > 0.7
    assert "unet ct probabilities" in viewer.layers


@pytest.mark.viewer
def test_finetune_on_a_correction_from_the_dock(
    tiny_checkpoint, make_napari_viewer, qtbot, tmp_path
):
    """Predict, paint a correction, fine-tune: a new checkpoint becomes the dock's choice."""
    import shutil

    pytest.importorskip("napari")
    src, ct, geo = tiny_checkpoint
    path = tmp_path / "spleen.safetensors"
    shutil.copy(src, path)
    parent = path.read_bytes()
    viewer = make_napari_viewer()
    viewer.add_image(ct.image, name="ct", **geo.layer_kwargs())
    _, widget = viewer.window.add_plugin_dock_widget("napari-seg", "U-Net")
    widget.reset_choices()
    widget.image.value = viewer.layers["ct"]
    widget.checkpoint.value = path
    widget.device.value = "cpu"
    run_widget(qtbot, widget, timeout=60_000)
    result = viewer.layers["unet ct"]
    result.data_setitem(np.nonzero(ct.spleen), 1)  # the user's correction
    panel = widget.finetune
    panel.reset_choices()
    assert panel.corrected.value is result  # the prediction is the default to fine-tune on
    panel.steps.value = 3
    panel.start()
    wait_for_worker(qtbot, panel, timeout=60_000)
    new = tmp_path / "spleen.ft1.safetensors"
    assert new.is_file() and path.read_bytes() == parent, panel.status.value
    assert str(widget.checkpoint.value) == str(new)  # Run now predicts with it
    assert [r["epoch"] for r in panel.plot.curves["fine-tune"]] == [1, 2, 3]
    saved = list((tmp_path / "corrections").glob("ct*.nii.gz"))
    assert len(saved) == 1 and "predict again" in panel.status.value
    corrected = np.asarray(result.data).copy()
    assert panel.rerun.native.isVisibleTo(widget.native)  # offered after a fine-tune
    widget.runner.worker = None  # the button must start a new run
    panel.rerun.clicked()
    wait_for_worker(qtbot, widget, timeout=60_000)
    assert np.array_equal(result.data, corrected)  # the correction is kept...
    assert "unet ct (2)" in viewer.layers  # ...and the new prediction sits beside it
    assert not panel.rerun.native.isVisibleTo(widget.native)


def test_cli_unet_to_slicer_segmentation_keeps_the_checkpoint_names(tiny_checkpoint, tmp_path):
    from napari_seg.deep.checkpoint import load_checkpoint
    from napari_seg.io.slicer_seg import load_seg_nrrd

    path, ct, _ = tiny_checkpoint
    image = save_nifti(ct.image, Geometry.from_spacing((5.0, 1.6, 1.6)), tmp_path / "ct.nii.gz")
    out = tmp_path / "unet.seg.nrrd"
    argv = ["segment", str(image), "-o", str(out), "--method", "unet", "--checkpoint", str(path)]
    assert main([*argv, "--device", "cpu", "--quiet"]) == 0
    names = {int(k): v for k, v in load_checkpoint(path)[1].labels.items() if int(k)}
    seg = load_seg_nrrd(out)
    assert seg.data.max() >= 1 and names
    assert {s.label: s.name for s in seg.segments} == {
        v: names[v] for v in np.unique(seg.data) if v
    }
