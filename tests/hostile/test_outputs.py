"""Outputs never overwrite inputs: task files, folders, checkpoints, links (issue 22 §1)."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from ._contract import run_cli


def test_segment_batch_into_its_input_folder_is_refused(task, tmp_path):
    inp = shutil.copytree(task / "imagesTs", tmp_path / "IN")
    line = run_cli(["segment-batch", inp, "-o", inp, "--overwrite"], inp)[2]
    assert "input folder" in line
    line = run_cli(["segment-batch", inp, "-o", inp], inp)[2]  # was "0 done, 2 skipped"
    assert "input folder" in line


def test_segment_batch_output_folder_holding_an_input_is_refused(task, tmp_path):
    out = tmp_path / "OUT"
    out.mkdir()
    shutil.copy(task / "imagesTs" / "synthetic_2.nii.gz", out / "a.nii.gz")
    listing = tmp_path / "list.txt"
    listing.write_text("OUT/a.nii.gz\n")
    line = run_cli(["segment-batch", listing, "-o", out], out)[2]
    assert "holds the input file" in line


@pytest.mark.parametrize("sub", ["imagesTr", "labelsTr"])
def test_segment_case_over_a_task_file_is_refused(task, sub):
    target = task / sub / "synthetic_0.nii.gz"
    line = run_cli(["segment", task, "--case", "synthetic_0", "-o", target], task)[2]
    assert str(target) in line and "input file" in line


def test_links_to_an_input_are_the_input(task, tmp_path):
    image = task / "imagesTr" / "synthetic_1.nii.gz"
    hard, soft = tmp_path / "hard.nii.gz", tmp_path / "soft.nii.gz"
    os.link(image, hard)
    soft.symlink_to(image)
    for out in (hard, soft):
        run_cli(["segment", task, "--case", "synthetic_1", "-o", out], task)


@pytest.mark.parametrize("what", ["labels", "prediction", "dataset"])
def test_evaluate_csv_over_an_input_is_refused(task, tmp_path, what):
    pred = shutil.copytree(task / "labelsTr", tmp_path / "pred")
    csv = {
        "labels": task / "labelsTr" / "synthetic_0.nii.gz",
        "prediction": pred / "synthetic_1.nii.gz",
        "dataset": task / "dataset.json",
    }[what]
    run_cli(["evaluate", pred, task, "--csv", csv], task, pred)


def test_stats_csv_over_the_dataset_json_it_read_is_refused(task):
    labels = task / "labelsTr" / "synthetic_0.nii.gz"
    line = run_cli(["stats", labels, "--csv", task / "dataset.json"], task)[2]
    assert "dataset.json" in line


def test_train_out_over_its_init_checkpoint_is_refused(task, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "best.safetensors").write_bytes(b"weights a user trained for a day")
    argv = ["train", task, "--init", run / "best.safetensors", "--out", run, "--epochs", "1"]
    line = run_cli(argv, task, run)[2]
    assert "--out" in line and "best.safetensors" in line


def test_make_synthetic_task_over_a_task_is_refused(task):
    line = run_cli(["make-synthetic-task", task, "--cases", "1"], task)[2]
    assert "already a task" in line


def test_overwriting_an_earlier_output_is_allowed(task, tmp_path):
    out = tmp_path / "out.nii.gz"
    image = task / "imagesTr" / "synthetic_0.nii.gz"
    for _ in range(2):
        rc = run_cli(["segment", image, "-o", out, "--quiet"], task, refused=False)[0]
        assert rc == 0 and out.is_file()


def test_input_files_cover_what_dataset_json_names(task):
    from napari_seg._inputs import InputFiles

    inputs = InputFiles().add(task)
    for rel in ("dataset.json", "imagesTr/synthetic_0.nii.gz", "labelsTr/synthetic_1.nii.gz"):
        assert inputs.clash(task / rel) is not None
    assert inputs.clash(task / "new.csv") is None


def test_batch_lock_refuses_a_live_writer_and_takes_a_stale_one(tmp_path):
    from napari_seg.batch.guard import LOCK_NAME, output_lock

    with (
        output_lock(tmp_path),
        pytest.raises(ValueError, match="another batch"),
        output_lock(tmp_path),
    ):
        pass
    info = {"host": os.uname().nodename, "pid": 2**22 + 12345}  # no such process
    (tmp_path / LOCK_NAME).write_text(json.dumps(info))
    with output_lock(tmp_path) as lock:
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert not (tmp_path / LOCK_NAME).exists()


@pytest.mark.parametrize("address", ["ucx://host:1234", "tls://host:8786", "ws://h:1", "tcp://"])
def test_unsupported_scheduler_schemes_are_refused(task, tmp_path, address):
    argv = ["segment-batch", task, "-o", tmp_path / "o", "--scheduler", address]
    assert "only tcp://" in run_cli(argv, task)[2]


def test_workers_are_capped_by_cores_cases_and_memory():
    from napari_seg.batch.guard import worker_count

    n, note = worker_count(1024, 3, 0)
    assert n <= min(3, os.cpu_count() or 1) and "capped" in note
    n, note = worker_count(2, 100, 10**15)  # a case of a petabyte: one worker at most
    assert n == 1 and "memory" in note


def _no_meshing(monkeypatch):
    import napari_seg.inspect as inspect

    def refuse(*_args, **_kw):
        raise AssertionError("meshed before the output names were checked")

    monkeypatch.setattr(inspect, "label_surfaces", refuse)


def test_surfaces_checks_its_file_names_before_meshing(task, tmp_path, monkeypatch):
    labels = task / "labelsTr" / "synthetic_0.nii.gz"
    out = tmp_path / "m"
    out.mkdir()
    existing = out / "synthetic_0_1_spleen.stl"
    existing.write_bytes(b"an earlier mesh")
    _no_meshing(monkeypatch)
    line = run_cli(["surfaces", labels, "-o", out, "--quiet"], task, out)[2]
    assert "synthetic_0_1_spleen.stl exist already" in line and "--overwrite" in line
    # a mesh file that is an input (a link to the labels) is refused even with --overwrite
    existing.unlink()
    existing.symlink_to(labels)
    argv = ["surfaces", labels, "-o", out, "--overwrite", "--quiet"]
    assert "this is the input file" in run_cli(argv, task)[2]
    existing.unlink()
    (tmp_path / "f").write_text("x")
    assert "a file, not a folder" in run_cli(["surfaces", labels, "-o", tmp_path / "f"], task)[2]


def test_surfaces_overwrite_replaces_earlier_meshes(task, tmp_path):
    labels = task / "labelsTr" / "synthetic_0.nii.gz"
    out = tmp_path / "m"
    out.mkdir()
    (out / "synthetic_0_1_spleen.stl").write_bytes(b"an earlier mesh")
    argv = ["surfaces", labels, "-o", out, "--overwrite", "--quiet", "--smooth-passes", "0"]
    rc, text, _ = run_cli(argv, task, refused=False)
    assert rc == 0 and "synthetic_0_1_spleen.stl: label 1" in text
    assert (out / "synthetic_0_1_spleen.stl").read_bytes()[:15] != b"an earlier mesh"
