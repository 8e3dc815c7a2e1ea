"""Hostile values: label ranges/dtypes, NaN, RGB/complex, degenerate shapes (issue 22 §3, §5)."""

from __future__ import annotations

import json
import warnings

import nibabel as nib
import numpy as np
import pytest
from scipy import ndimage as ndi

from napari_seg import edit
from napari_seg.inspect.surfaces import label_boxes
from napari_seg.metrics import evaluate
from napari_seg.segment._validate import SegmentationError
from napari_seg.segment.methods import run_method
from napari_seg.segment.smoothing import ball_mm

from ._contract import run_cli

AFFINE = np.diag([1.0, 1.0, 1.0, 1.0])


def _save(path, data):
    nib.save(nib.Nifti1Image(data, AFFINE), path)
    return path


def test_kmeans_on_int32_with_one_voxel_at_the_top():
    ct = np.random.default_rng(0).normal(0, 20, (20, 20, 20)).astype(np.int32)
    ct[5:15, 5:15, 5:15] += 300
    ct[0, 0, 0] = 2**31 - 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no false "fewer than 3 distinct values"
        labels = run_method("kmeans", ct, spacing=(1, 1, 1), params={})
    assert set(np.unique(labels)) == {1, 2, 3}
    assert labels[0, 0, 0] == 3 and (labels == 3).sum() == 1


def test_evaluate_keeps_uint64_labels():
    m = np.zeros((10, 10, 10), np.uint64)
    m[2:5, 2:5, 2:5] = 2**64 - 1
    m[6:8, 6:8, 6:8] = 1
    result = evaluate(m, m.copy(), spacing=(1, 1, 1))
    assert set(result["labels"]) == {"1", str(2**64 - 1)}
    assert all(r["dice"] == 1.0 for r in result["labels"].values())


def test_grow_region_does_not_flood_through_nan():
    img = np.zeros((40, 40, 40), np.float32)
    img[10:30, 10:30, 10:30] = 100
    img[20, 20, 21] = np.nan
    region = edit.grow_region(img, (20, 20, 20), spacing=(1, 1, 1))
    cube = np.zeros(img.shape, bool)
    cube[10:30, 10:30, 10:30] = True
    assert not (region.astype(bool) & ~cube).any()  # nothing outside the bright cube
    assert region.sum() >= 0.99 * 20**3  # the cube, its NaN voxel at most filled as a hole
    with pytest.raises(SegmentationError, match="NaN"):
        edit.grow_region(img, (20, 20, 21), spacing=(1, 1, 1))


@pytest.mark.parametrize(
    "tool",
    [
        lambda lab: edit.margin(lab, label=300, mm=2, spacing=(1, 1, 1)),
        lambda lab: edit.combine(lab, lab, op="union", label=300),
        lambda lab: edit.smooth_label(lab, label=300, method="closing", mm=1, spacing=(1, 1, 1)),
    ],
)
def test_label_values_are_checked_against_the_dtype(tool):
    lab = np.zeros((10, 10, 10), np.uint8)
    lab[3:6, 3:6, 3:6] = 1
    with pytest.raises(SegmentationError, match="does not fit the layer's uint8"):
        tool(lab)


def test_correct_dock_grow_checks_label_and_grid():
    from napari_seg._napari._correct_tools import TOOLS, Options

    lab = np.zeros((10, 10, 10), np.uint8)
    image = np.zeros((10, 10, 12), np.float32)
    with pytest.raises(ValueError, match="grid"):
        TOOLS["grow region"].run(lab, [(5, 5, 5)], Options((1, 1, 1), 1, 1.0, image=image))
    with pytest.raises(ValueError, match="does not fit"):
        TOOLS["grow region"].run(lab, [(5, 5, 5)], Options((1, 1, 1), 999, 1.0, image=image))


def test_grow_from_seeds_on_2d_is_one_error():
    img = np.zeros((30, 30), np.float32)
    seeds = np.zeros((30, 30), np.uint8)
    seeds[5, 5], seeds[20, 20] = 1, 2
    with pytest.raises(SegmentationError, match="3-D"):
        edit.grow_from_seeds(img, seeds, spacing=(1, 1))


@pytest.mark.parametrize("mm", [30.0, 7.5, -4.0])
def test_margin_is_the_ball_dilation_without_a_false_memory_error(mm):
    lab = np.zeros((40, 64, 64), np.uint8)
    lab[5:35, 10:54, 10:54] = 1
    lab[15:20, 20:30, 20:30] = 0
    sp = (2.5, 0.8, 0.9) if abs(mm) < 10 else (1.0, 1.0, 1.0)
    new = edit.margin(lab, label=1, mm=mm, spacing=sp)
    if abs(mm) < 10:  # the old way (a ball footprint) is affordable here: same voxels
        mask, want = lab == 1, lab.copy()
        if mm > 0:
            want[ndi.binary_dilation(mask, structure=ball_mm(mm, sp)) & (lab == 0)] = 1
        else:
            kept = ndi.binary_erosion(mask, structure=ball_mm(-mm, sp), border_value=1)
            want[mask & ~kept] = 0
        assert np.array_equal(new, want)
    else:
        assert (new == 1).sum() == new.size  # 30 mm covers the whole 40 x 64 x 64 mm volume


