"""The docks' controls come from the operation registry: the CLI's limits, units and defaults."""

from __future__ import annotations

import pytest

napari = pytest.importorskip("napari")

from napari_seg import ops  # noqa: E402

PLUGIN = "napari-seg"


def _matches(control, param) -> None:
    assert control.max == min(param.high, 2**31 - 1) and control.min == param.low
    assert control.value == param.default
    assert param.flag in control.tooltip and param.help.rstrip(".") in control.tooltip


def test_train_dock_limits_are_the_cli_limits(make_napari_viewer):
    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Train")
    train = ops.get("train")
    _matches(widget.epochs, train.param("epochs"))  # 100,000 in both (was 10,000 in the dock)
    _matches(widget.lr, train.param("lr"))
    for control, name in ((widget.roi, "roi_size"), (widget.spacing, "spacing")):
        param = train.param(name)  # three boxes, each with the CLI's range (was free text)
        assert control.value == tuple(param.default)
        for box in control.boxes:
            assert (box.min, box.max) == (param.low, min(param.high, 2**31 - 1))
        assert param.flag in control.tooltip
    widget.roi.value = "16, 32, 32"  # as typed into the old text field
    assert widget.roi.value == (16, 32, 32)
    with pytest.raises(ValueError, match="expected 3 values"):
        widget.spacing.value = (1.0, 2.0)


def test_unet_dock_controls_are_the_unet_operation(make_napari_viewer):
    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "U-Net")
    unet = ops.get("unet")
    _matches(widget.overlap, unet.param("overlap"))
    _matches(widget.sw_batch, unet.param("sw_batch_size"))  # 256 in both (was 64 in the dock)
    _matches(widget.finetune.steps, ops.get("finetune").param("steps"))


def test_correct_dock_has_one_size_per_tool_with_its_unit(make_napari_viewer):
    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Correct")
    for tool, name, unit in (("margin", "margin_mm", "mm"), ("remove islands", "min_mm3", "mm³"),
                             ("smooth", "smooth_mm", "mm")):  # fmt: skip
        param = ops.get(f"edit.{tool.replace(' ', '-')}").param(name)
        control = getattr(widget, name)
        _matches(control, param)
        assert f"({unit})" in control.label
        widget.tool.value = tool
        shown = [
            n
            for n in ("margin_mm", "min_mm3", "smooth_mm")
            if not getattr(widget, n).native.isHidden()
        ]
        assert shown == [name] and widget.mm is control  # `mm`: the shown tool's size
