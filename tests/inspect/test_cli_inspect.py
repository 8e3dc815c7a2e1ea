"""``napari-seg surfaces`` and ``stats`` on a labels file of a Decathlon task."""

from __future__ import annotations

import json

import numpy as np
import pytest

from napari_seg.cli import main
from napari_seg.io import Geometry, load_nifti, save_nifti
from tests._geometry import LPS


@pytest.fixture
def task(tmp_path):
    root = tmp_path / "Task09_Spleen"
    (root / "labelsTr").mkdir(parents=True)
    (root / "imagesTr").mkdir()
    meta = {
        "name": "Spleen",
        "modality": {"0": "CT"},
        "labels": {"0": "background", "1": "spleen"},
        "training": [{"image": "./imagesTr/a.nii.gz", "label": "./labelsTr/a.nii.gz"}],
    }
    (root / "dataset.json").write_text(json.dumps(meta))
    labels = np.zeros((12, 20, 22), np.uint8)
    labels[3:9, 5:15, 4:18] = 1
    image = np.where(labels > 0, 60, -100).astype(np.int16)
    save_nifti(labels, Geometry(LPS), root / "labelsTr" / "a.nii.gz")
    save_nifti(image, Geometry(LPS), root / "imagesTr" / "a.nii.gz")
    return root


def test_surfaces_writes_named_meshes_in_world_mm(task, tmp_path, capsys):
    trimesh = pytest.importorskip("trimesh")
    out = tmp_path / "meshes"
    labels = task / "labelsTr" / "a.nii.gz"
    assert (
        main(["surfaces", str(labels), "-o", str(out), "--format", "ply", "--smooth-passes", "0"])
        == 0
    )
    (path,) = out.iterdir()
    assert path.name == "a_1_spleen.ply" and "label 1," in capsys.readouterr().out
    mesh = trimesh.load(path, process=False)
    vol = load_nifti(labels)
    idx = np.argwhere(vol.data == 1)[:, ::-1]
    world = idx @ vol.geometry.affine[:3, :3].T + vol.geometry.affine[:3, 3]
    # the mesh hugs the voxel centres: within half a voxel of their world bounding box
    assert np.allclose(mesh.bounds, [world.min(0), world.max(0)], atol=2.5 / 2 + 1e-6)
    assert mesh.volume == pytest.approx(len(idx) * 0.8 * 0.8 * 2.5, rel=0.15)


def test_stats_json_and_csv(task, tmp_path, capsys):
    labels, image = task / "labelsTr" / "a.nii.gz", task / "imagesTr" / "a.nii.gz"
    csv = tmp_path / "stats.csv"
    assert main(["stats", str(labels), "--image", str(image), "--json", "--csv", str(csv)]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["name"] == "spleen" and row["voxels"] == 6 * 10 * 14
    assert row["volume_mm3"] == pytest.approx(6 * 10 * 14 * 0.8 * 0.8 * 2.5)
    assert row["mean"] == 60 and row["std"] == 0
    assert csv.read_text().splitlines()[0].startswith("label,name,voxels,volume_mm3")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["surfaces", "{labels}", "-o", "{out}", "--label-ids", "1,x"], "--label-ids"),
        (["surfaces", "{labels}", "-o", "{out}", "--label-ids", "7"], "no label to mesh"),
        (["surfaces", "{labels}", "-o", "{out}", "--faces", "2"], "--faces"),
        (["surfaces", "{labels}", "-o", "{out}", "--smooth", "-1"], "--smooth"),
        (["stats", "{labels}", "--csv", "{labels}"], "--csv"),
        (["stats", "{labels}", "--image", "{other}"], "--image"),
    ],
)
def test_bad_options_are_one_line_errors(task, tmp_path, capsys, argv, message):
    other = tmp_path / "other.nii.gz"
    save_nifti(np.zeros((12, 20, 22), np.int16), Geometry(np.eye(4)), other)
    fill = {"labels": task / "labelsTr" / "a.nii.gz", "out": tmp_path / "m", "other": other}
    argv = [a.format(**fill) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_surfaces_help_gives_one_default_per_option(capsys):
    """--label-ids said 'default every label; default none'; --format had no help at all."""
    with pytest.raises(SystemExit):
        main(["surfaces", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default every label; default none" not in text
    assert "none = every label" in text
    assert "default stl" in text


def test_surfaces_names_the_asked_labels_that_are_not_there(task, tmp_path, capsys):
    """--label-ids 1,7 meshed label 1 and said nothing about 7."""
    labels = task / "labelsTr" / "a.nii.gz"
    argv = ["surfaces", str(labels), "-o", str(tmp_path / "m"), "--label-ids", "1,7", "--quiet"]
    assert main(argv) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--label-ids 7: not in a.nii.gz" in err[0], err
    assert [p.name for p in (tmp_path / "m").iterdir()] == ["a_1_spleen.stl"]
