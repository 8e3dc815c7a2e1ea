"""The Correct dock's AI click tool in a real viewer: click, preview, negative, accept, undo."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

napari = pytest.importorskip("napari")
torch = pytest.importorskip("torch")

from napari_seg._napari._prompt_tool import PREVIEW  # noqa: E402
from napari_seg.prompt.model import PromptModel, new_meta  # noqa: E402
from tests._napari._widgets import wait_for_worker  # noqa: E402

pytestmark = pytest.mark.viewer


@pytest.fixture
def dock(make_napari_viewer):
    viewer = make_napari_viewer()
    rng = np.random.default_rng(0)
    img = rng.normal(0, 5, (12, 40, 40)).astype(np.float32)
    img[3:9, 10:30, 10:30] += 100
    image = viewer.add_image(img, name="ct", scale=(2.0, 1.0, 1.0))
    lab = np.zeros(img.shape, np.uint8)
    lab[0:2, 0:5, 0:5] = 2
    layer = viewer.add_labels(lab, name="labels", scale=(2.0, 1.0, 1.0))
    _, widget = viewer.window.add_plugin_dock_widget("napari-seg", "Correct")
    widget.reset_choices()
    widget.labels_layer.value, widget.image.value = layer, image
    widget.label_value.value = 3
    torch.manual_seed(0)
    meta = new_meta(crop=16)
    widget.prompt.model = PromptModel(meta.build().eval(), meta, torch.device("cpu"))
    widget.prompt.enabled_box.value = True
    return viewer, widget, layer


def _press(qtbot, tool, layer, point, **extra):
    class Click:
        type = "mouse_press"
        position = layer.data_to_world(point)
        dims_displayed = (1, 2)
        modifiers = extra.get("modifiers", ())
        button = extra.get("button", 1)

    tool.runner.worker = None
    for callback in list(layer.mouse_drag_callbacks):
        callback(layer, Click())
    wait_for_worker(qtbot, tool, timeout=60_000)


def test_click_preview_negative_accept_undo(dock, qtbot):
    viewer, widget, layer = dock
    tool = widget.prompt
    assert layer.mode == "pan_zoom"  # a prompt click does not paint
    before = np.asarray(layer.data).copy()
    _press(qtbot, tool, layer, (6, 20, 20))
    assert tool.positive == [(6, 20, 20)] and PREVIEW in viewer.layers, tool.status.value
    assert tool.mask[6, 20, 20] and np.asarray(layer.data)[6, 20, 20] == 0  # preview only
    _press(qtbot, tool, layer, (6, 12, 12), modifiers=("Shift",))
    assert tool.negative == [(6, 12, 12)] and not tool.mask[6, 12, 12]
    _press(qtbot, tool, layer, (6, 28, 28), button=2)  # the right button is negative too
    assert tool.negative[-1] == (6, 28, 28)
    mask = tool.mask.copy()
    tool.runner.worker = None
    tool.accept()
    wait_for_worker(qtbot, tool, timeout=60_000)
    data = np.asarray(layer.data)
    assert np.array_equal(data == 3, mask & (before == 0) | (before == 3)), tool.status.value
    assert PREVIEW not in viewer.layers and "Ctrl+Z" in tool.status.value
    layer.undo()
    np.testing.assert_array_equal(layer.data, before)


def test_accept_honours_preserve_labels(dock, qtbot):
    _, widget, layer = dock
    tool = widget.prompt
    layer.preserve_labels = True
    tool.click((1, 2, 2))  # on label 2
    wait_for_worker(qtbot, tool, timeout=60_000)
    assert tool.mask[1, 2, 2]
    tool.runner.worker = None
    tool.accept()
    wait_for_worker(qtbot, tool, timeout=60_000)
    assert np.asarray(layer.data)[1, 2, 2] == 2  # kept


def test_accepted_objects_fine_tune_a_new_version(dock, qtbot, tmp_path, monkeypatch):
    from napari_seg.deep.checkpoint import save_checkpoint

    _, widget, _ = dock
    tool = widget.prompt
    monkeypatch.setenv("NAPARI_SEG_CONFIG_DIR", str(tmp_path / "cfg"))
    parent = save_checkpoint(tool.model.net, tool.model.meta, tmp_path / "p.safetensors")
    tool.weights, tool.tune_steps = parent, 1
    tool.click((6, 20, 20))
    wait_for_worker(qtbot, tool, timeout=60_000)
    tool.runner.worker = None
    tool.accept()
    wait_for_worker(qtbot, tool, timeout=60_000)
    assert len(tool.examples) == 1
    tool.runner.worker = None
    tool.finetune()
    wait_for_worker(qtbot, tool, timeout=120_000)
    assert tool.weights == tmp_path / "cfg" / "prompt" / "prompt.ft1.safetensors", (
        tool.status.value
    )
    assert tool.weights.is_file() and parent.is_file()


def test_a_3d_click_takes_the_first_voxel_in_the_content(dock):
    _, widget, _ = dock
    tool = widget.prompt
    image = widget.image.value

    ray = SimpleNamespace(
        type="mouse_press",
        position=image.data_to_world((-4, 20, 20)),
        view_direction=np.array([1.0, 0.0, 0.0]),
        dims_displayed=[0, 1, 2],  # napari gives a list (a tuple would index 3 axes)
    )
    point = tool._clicked_voxel(ray)
    assert tuple(point) == (3, 20, 20)  # the bright box starts at z = 3


def test_a_box_prompt_keeps_the_object_inside_the_rectangle(dock, qtbot):
    viewer, widget, _ = dock
    tool = widget.prompt
    viewer.dims.set_point(0, 6 * 2.0)
    shapes = viewer.add_shapes(
        [np.array([[6, 12, 12], [6, 12, 26], [6, 26, 26], [6, 26, 12]]) * [2.0, 1.0, 1.0]],
        shape_type="rectangle",
        name="box",
    )
    widget.reset_choices()
    tool.box_layer.value = shapes
    tool.runner.worker = None
    tool.use_box()
    wait_for_worker(qtbot, tool, timeout=60_000)
    assert tool.positive == [(6, 19, 19)], tool.status.value
    assert tool.mask[6, 19, 19] and not tool.mask[:, :11].any() and not tool.mask[:, :, 28:].any()
