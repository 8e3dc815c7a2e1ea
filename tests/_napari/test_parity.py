"""Widget = CLI on real-world grids: the same options on a flipped (LPS) or oblique file give
voxel-identical labels and equal metrics through a widget and through ``napari-seg``.

Such layers are placed through ``affine`` with ``scale == 1``: a widget that took its
spacing from ``layer.scale`` would measure every mm option in voxels and fail here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg.cli import main  # noqa: E402
from napari_seg.data.synthetic import make_synthetic_ct  # noqa: E402
from napari_seg.io import Geometry, load_nifti, save_nifti  # noqa: E402
from tests._geometry import LPS, OBLIQUE  # noqa: E402
from tests._napari._widgets import run_widget  # noqa: E402

pytestmark = [
    pytest.mark.viewer,
    pytest.mark.filterwarnings("ignore:Non-orthogonal slicing:UserWarning"),
]
PLUGIN = "napari-seg"
WIDGET = {
    "manual": "Threshold",
    "otsu": "Threshold",
    "multiotsu": "Threshold",
    "li": "Threshold",
    "yen": "Threshold",
    "triangle": "Threshold",
    "mean": "Threshold",
    "kmeans": "K-means",
    "canny": "Canny edges",
    "watershed": "Watershed",
    "cleanup": "Components and clean-up",
}
# every option in mm is exercised: on a layer with scale 1 a wrong spacing changes the result
CASES = [
    ("manual", {"low": 60.0, "high": 150.0, "smooth": "gaussian", "smooth_mm": 1.5,
                "open_mm": 2.0, "min_mm3": 40.0, "largest": True}),
    ("otsu", {"smooth": "median", "smooth_mm": 1.6, "close_mm": 2.0, "fill_holes": True}),
    ("multiotsu", {"classes": 4, "min_mm3": 30.0}),
    ("li", {"open_mm": 1.7}),
    ("yen", {"smooth": "gaussian", "smooth_mm": 2.0}),
    ("triangle", {"components": True, "min_mm3": 25.0}),
    ("mean", {"open_mm": 2.5, "largest": True}),
    ("kmeans", {"k": 4, "smooth": "gaussian", "smooth_mm": 1.5, "low": 0.0, "high": 250.0,
                "select_near": 120.0, "open_mm": 2.0}),
    ("canny", {"sigma_mm": 1.5}),
    ("watershed", {"min_distance_mm": 6.0}),
    ("cleanup", {"open_mm": 1.7, "min_mm3": 30.0, "components": True}),
]  # fmt: skip


@pytest.fixture(
    scope="module", params=[("lps", LPS), ("oblique", OBLIQUE)], ids=["lps", "oblique"]
)
def files(request, tmp_path_factory):
    name, affine = request.param
    ct = make_synthetic_ct((24, 64, 64), seed=2)
    folder = tmp_path_factory.mktemp(name)
    geo = Geometry(affine)
    image = save_nifti(ct.image, geo, folder / "ct.nii.gz", kind="image")
    mask = save_nifti((ct.lesions > 0).view(np.uint8), geo, folder / "lesions_mask.nii.gz")
    return image, mask


def _argv(params: dict) -> list[str]:
    out: list[str] = []
    for name, value in params.items():
        flag = "--" + name.replace("_", "-")
        out += [flag] if value is True else [flag, str(value)]
    return out


@pytest.mark.parametrize(("method", "params"), CASES, ids=[c[0] for c in CASES])
def test_widget_equals_cli(make_napari_viewer, qtbot, files, tmp_path, method, params):
    image, mask = files
    source = mask if method in ("watershed", "cleanup") else image
    out = tmp_path / "cli.nii.gz"
    argv = ["segment", str(source), "-o", str(out), "--method", method, "--quiet"]
    assert main([*argv, *_argv(params)]) == 0
    expected = load_nifti(out).data

    viewer = make_napari_viewer()
    viewer.open(str(source), plugin=PLUGIN)
    layer = viewer.layers[0]
    assert np.allclose(layer.scale, 1.0)  # placed through the affine: the case that was wrong
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, WIDGET[method])
    widget.reset_choices()
    widget.image.value = layer
    widget.method.value = method
    for name, value in params.items():
        widget.controls[name].value = value
    run_widget(qtbot, widget)
    result = viewer.layers[f"{method} {layer.name}"]
    np.testing.assert_array_equal(np.asarray(result.data), expected)
    np.testing.assert_allclose(result.affine.affine_matrix, layer.affine.affine_matrix)


def test_evaluate_widget_equals_cli(make_napari_viewer, qtbot, files, tmp_path, capsys):
    image, mask = files
    pred = tmp_path / "pred.nii.gz"
    argv = ["segment", str(image), "-o", str(pred), "--method", "manual", "--quiet"]
    assert main([*argv, "--low", "-20", "--high", "80", "--open-mm", "1.5"]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(pred), str(mask), "--surface", "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)

    viewer = make_napari_viewer()
    viewer.open([str(pred), str(mask)], plugin=PLUGIN, layer_type="labels")
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Evaluate")
    widget.reset_choices()
    widget.pred.value, widget.gt.value = viewer.layers["pred"], viewer.layers["lesions_mask"]
    widget.surface.value = True
    widget.compute()
    qtbot.waitUntil(lambda: widget.result is not None, timeout=60_000)
    got = widget.result["labels"]["1"]
    want = expected["labels"]["1"]
    for key in ("dice", "iou", "volume_pred_mm3", "volume_gt_mm3", "hd95", "assd", "nsd"):
        assert got[key] == pytest.approx(want[key], rel=1e-9), key
