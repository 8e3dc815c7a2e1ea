"""Label tables: formats read and written back, lookup beside a file, intent 1002, units."""

from __future__ import annotations

import json

import nibabel as nib
import numpy as np
import pytest

from napari_seg.io import Geometry, load_nifti, save_nifti
from napari_seg.io.kinds import guess_kind
from napari_seg.io.labeltable import LabelTable, Segment, default_color, table_for_volume
from napari_seg.io.nifti import nifti_intent

ITKSNAP = """################################################
# ITK-SnAP Label Description File
#    IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL
################################################
    0     0    0    0        0  0  0    "Clear Label"
    1   255    0    0        1  1  1    "Liver"
    2     0  255    0      0.5  0  1    "Tumor core"
"""


def test_itksnap_file_gives_names_colours_and_visibility(tmp_path):
    path = tmp_path / "seg.txt"
    path.write_text(ITKSNAP)
    table = LabelTable.read(path)
    assert table.source_format == "itksnap"
    assert table.names == {0: "Clear Label", 1: "Liver", 2: "Tumor core"}
    assert table.segments[1].color == (1.0, 0.0, 0.0, 1.0)
    assert table.segments[2] == Segment("Tumor core", (0.0, 1.0, 0.0, 0.5), visible=False)
    again = LabelTable.read(table.write(tmp_path / "back.txt"))
    assert again == table


def test_slicer_and_freesurfer_tables_differ_only_in_alpha(tmp_path):
    slicer = tmp_path / "seg.ctbl"
    slicer.write_text("# Color table file\n0 Background 0 0 0 0\n1 liver 221 130 101 255\n")
    fs = tmp_path / "FreeSurferColorLUT.txt"
    fs.write_text(
        "#No. Label Name: R G B A\n0 Unknown 0 0 0 0\n17 Left-Hippocampus 220 216 20 0\n"
    )
    a, b = LabelTable.read(slicer), LabelTable.read(fs)
    assert (a.source_format, b.source_format) == ("slicer", "freesurfer")
    assert a.segments[1].color[3] == 1.0 and b.segments[17].color[3] == 1.0  # FS: 0 = opaque
    assert b.names[17] == "Left-Hippocampus"
    assert np.allclose(a.segments[1].color[:3], (221 / 255, 130 / 255, 101 / 255))
    for table in (a, b):
        out = table.write(tmp_path / f"out_{table.source_format}.txt")
        assert LabelTable.read(out) == table


def test_mricron_names_take_their_palette(tmp_path):
    (tmp_path / "atlas.nii.txt").write_text("1 Precentral_L 2001\n2 Precentral_R 2002\n")
    palette = bytes(range(256)) + bytes([0] * 256) + bytes([255] * 256)
    (tmp_path / "atlas.nii.lut").write_bytes(palette)
    table = LabelTable.read(tmp_path / "atlas.nii.txt")
    assert table.names == {1: "Precentral_L", 2: "Precentral_R"}
    assert table.segments[2].color == (2 / 255, 0.0, 1.0, 1.0)


def test_from_dict_takes_the_segment_boundary_form():
    table = LabelTable.from_dict({3: {"name": "kidney", "color": (255, 0, 0)}, "1": "liver"})
    assert table.names == {1: "liver", 3: "kidney"}
    assert table.segments[3].color == (1.0, 0.0, 0.0, 1.0)
    assert table.segments[1].color == default_color(1)
    assert LabelTable.from_dict(table.to_dict()) == table
    with pytest.raises(ValueError, match="3 or 4"):
        LabelTable.from_dict({1: {"name": "x", "color": (1, 2)}})


def test_edits_return_new_tables():
    table = LabelTable.from_names({1: "liver"})
    assert table.renamed(1, "hepar").names == {1: "hepar"} and table.names == {1: "liver"}
    assert table.with_flags(1, locked=True).locked == {1}
    assert table.with_segment(table.next_free()).names[2] == "label 2"
    assert table.without(1).segments == {}
    with pytest.raises(ValueError, match="empty"):
        table.renamed(1, "  ")