def test_label_boxes_for_values_above_65535_and_uint64():
    lab = np.zeros((30, 30, 30), np.uint64)
    lab[1:3, 1:3, 1:3] = 2**64 - 1
    lab[10, 10:12, 5] = 70_000
    lab[20:25, 3, 3] = 123_456
    boxes = label_boxes(lab)
    assert boxes == {
        2**64 - 1: (slice(1, 3), slice(1, 3), slice(1, 3)),
        70_000: (slice(10, 11), slice(10, 12), slice(5, 6)),
        123_456: (slice(20, 25), slice(3, 4), slice(3, 4)),
    }


def test_stats_on_a_two_voxel_label_with_a_gap(tmp_path):
    data = np.zeros((20, 20, 20), np.uint8)
    data[2, 2, 2] = data[2, 2, 4] = 1  # cc3d: "maximum length exception"
    path = _save(tmp_path / "gap.nii.gz", data)
    rc, out, _ = run_cli(["stats", path, "--no-surfaces", "--json"], path, refused=False)
    assert rc == 0
    (row,) = json.loads(out)
    assert row["voxels"] == 2 and row["components"] == 2


def test_max_labels_is_stated_and_can_be_raised(tmp_path):
    data = np.arange(1, 201, dtype=np.uint32).reshape(2, 10, 10) + 70_000
    path = _save(tmp_path / "many.nii.gz", data)
    line = run_cli(["stats", path, "--no-surfaces", "--max-labels", "100"], path)[2]
    assert "200 label values" in line and "--max-labels 200" in line
    rc = run_cli(["stats", path, "--no-surfaces", "--max-labels", "200"], path, refused=False)[0]
    assert rc == 0


@pytest.mark.parametrize("kind", ["rgb", "complex"])
@pytest.mark.parametrize("command", ["stats", "surfaces", "evaluate", "segment"])
def test_rgb_and_complex_nifti_are_one_line(tmp_path, kind, command):
    if kind == "rgb":
        data = np.zeros((8, 8, 8), dtype=[("R", "u1"), ("G", "u1"), ("B", "u1")])
    else:
        data = np.zeros((8, 8, 8), np.complex64)
    path = _save(tmp_path / f"{kind}.nii.gz", data)
    argv = {
        "stats": ["stats", path],
        "surfaces": ["surfaces", path, "-o", tmp_path / "s"],
        "evaluate": ["evaluate", path, path],
        "segment": ["segment", path, "-o", tmp_path / "o.nii.gz"],
    }[command]
    line = run_cli(argv, path)[2]
    assert "not supported" in line


def test_the_reader_refuses_rgb_in_one_line(tmp_path):
    from napari_seg._napari._reader import read_paths
    from napari_seg.io import NiftiError

    data = np.zeros((8, 8, 8), dtype=[("R", "u1"), ("G", "u1"), ("B", "u1")])
    path = _save(tmp_path / "rgb.nii.gz", data)
    with pytest.raises(NiftiError, match="RGB colour voxels"):
        read_paths(str(path))


def test_dataset_json_symlink_loop(tmp_path):
    task = tmp_path / "Loop"
    task.mkdir()
    (task / "dataset.json").symlink_to("dataset.json")
    for argv in (
        ["segment", task, "--case", "x", "-o", tmp_path / "o.nii.gz"],
        ["segment-batch", task, "-o", tmp_path / "b"],
        ["evaluate", tmp_path, task],
    ):
        assert "loops or points nowhere" in run_cli(argv)[2]


def test_evaluate_on_a_task_without_labelled_cases(task, tmp_path):
    meta = json.loads((task / "dataset.json").read_text())
    for entry in meta["training"]:
        entry.pop("label")
    (task / "dataset.json").write_text(json.dumps(meta))
    (tmp_path / "pred").mkdir()
    line = run_cli(["evaluate", tmp_path / "pred", task], task)[2]
    assert "no labelled case" in line


def test_warnings_are_one_line_notes(capsys):
    from napari_seg.cli._quiet import one_line_warnings

    with warnings.catch_warnings():
        one_line_warnings()
        warnings.warn("something odd\nsecond line", UserWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err == "napari-seg: note: something odd\n"
