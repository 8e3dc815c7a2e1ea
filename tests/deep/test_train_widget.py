"""The Train widget runs a short training in a real viewer; its plot updates."""

from __future__ import annotations

import pytest

from napari_seg.data.synthetic_task import make_synthetic_task

pytestmark = pytest.mark.viewer


def _wait(qtbot, widget, timeout=120_000):
    worker = widget.runner.worker
    qtbot.waitUntil(lambda: not worker.is_running and widget.run_button.enabled, timeout=timeout)


@pytest.mark.slow
def test_train_widget_plot_updates_and_offers_checkpoint(make_napari_viewer, qtbot, tmp_path):
    pytest.importorskip("napari")
    task = make_synthetic_task(
        tmp_path / "Task99", cases=4, test_cases=0, shape=(24, 48, 48), spacing=(5.0, 3.2, 3.2)
    )
    viewer = make_napari_viewer()
    _, unet = viewer.window.add_plugin_dock_widget("napari-seg", "U-Net")
    _, widget = viewer.window.add_plugin_dock_widget("napari-seg", "Train")
    widget.task.value = task
    widget.out.value = tmp_path / "run"
    widget.epochs.value = 2
    widget.lr.value = 0.01
    widget.device.value = "cpu"
    widget.roi.value = "16, 32, 32"
    widget.spacing.value = "5, 3.2, 3.2"
    assert widget.figure is None  # matplotlib loads with the first training, not with the dock
    widget.run()
    _wait(qtbot, widget)
    assert "failed" not in widget.status.value, widget.status.value
    lines = widget.axes[0].get_lines()
    assert len(lines) == 1 and len(lines[0].get_xdata()) == 2
    assert str(unet.checkpoint.value).endswith("best.safetensors")
    assert "best checkpoint" in widget.status.value  # not overwritten by "done"
    from matplotlib.colors import to_hex
    from napari.utils.theme import get_theme

    assert to_hex(widget.figure.get_facecolor()) == get_theme(viewer.theme).background.as_hex()

    widget.compare.value = True
    assert widget.epochs.native.isHidden() and not widget.seeds.native.isHidden()
    widget.models.value = "unet,axialunet"
    widget.arm.value = "steps"
    widget.budget.value = 2
    widget.seeds.value = "0,1"
    widget.out.value = tmp_path / "cmp"
    widget.run()
    _wait(qtbot, widget)
    assert "failed" not in widget.status.value, widget.status.value
    assert "no difference shown between axialunet and unet" in widget.status.value
    _, mean, low, high = widget.bands.bands("axialunet", "val_dice")
    assert len(mean) == 8 and (low <= mean).all() and (mean <= high).all()
    assert len(widget.bands.axes[1].get_lines()) == 2  # one mean line per model
    assert (
        "no difference shown" in widget.report.native.toPlainText()
        and not widget.report.native.isHidden()
    )
    assert (tmp_path / "cmp" / "compare_steps.png").exists()
    assert str(unet.checkpoint.value).endswith("final.safetensors")  # offered to the U-Net dock


def test_compare_mode_refuses_a_bad_seed_list(make_napari_viewer, tmp_path):
    task = make_synthetic_task(
        tmp_path / "Task99", cases=2, test_cases=0, shape=(8, 16, 16), spacing=(5.0, 3.2, 3.2)
    )
    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget("napari-seg", "Train")
    widget.task.value, widget.out.value = task, tmp_path / "o"
    widget.compare.value = True
    widget.seeds.value = "0,x"
    widget.run()
    assert "seeds" in widget.status.value and widget.runner.worker is None
