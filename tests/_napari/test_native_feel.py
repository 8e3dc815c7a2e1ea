"""What a new user sees first: mm units, a readable CT window, quick docks, one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from qtpy.QtCore import QElapsedTimer, QTimer  # noqa: E402
from qtpy.QtWidgets import QApplication  # noqa: E402

from napari_seg.data.synthetic import make_synthetic_ct  # noqa: E402
from napari_seg.io import Geometry, save_nifti  # noqa: E402
from tests._geometry import LPS  # noqa: E402
from tests._napari._widgets import run_widget  # noqa: E402

pytestmark = pytest.mark.viewer
PLUGIN = "napari-seg"
DOCKS = ["Threshold", "K-means", "Canny edges", "Watershed", "Components and clean-up", "U-Net",
         "Train", "Evaluate", "Decathlon cases", "CT window", "Correct", "Surfaces",
         "Statistics", "Segments"]  # fmt: skip


@pytest.fixture
def ct_viewer(make_napari_viewer, tmp_path):
    ct = make_synthetic_ct((16, 48, 48), seed=3)
    path = save_nifti(ct.image, Geometry(LPS), tmp_path / "ct.nii.gz", kind="image")
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin=PLUGIN)
    return viewer


def test_units_are_mm_and_ct_opens_in_a_soft_tissue_window(ct_viewer, qtbot):
    image = ct_viewer.layers["ct"]
    assert [str(u) for u in image.units] == ["millimeter"] * 3
    assert tuple(image.axis_labels) == ("z", "y", "x")
    assert tuple(image.contrast_limits) == (-160.0, 240.0)  # W 400 / L 40, not -1024..3000
    _, widget = ct_viewer.window.add_plugin_dock_widget(PLUGIN, "Threshold")
    widget.reset_choices()
    widget.image.value = image
    run_widget(qtbot, widget)
    out = widget.output_layer
    assert [str(u) for u in out.units] == ["millimeter"] * 3
    assert tuple(out.axis_labels) == ("z", "y", "x")


def test_sample_labels_have_names(make_napari_viewer):
    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "synthetic_ct")
    assert viewer.layers["lesions ground truth"].metadata["label_names"][1] == "lesion 1"
    assert list(viewer.layers["spleen ground truth"].features["name"]) == ["spleen"]
    lesions = viewer.layers["lesions ground truth"]
    colours = {tuple(lesions.colormap.map(v)) for v in range(1, 5)}
    assert len(colours) == 4  # each lesion its own colour
    assert [str(u) for u in viewer.layers["synthetic CT"].units] == ["millimeter"] * 3


def test_ct_window_dock_sets_named_and_custom_windows(ct_viewer):
    _, widget = ct_viewer.window.add_plugin_dock_widget(PLUGIN, "CT window")
    widget.reset_choices()
    widget.image.value = ct_viewer.layers["ct"]
    widget.window.value = "bone"
    assert tuple(ct_viewer.layers["ct"].contrast_limits) == (-500.0, 1300.0)
    widget.ww.value = 100.0
    assert widget.window.value == "custom"
    assert tuple(ct_viewer.layers["ct"].contrast_limits) == (350.0, 450.0)


def test_docks_open_without_freezing_and_fit_the_screen(make_napari_viewer):
    viewer = make_napari_viewer()
    viewer.window.resize(1200, 900)
    clock, worst, last = QElapsedTimer(), [0], [0]
    clock.start()

    def beat():
        now = clock.elapsed()
        worst[0], last[0] = max(worst[0], now - last[0]), now

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(beat)
    timer.start()
    for name in DOCKS:
        QApplication.processEvents()
        last[0], worst[0] = clock.elapsed(), 0
        viewer.window.add_plugin_dock_widget(PLUGIN, name)
        for _ in range(10):
            QApplication.processEvents()
        # generous for CI noise; an 8 s torch import at dock construction fails it
        assert worst[0] < 1500, (name, worst[0])
    timer.stop()
    assert viewer.window.geometry()[3] <= 1000  # ten docks, tabbed: still one screen


def test_widget_errors_are_one_line_not_tracebacks(make_napari_viewer, tmp_path):
    viewer = make_napari_viewer()
    _, threshold = viewer.window.add_plugin_dock_widget(PLUGIN, "Threshold")
    threshold.run_button.clicked()  # no image layer
    assert threshold.status.value.startswith("choose the image layer")
    viewer.add_image(np.zeros((4, 8, 8), np.int16), name="img")
    _, unet = viewer.window.add_plugin_dock_widget(PLUGIN, "U-Net")
    unet.reset_choices()
    unet.checkpoint.value = tmp_path / "missing.safetensors"  # a session may offer a trained one
    unet.run_button.clicked()
    assert unet.status.value == "choose a checkpoint file (.safetensors or .pt)"
    wrong = tmp_path / "scan.nii.gz"
    wrong.write_bytes(b"x")
    unet.checkpoint.value = wrong
    unet.run_button.clicked()
    assert unet.status.value == "choose a checkpoint file (.safetensors or .pt)"


@pytest.mark.parametrize("name", DOCKS)
def test_every_control_has_a_tooltip(make_napari_viewer, name):
    from magicgui.widgets import Label, Table

    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, name)

    missing = [
        w.label or w.name
        for w in widget  # direct children; an optional number is one control
        if not isinstance(w, (Label, Table)) and not w.tooltip
    ]
    assert not missing, f"{name}: no tooltip on {missing}"


@pytest.mark.parametrize("name", [d for d in DOCKS if d != "CT window"])  # it has no status
def test_tables_and_status_lines_use_the_whole_width(make_napari_viewer, name):
    from magicgui.widgets import Label, Table

    from napari_seg._napari._controls import label_cell

    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, name)
    wide = [w for w in widget if isinstance(w, (Label, Table)) and not w.label]
    assert wide, f"{name}: no status line"
    # magicgui puts every widget beside a label cell; an empty one would indent it
    cells = [label_cell(w) for w in wide]
    assert all(c is not None for c in cells), f"{name}: not in a labelled row"
    assert not any(c.isVisibleTo(widget.native) for c in cells)


@pytest.mark.parametrize("name", DOCKS)
def test_controls_are_labelled_on_an_empty_viewer(make_napari_viewer, name):
    """A dock opened before any data still says what each picker and box is for.

    (A widget attribute named ``labels`` once replaced magicgui's ``Container.labels``
    switch: with no Labels layer the pickers lost their labels.)
    """
    from magicgui.widgets import Label, Table
    from magicgui.widgets.bases import ButtonWidget

    from napari_seg._napari._controls import label_cell

    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, name)
    controls = [w for w in widget if not isinstance(w, (ButtonWidget, Label, Table))]
    unlabelled = [w.name or type(w).__name__ for w in controls if label_cell(w) is None]
    assert not unlabelled, f"{name}: no label beside {unlabelled}"


@pytest.mark.parametrize("name", ["Decathlon cases", "Train", "Statistics"])
def test_labels_are_never_cut_in_napari_font(make_napari_viewer, qtbot, name):
    """magicgui sizes labels in the default font; napari's theme draws them larger."""
    from napari_seg._napari._controls import label_cell

    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, name)
    qtbot.wait(50)  # the dock is fitted once it sits in the window
    cells = [c for c in map(label_cell, widget) if c is not None and c.text()]
    assert cells
    short = [c.text() for c in cells if c.minimumWidth() < c.sizeHint().width()]
    assert not short, f"{name}: labels narrower than their text: {short}"
