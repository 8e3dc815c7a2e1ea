"""The Correct dock in a real viewer: every tool by click or button, one undo step each,
preserve_labels and locked labels respected, a cancelled preview changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from tests._napari._widgets import wait_for_worker  # noqa: E402

pytestmark = pytest.mark.viewer
PLUGIN = "napari-seg"


@pytest.fixture
def dock(make_napari_viewer):
    viewer = make_napari_viewer()
    lab = np.zeros((9, 40, 60), np.uint8)
    lab[2:7, 5:15, 5:15] = 1  # object A
    lab[2:7, 5:15, 40:50] = 1  # object B (another piece of label 1)
    lab[2:7, 25:35, 5:15] = 2
    layer = viewer.add_labels(lab, name="labels", scale=(2.5, 0.8, 0.8))
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Correct")
    widget.reset_choices()
    widget.labels_layer.value = layer
    return viewer, widget, layer


def _run(qtbot, widget, action):
    widget.runner.worker = None
    action()
    wait_for_worker(qtbot, widget, timeout=30_000)


@pytest.mark.parametrize(
    ("tool", "clicks", "expect"),
    [
        ("delete", [(4, 10, 10)], lambda d: not d[2:7, 5:15, 5:15].any() and d[4, 10, 45] == 1),
        ("keep island", [(4, 10, 45)], lambda d: not d[2:7, 5:15, 5:15].any() and d[4, 10, 45]),
        ("merge", [(4, 10, 10), (4, 30, 10)], lambda d: not (d == 2).any()),
    ],
)
def test_click_tools_are_one_undo_step(dock, qtbot, tool, clicks, expect):
    _, widget, layer = dock
    before = np.asarray(layer.data).copy()
    widget.tool.value = tool
    for point in clicks[:-1]:
        widget.click(point)
    assert "click 1 more" in widget.status.value or len(clicks) == 1
    _run(qtbot, widget, lambda: widget.click(clicks[-1]))
    assert expect(np.asarray(layer.data)), widget.status.value
    assert "Ctrl+Z" in widget.status.value
    layer.undo()
    np.testing.assert_array_equal(layer.data, before)


def test_canvas_click_reaches_the_tool(dock, qtbot):
    _, widget, layer = dock
    widget.tool.value = "delete"
    assert layer.mode == "pan_zoom"  # a click tool does not paint

    class Click:
        type = "mouse_press"
        position = layer.data_to_world((4, 10, 10))
        dims_displayed = (1, 2)

    widget.runner.worker = None
    for callback in layer.mouse_drag_callbacks:
        callback(layer, Click())
    wait_for_worker(qtbot, widget, timeout=30_000)
    assert not np.asarray(layer.data)[2:7, 5:15, 5:15].any()


def test_button_tools_respect_preserve_labels_and_locked(dock, qtbot):
    _, widget, layer = dock
    widget.tool.value = "margin"
    widget.label_value.value = 2
    widget.mm.value = 8.0  # grows label 2 up to label 1
    layer.preserve_labels = True
    before = np.asarray(layer.data).copy()
    _run(qtbot, widget, widget.apply)
    after = np.asarray(layer.data)
    assert (after == 2).sum() > (before == 2).sum()
    assert (after[before == 1] == 1).all()
    layer.undo()
    widget.tool.value = "delete"
    widget.whole.value = True
    widget.locked.value = "1"
    _run(qtbot, widget, lambda: widget.click((4, 10, 10)))
    np.testing.assert_array_equal(layer.data, before)  # label 1 is locked
    assert "nothing to change" in widget.status.value


def test_fill_between_slices_preview_accept_and_cancel(dock, qtbot):
    viewer, widget, layer = dock
    data = np.zeros_like(np.asarray(layer.data))
    data[0, 10:30, 20:40] = 3
    data[8, 10:30, 20:40] = 3
    layer.data = data
    widget.tool.value = "fill between slices"
    widget.label_value.value = 3
    _run(qtbot, widget, widget.apply)
    assert "correction preview" in viewer.layers and "Accept" in widget.status.value
    widget.reject()
    assert "correction preview" not in viewer.layers
    np.testing.assert_array_equal(layer.data, data)  # a cancelled preview changes nothing
    _run(qtbot, widget, widget.apply)
    widget.accept()
    assert (np.asarray(layer.data)[1:8, 12:28, 22:38] == 3).all()
    layer.undo()
    np.testing.assert_array_equal(layer.data, data)


def test_grow_region_from_a_click(make_napari_viewer, qtbot):
    viewer = make_napari_viewer()
    rng = np.random.default_rng(1)
    image = rng.normal(0, 8, (12, 50, 50))
    image[3:9, 10:30, 15:35] += 150
    viewer.add_image(image, name="img")
    layer = viewer.add_labels(np.zeros(image.shape, np.uint8), name="labels")
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Correct")
    widget.reset_choices()
    widget.labels_layer.value, widget.image.value = layer, viewer.layers["img"]
    widget.tool.value = "grow region"
    widget.label_value.value = 4
    _run(qtbot, widget, lambda: widget.click((6, 20, 25)))
    widget.accept()
    grown = np.asarray(layer.data) == 4
    assert grown[3:9, 10:30, 15:35].mean() > 0.95 and grown.sum() < 1.1 * 6 * 20 * 20


def test_errors_are_one_line(dock):
    _, widget, _ = dock
    widget.tool.value = "delete"
    widget.click((4, 38, 58))  # background
    assert widget.status.value.startswith("the click is on the background")
    widget.tool.value = "split"
    widget.apply()
    assert widget.status.value == "split: click on the canvas instead"


def test_grow_from_seeds_in_the_dock(make_napari_viewer, qtbot):
    viewer = make_napari_viewer()
    rng = np.random.default_rng(3)
    image = rng.normal(0, 5, (12, 50, 50))
    image[3:9, 15:35, 15:35] += 120
    viewer.add_image(image, name="img")
    scribbles = np.zeros(image.shape, np.uint8)
    scribbles[6, 22:28, 22:28] = 1
    scribbles[6, 5:7, 5:45] = 2
    scribbles[6, 43:45, 5:45] = 2
    viewer.add_labels(scribbles, name="scribbles")
    layer = viewer.add_labels(np.zeros(image.shape, np.uint8), name="labels")
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Correct")
    widget.reset_choices()
    widget.labels_layer.value, widget.image.value = layer, viewer.layers["img"]
    widget.tool.value = "grow from seeds"
    widget.other.value = viewer.layers["scribbles"]
    _run(qtbot, widget, widget.apply)
    widget.accept()
    grown = np.asarray(layer.data) == 1
    organ = np.zeros(image.shape, bool)
    organ[3:9, 15:35, 15:35] = True
    assert (grown & organ).sum() / (grown | organ).sum() > 0.85
    assert not (np.asarray(layer.data) == 2).any()  # the outside scribbles are not written


def test_keys_and_live_evaluate_follow_a_correction(dock, qtbot):
    viewer, widget, layer = dock
    truth = np.asarray(layer.data).copy()
    truth[2:7, 5:15, 40:50] = 0  # the reference lacks object B
    viewer.add_labels(truth, name="case ground truth", scale=layer.scale)
    _, evaluate = viewer.window.add_plugin_dock_widget(PLUGIN, "Evaluate")
    evaluate.reset_choices()
    evaluate.pred.value, evaluate.gt.value = layer, viewer.layers["case ground truth"]
    evaluate.live.value = True
    qtbot.waitUntil(lambda: evaluate.scorer is not None, timeout=10_000)
    before = evaluate.result["labels"]["1"]["dice"]
    widget.tool.value = "delete"
    _run(qtbot, widget, lambda: widget.click((4, 10, 45)))
    evaluate.scorer.flush()
    assert before < evaluate.result["labels"]["1"]["dice"] == 1.0
    from napari.utils.key_bindings import coerce_keybinding

    widget.tool.value = "keep island"  # then the keys: Ctrl+Shift+X drops a preview
    widget.tool.value = "fill between slices"
    widget.label_value.value = 2
    data = np.asarray(layer.data)
    data[8, 25:35, 5:15] = 2  # a second drawn slice of label 2: a gap to fill
    layer.refresh()
    widget.runner.worker = None
    layer.keymap[coerce_keybinding("Control-Shift-F")](layer)  # apply
    wait_for_worker(qtbot, widget, timeout=30_000)
    assert widget.pending is not None
    layer.keymap[coerce_keybinding("Control-Shift-X")](layer)  # cancel the preview
    assert widget.pending is None and "correction preview" not in viewer.layers


@pytest.mark.parametrize(
    ("tool", "clicks", "setup", "expect"),
    [
        ("relabel", [(4, 10, 10)], {"label_value": 5}, lambda d: (d[2:7, 5:15, 5:15] == 5).all()),
        (
            "split",
            [(4, 30, 6), (4, 30, 13)],
            {},
            lambda d: set(np.unique(d[2:7, 25:35, 5:15])) == {2, 3},
        ),
    ],
)
def test_more_click_tools_undo_exactly(dock, qtbot, tool, clicks, setup, expect):
    _, widget, layer = dock
    before = np.asarray(layer.data).copy()
    widget.tool.value = tool
    for name, value in setup.items():
        getattr(widget, name).value = value
    for point in clicks[:-1]:
        widget.click(point)
    _run(qtbot, widget, lambda: widget.click(clicks[-1]))
    assert expect(np.asarray(layer.data)), widget.status.value
    layer.undo()
    np.testing.assert_array_equal(layer.data, before)


@pytest.mark.parametrize(
    ("tool", "setup"),
    [
        ("remove islands", {"label_value": 1, "mm": 1e5}),
        ("smooth", {"label_value": 2, "mm": 3.0, "smoothing": "opening"}),
        ("combine", {"label_value": 1, "op": "subtract"}),
    ],
)
def test_button_tools_change_and_undo_exactly(dock, qtbot, tool, setup):
    viewer, widget, layer = dock
    other = np.zeros_like(np.asarray(layer.data))
    other[:, :, 40:] = 1
    viewer.add_labels(other, name="other", scale=layer.scale)
    widget.reset_choices()
    widget.other.value = viewer.layers["other"]
    before = np.asarray(layer.data).copy()
    widget.tool.value = tool
    for name, value in setup.items():
        getattr(widget, name).value = value
    _run(qtbot, widget, widget.apply)
    assert not np.array_equal(layer.data, before), widget.status.value
    layer.undo()
    np.testing.assert_array_equal(layer.data, before)


def test_fill_between_slices_follows_the_displayed_plane(dock, qtbot):
    """Drawn on every 4th coronal slice (axis 1), viewed coronally: the gaps are filled."""
    viewer, widget, layer = dock
    data = np.zeros(layer.data.shape, np.uint8)
    for y in (10, 14, 18):
        data[2:8, y, 20:35] = 3
    layer.data = data
    viewer.dims.order = (1, 0, 2)  # the slider moves through y: coronal slices
    widget.tool.value = "fill between slices"
    widget.label_value.value = 3
    assert widget.axis.value == "displayed plane" and widget.slice_axis(layer) == 1
    _run(qtbot, widget, widget.apply)
    widget.accept()
    assert (np.asarray(layer.data)[3:7, 10:19, 22:33] == 3).all()
    widget.axis.value = "axis 0"  # the override
    assert widget.slice_axis(layer) == 0


def test_accept_and_cancel_keys_work_on_the_active_preview(dock, qtbot):
    """After a preview appears it is the active layer: the keys must still reach the dock."""
    from napari.utils.key_bindings import coerce_keybinding

    viewer, widget, layer = dock
    data = np.asarray(layer.data).copy()
    data[8, 25:35, 5:15] = 2
    layer.data = data
    widget.tool.value = "fill between slices"
    widget.label_value.value = 2
    cancelled = lambda: (layer.data == data).all()  # noqa: E731
    accepted = lambda: (layer.data[7, 25:35, 5:15] == 2).all()  # noqa: E731
    for key, gone in (("Control-Shift-X", cancelled), ("Control-Shift-A", accepted)):
        _run(qtbot, widget, widget.apply)
        active = viewer.layers.selection.active
        assert active.name == "correction preview"
        active.keymap[coerce_keybinding(key)](active)
        assert widget.pending is None and "correction preview" not in viewer.layers
        assert gone()


def test_grow_from_seeds_again_reuses_the_grower(make_napari_viewer, qtbot):
    """A second Apply after one more scribble re-solves warm-started, not from scratch."""
    from napari_seg._napari import _correct_tools

    viewer = make_napari_viewer()
    image = np.random.default_rng(3).normal(0, 5, (12, 50, 50))
    image[3:9, 15:35, 15:35] += 120
    viewer.add_image(image, name="img")
    scribbles = np.zeros(image.shape, np.uint8)
    scribbles[6, 22:28, 22:28] = 1
    scribbles[6, 5:7, 5:45] = 2
    sc = viewer.add_labels(scribbles, name="scribbles")
    layer = viewer.add_labels(np.zeros(image.shape, np.uint8), name="labels")
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Correct")
    widget.reset_choices()
    widget.labels_layer.value, widget.image.value = layer, viewer.layers["img"]
    widget.tool.value = "grow from seeds"
    widget.other.value = sc
    _run(qtbot, widget, widget.apply)
    widget.reject()
    grower = _correct_tools._GROWER[2]
    sc.data[6, 43:45, 5:45] = 2
    _run(qtbot, widget, widget.apply)
    assert _correct_tools._GROWER[2] is grower and grower.walk is not None
    widget.accept()
    assert (np.asarray(layer.data)[3:9, 15:35, 15:35] == 1).mean() > 0.8