def test_unreadable_table_names_the_file(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("these are my notes\n")
    with pytest.raises(ValueError, match="notes.txt"):
        LabelTable.read(bad)


def _task(tmp_path, labels):
    task = tmp_path / "Task03_Liver"
    (task / "labelsTr").mkdir(parents=True)
    (task / "dataset.json").write_text(json.dumps({"labels": labels}))
    path = task / "labelsTr" / "liver_117.nii.gz"
    save_nifti(np.zeros((2, 3, 4), np.uint8), Geometry(np.eye(4)), path, kind="labels")
    return path


@pytest.mark.parametrize(
    "labels", [{"0": "background", "1": "liver", "2": "cancer"},  # Decathlon
               {"background": 0, "liver": 1, "cancer": 2}],  # nnU-Net v2
)  # fmt: skip
def test_lone_labelstr_file_gets_names_from_dataset_json(tmp_path, labels):
    table = table_for_volume(_task(tmp_path, labels))
    assert table is not None and table.names == {0: "background", 1: "liver", 2: "cancer"}
    assert table.source_format == "dataset.json"


def test_a_sidecar_wins_over_dataset_json_and_a_stray_text_file_is_skipped(tmp_path):
    path = _task(tmp_path, {"0": "background", "1": "liver"})
    (path.parent / "liver_117.txt").write_text("not a table\n")
    assert table_for_volume(path).source_format == "dataset.json"
    (path.parent / "liver_117.ctbl").write_text("1 hepar 200 0 0 255\n")
    assert table_for_volume(path).names == {1: "hepar"}
    assert table_for_volume(tmp_path / "elsewhere.nii.gz") is None


def test_intent_label_volume_is_labels_whatever_the_number_of_values(tmp_path):
    data = (np.arange(6 * 6 * 6) % 117).astype(np.uint8).reshape(6, 6, 6)  # 117 values
    img = nib.Nifti1Image(data.T, np.eye(4))
    img.header.set_intent("label")
    nib.save(img, tmp_path / "atlas.nii.gz")
    nib.save(nib.Nifti1Image(data.T, np.eye(4)), tmp_path / "plain.nii.gz")
    atlas, plain = load_nifti(tmp_path / "atlas.nii.gz"), load_nifti(tmp_path / "plain.nii.gz")
    assert nifti_intent(atlas.geometry) == 1002
    assert guess_kind(tmp_path / "atlas.nii.gz", atlas.data, intent=1002) == "labels"
    assert guess_kind(tmp_path / "plain.nii.gz", plain.data) == "image"  # > 64 values


def test_micrometre_file_keeps_its_unit_through_load_and_save(tmp_path):
    img = nib.Nifti1Image(np.zeros((4, 4, 4), np.float32), np.diag([0.5, 0.5, 2.0, 1.0]))
    img.header.set_xyzt_units("micron", "sec")
    nib.save(img, tmp_path / "cells.nii.gz")
    vol = load_nifti(tmp_path / "cells.nii.gz")
    assert vol.geometry.unit == "µm"
    assert vol.geometry.layer_kwargs()["units"] == ("µm",) * 3
    assert np.allclose(vol.geometry.in_mm().affine[:3, :3], np.diag([5e-4, 5e-4, 2e-3]))
    fresh = save_nifti(vol.data, Geometry(vol.geometry.affine, unit="µm"), tmp_path / "o.nii")
    assert nib.load(fresh).header.get_xyzt_units()[0] == "micron"


def test_cli_cleanup_writes_the_input_table_beside_its_output(tmp_path, capsys):
    from napari_seg.cli import main

    data = np.zeros((6, 12, 12), np.uint8)
    data[1:5, 2:6, 2:6], data[1:5, 7:11, 7:11], data[0, 0, 0] = 1, 2, 2
    src = save_nifti(data, Geometry(np.eye(4)), tmp_path / "seg.nii.gz")
    (tmp_path / "seg.ctbl").write_text("1 liver 200 0 0 255\n2 tumour 0 0 200 255\n")
    out = tmp_path / "out" / "clean.nii.gz"
    assert main(["segment", str(src), "-o", str(out), "--method", "cleanup",
                 "--min-voxels", "2", "--quiet"]) == 0  # fmt: skip
    table = LabelTable.read(tmp_path / "out" / "clean.ctbl")
    assert table.names == {1: "liver", 2: "tumour"} and table.source_format == "slicer"
    assert main(["segment", str(src), "-o", str(tmp_path / "inst.nii.gz"), "--method",
                 "cleanup", "--components", "--quiet"]) == 0  # fmt: skip
    assert not (tmp_path / "inst.ctbl").exists()  # instances: the classes' names do not apply


def test_invalid_xyzt_units_read_as_mm(tmp_path):
    img = nib.Nifti1Image(np.zeros((4, 4, 4), np.float32), np.eye(4))
    img.header["xyzt_units"] = 255  # nibabel's get_xyzt_units raises KeyError on this
    nib.save(img, tmp_path / "odd.nii")
    assert load_nifti(tmp_path / "odd.nii").geometry.unit == "mm"
