from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.io import DecathlonError, Geometry, is_decathlon_path, load_decathlon, save_nifti


@pytest.fixture(scope="module")
def task_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tasks") / "Task90_Synthetic"
    return make_synthetic_task(root, cases=3, test_cases=2, shape=(12, 24, 24))


@pytest.fixture
def task(task_template, tmp_path) -> Path:
    return Path(shutil.copytree(task_template, tmp_path / task_template.name))


def _edit_json(root: Path, **changes) -> None:
    meta = json.loads((root / "dataset.json").read_text())
    meta.update(changes)
    (root / "dataset.json").write_text(json.dumps(meta))


def test_description_and_lazy_cases(task):
    t = load_decathlon(task)
    assert t.name == "Task90_SyntheticSpleen" and t.labels == {0: "background", 1: "spleen"}
    assert t.modalities == {0: "CT"}
    assert [c.name for c in t.training] == ["synthetic_0", "synthetic_1", "synthetic_2"]
    assert [c.split for c in t.test] == ["test", "test"]
    assert load_decathlon(task / "dataset.json").root == task
    case = t.load_case("synthetic_1")
    assert case.channels[0].data.shape == case.label.data.shape == (12, 24, 24)
    assert t.check_cases() == {}
    assert is_decathlon_path(task) and is_decathlon_path(task / "dataset.json")
    assert not is_decathlon_path(task / "imagesTr")


def test_multimodal_4d_case_splits_into_channels(tmp_path):
    root = make_synthetic_task(
        tmp_path / "T4", cases=1, test_cases=0, shape=(8, 16, 16), modalities=2
    )
    t = load_decathlon(root)
    case = t.load_case(t.training[0])
    assert len(case.channels) == 2 and case.channels[1].data.shape == (8, 16, 16)
    assert not np.array_equal(case.channels[0].data, case.channels[1].data)


def test_missing_dataset_json(tmp_path):
    with pytest.raises(DecathlonError, match="no dataset.json"):
        load_decathlon(tmp_path)


def test_malformed_json(task):
    (task / "dataset.json").write_text("{not json")
    with pytest.raises(DecathlonError, match="malformed"):
        load_decathlon(task)


def test_missing_keys(task):
    meta = json.loads((task / "dataset.json").read_text())
    del meta["labels"]
    (task / "dataset.json").write_text(json.dumps(meta))
    with pytest.raises(DecathlonError, match="lacks the keys"):
        load_decathlon(task)


@pytest.mark.parametrize("bad", ["../outside.nii.gz", "/etc/passwd", "./imagesTr/../../x.nii.gz"])
def test_paths_escaping_the_task_are_refused(task, bad):
    _edit_json(task, training=[{"image": bad, "label": "./labelsTr/synthetic_0.nii.gz"}])
    with pytest.raises(DecathlonError, match="escapes"):
        load_decathlon(task)


def test_symlink_out_of_the_task_is_refused(task, tmp_path):
    outside = tmp_path / "secret.nii.gz"
    save_nifti(np.zeros((2, 2, 2), np.uint8), Geometry(np.eye(4)), outside)
    (task / "imagesTr" / "link.nii.gz").symlink_to(outside)
    _edit_json(task, training=[{"image": "./imagesTr/link.nii.gz", "label": None}])
    with pytest.raises(DecathlonError, match="links outside"):
        load_decathlon(task)


def test_macos_resource_files_are_skipped(task):
    (task / "imagesTs" / "._synthetic_3.nii.gz").write_bytes(b"\0\5\x16\7junk")
    meta = json.loads((task / "dataset.json").read_text())
    meta["training"].append({"image": "./imagesTr/._synthetic_0.nii.gz", "label": None})
    del meta["test"]  # test cases are then found in imagesTs/
    (task / "dataset.json").write_text(json.dumps(meta))
    t = load_decathlon(task)
    assert all(not c.name.startswith("._") for c in t.cases)
    assert len(t.training) == 3 and len(t.test) == 2


def test_shape_and_affine_mismatch_reported_per_case(task):
    save_nifti(
        np.zeros((12, 24, 23), np.uint8),
        Geometry.from_spacing((2.5, 1.6, 1.6)),
        task / "labelsTr" / "synthetic_1.nii.gz",
    )
    save_nifti(
        np.zeros((12, 24, 24), np.uint8),
        Geometry.from_spacing((2.5, 1.6, 1.7)),
        task / "labelsTr" / "synthetic_2.nii.gz",
    )
    problems = load_decathlon(task).check_cases()
    assert set(problems) == {"synthetic_1", "synthetic_2"}
    assert "shape" in problems["synthetic_1"] and "same grid" in problems["synthetic_2"]
    with pytest.raises(DecathlonError, match="case synthetic_1"):
        load_decathlon(task).load_case("synthetic_1")


def test_wrong_channel_count_and_missing_case(task):
    _edit_json(task, modality={"0": "CT", "1": "PET"})
    t = load_decathlon(task)
    with pytest.raises(DecathlonError, match="1 channel"):
        t.load_case("synthetic_0")
    with pytest.raises(DecathlonError, match="no case named"):
        t.case("nope")


def test_missing_image_file_is_a_decathlon_error(task):
    (task / "imagesTr" / "synthetic_0.nii.gz").unlink()
    with pytest.raises(DecathlonError, match="no such file"):
        load_decathlon(task).load_case("synthetic_0")


@pytest.mark.parametrize(
    ("key", "value", "where"),
    [
        ("test", [{}], "test[0]"),
        ("labels", {"0": "bg", "a": "b"}, "labels"),
        ("labels", {"0": ["bg"]}, "labels.0"),
        ("training", [{"image": {"a": 1}}], "training[0].image"),
        ("name", {"x": 1}, "name"),
    ],
)
def test_dataset_json_schema_names_the_key(tmp_path, key, value, where):
    meta = {"name": "x", "modality": {"0": "CT"}, "labels": {"0": "bg"}, "training": []}
    (tmp_path / "dataset.json").write_text(json.dumps({**meta, key: value}))
    pattern = "dataset.json: " + where.replace("[", ".").replace("]", ".")
    with pytest.raises(DecathlonError, match=pattern):
        load_decathlon(tmp_path)
