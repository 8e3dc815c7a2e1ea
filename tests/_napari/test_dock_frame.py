"""The shared dock frame: grid checks of every secondary layer, truth pairing, error path."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from tests._napari._widgets import wait_for_worker  # noqa: E402

pytestmark = pytest.mark.viewer
PLUGIN = "napari-seg"


@pytest.fixture
def viewer(make_napari_viewer):
    """A CT, a mask on its grid, and a mask of another scan (other spacing and origin)."""
    from napari_seg.io import Geometry

    viewer = make_napari_viewer()
    rng = np.random.default_rng(0)
    image = rng.normal(0, 50, (12, 24, 24)).astype(np.float32)
    image[3:9, 6:18, 6:18] += 300
    kw = Geometry.from_spacing((2.5, 0.8, 0.8), origin=(4.0, -2.0, 7.0)).layer_kwargs()
    other = Geometry.from_spacing((3.0, 1.0, 1.0), origin=(0.0, 0.0, 0.0)).layer_kwargs()
    viewer.add_image(image, name="ct", **kw)
    mask = (image > 150).astype(np.uint8)
    viewer.add_labels(mask, name="mask", **kw)
    viewer.add_labels(mask.copy(), name="other scan mask", **other)
    viewer.add_labels(np.ones((12, 24, 20), np.uint8), name="cropped mask", **kw)
    return viewer


def _dock(viewer, name):
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, name)
    widget.reset_choices()
    widget.runner.worker = None
    return widget


def _assert_refused(widget, button):
    button.clicked()
    assert widget.runner.worker is None  # nothing started
    assert "not on the same grid" in widget.status.value, widget.status.value


@pytest.mark.parametrize(
    ("layer", "expect"),
    [("other scan mask", "not on the same grid"), ("cropped mask", "shape (12, 24, 20)")],
)
def test_threshold_refuses_a_mask_on_another_grid(viewer, qtbot, monkeypatch, layer, expect):
    shown = []
    monkeypatch.setattr("napari_seg._napari._tasks.show_error", shown.append)
    widget = _dock(viewer, "Threshold")
    widget.image.value = viewer.layers["ct"]
    widget.method.value = "otsu"
    widget.mask.value = viewer.layers[layer]
    widget.run_button.clicked()
    assert widget.runner.worker is None  # refused before anything ran
    assert expect in widget.status.value and layer in widget.status.value
    assert "\n" not in widget.status.value  # one line, with both layer names
    assert shown == [widget.status.value]  # and the same line as a notification
    assert "otsu ct" not in viewer.layers
    widget.mask.value = viewer.layers["mask"]  # on the image's grid: it runs
    widget.run_button.clicked()
    wait_for_worker(qtbot, widget)
    assert "otsu ct" in viewer.layers, widget.status.value


@pytest.mark.parametrize("control", ["markers", "intensity"])
def test_watershed_refuses_seeds_or_grow_over_image_on_another_grid(viewer, control):
    widget = _dock(viewer, "Watershed")
    widget.image.value = viewer.layers["mask"]
    if control == "intensity":
        other = viewer.add_image(
            np.zeros((12, 24, 24), np.float32), name="other ct", scale=(3.0, 1.0, 1.0)
        )
        widget.reset_choices()
        widget.intensity.value = other
    else:
        widget.markers.value = viewer.layers["other scan mask"]
    _assert_refused(widget, widget.run_button)


def test_correct_refuses_other_labels_on_another_grid(viewer):
    widget = _dock(viewer, "Correct")
    widget.labels_layer.value = viewer.layers["mask"]
    widget.tool.value = "combine"
    widget.other.value = viewer.layers["other scan mask"]
    _assert_refused(widget, widget.apply_button)


def test_evaluate_refuses_a_prediction_on_another_grid(viewer):
    widget = _dock(viewer, "Evaluate")
    widget.gt.value = viewer.layers["mask"]
    widget.pred.value = viewer.layers["other scan mask"]
    _assert_refused(widget, widget.compute_button)  # Evaluate checked before the frame too


def test_evaluate_takes_the_truth_by_its_role_not_its_name(make_napari_viewer):
    viewer = make_napari_viewer()
    data = np.zeros((4, 8, 8), np.uint8)
    viewer.add_labels(data, name="otsu ct")
    viewer.add_labels(data.copy(), name="reference", metadata={"role": "ground truth"})
    widget = _dock(viewer, "Evaluate")
    assert widget.gt.value.name == "reference"
    assert widget.pred.value.name == "otsu ct"


def test_evaluate_pairs_the_truth_of_the_predictions_case(make_napari_viewer):
    from napari_seg.io import METADATA_KEY

    def case(name):
        return {METADATA_KEY: {"decathlon": {"root": "/tasks/Task09_Spleen", "case": name}}}

    viewer = make_napari_viewer()
    data = np.zeros((4, 8, 8), np.uint8)
    for name in ("spleen_2", "spleen_8"):
        meta = {**case(name), "role": "ground truth"}  # as the reader marks a task's label
        viewer.add_labels(data.copy(), name=f"{name} ground truth", metadata=meta)
    viewer.add_labels(data.copy(), name="otsu spleen_8 CT", metadata=case("spleen_8"))
    widget = _dock(viewer, "Evaluate")
    assert widget.pred.value.name == "otsu spleen_8 CT"
    assert widget.gt.value.name == "spleen_8 ground truth"
    widget.pred.value = viewer.layers["spleen_2 ground truth"]  # scoring one truth on another
    assert widget.gt.value.name == "spleen_8 ground truth"


def test_an_error_in_the_worker_is_a_status_line_and_a_notification(viewer, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr("napari_seg._napari._tasks.show_error", shown.append)
    widget = _dock(viewer, "Statistics")

    def broken(progress=None, should_stop=None):
        raise ValueError("labels.nii.gz: the file is truncated\nsecond line")

    widget.runner.start(broken, description="statistics", on_result=lambda _: "never")
    wait_for_worker(qtbot, widget, timeout=10_000)
    assert widget.status.value == "statistics failed: labels.nii.gz: the file is truncated"
    assert shown == [widget.status.value]


def test_every_dock_is_a_dock_frame(make_napari_viewer):
    """One frame: Run, Cancel, status and runner come from :class:`DockFrame`."""
    from importlib.resources import files

    import yaml

    from napari_seg._napari._docks import DockFrame

    viewer = make_napari_viewer()
    manifest = yaml.safe_load(files("napari_seg").joinpath("napari.yaml").read_text())
    names = [w["display_name"] for w in manifest["contributions"]["widgets"]]
    plain = []
    for name in names:
        _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, name)
        if not isinstance(widget, DockFrame):
            plain.append(name)
    assert plain == ["Orthogonal views"]  # a canvas, not a form: no Run, no status
