"""segment-batch under careless use: paths, schedulers, failures, resume, Ctrl-C (issue 22 §2)."""

from __future__ import annotations

import json
import shutil
import socket
import time

import pytest

from napari_seg.batch import segment_many

from ._contract import run_cli

pytest.importorskip("distributed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_scheduler_that_does_not_answer_ends_in_one_line(task, tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"
    argv = ["segment-batch", task, "-o", tmp_path / "o", "--scheduler", address]
    t0 = time.monotonic()
    line = run_cli([*argv, "--connect-timeout", "1"], task)[2]
    assert "no scheduler answered within 1 s" in line
    assert time.monotonic() - t0 < 30


def test_a_scheduler_without_workers_ends_in_one_line(task, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=0, processes=False, protocol="tcp://", dashboard_address=":0"
    ) as cluster:
        argv = ["segment-batch", task, "-o", tmp_path / "o", "--scheduler"]
        line = run_cli([*argv, cluster.scheduler_address, "--connect-timeout", "1"], task)[2]
    assert "has no worker after 1 s" in line


def test_connect_timeout_applies_only_to_a_scheduler(task, tmp_path):
    argv = ["segment-batch", task, "-o", tmp_path / "o", "--connect-timeout", "5"]
    assert "only with --scheduler" in run_cli(argv, task)[2]


def test_damaged_batch_json_entries_on_resume(task, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    for name in ("synthetic_2", "synthetic_3"):  # both outputs exist: nothing to run
        (out / f"{name}.nii.gz").write_bytes(b"done earlier")
    (out / "batch.json").write_text(
        json.dumps({"cases": {"synthetic_2": "garbage", "synthetic_3": [1, 2]}})
    )
    rc, text, err = run_cli(["segment-batch", task, "-o", out, "--quiet"], task, refused=False)
    assert rc == 0 and "2 skipped" in text and not err
    cases = json.loads((out / "batch.json").read_text())["cases"]
    assert {c["status"] for c in cases.values()} == {"skipped"}


def test_failures_are_one_line_each_and_paths_are_absolute(task, tmp_path, monkeypatch):
    inp = shutil.copytree(task / "imagesTs", tmp_path / "IN")
    for f in inp.iterdir():  # damaged files: each case fails when its worker reads it
        f.write_bytes(f.read_bytes()[:400])
    monkeypatch.chdir(tmp_path)  # relative INPUT and OUTDIR, as a user types them
    argv = ["segment-batch", "IN", "-o", "OUT", "--workers", "1", "--quiet"]
    rc, text, err = run_cli(argv, inp, refused=False)
    assert rc == 1 and "2 failed" in text
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all(ln.startswith("failed: ") for ln in lines), lines
    assert all("synthetic_" in ln and "Traceback" not in ln for ln in lines)
    cases = json.loads((tmp_path / "OUT" / "batch.json").read_text())["cases"]
    assert all(c["image"].startswith(str(tmp_path)) for c in cases.values())
    assert not (tmp_path / "OUT" / ".napari-seg-batch.lock").exists()


def test_ctrl_c_keeps_the_finished_cases_in_batch_json(task, tmp_path):
    def interrupt(done, total):
        raise KeyboardInterrupt

    inp = shutil.copytree(task / "imagesTs", tmp_path / "IN")
    with pytest.raises(KeyboardInterrupt):
        segment_many(inp, tmp_path / "OUT", method="otsu", workers=1, progress=interrupt)
    report = json.loads((tmp_path / "OUT" / "batch.json").read_text())
    assert report["counts"]["done"] == 1 and report["counts"]["cancelled"] == 1


def test_resuming_with_another_method_is_refused(task, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "synthetic_2.nii.gz").write_bytes(b"a k-means result")
    recipe = {"method": "kmeans", "params": {}, "cleanup": {}, "unet": None}
    (out / "batch.json").write_text(json.dumps({"method": "kmeans", "recipe": recipe}))
    line = run_cli(["segment-batch", task, "-o", out, "--method", "otsu"], task, out)[2]
    assert "method 'kmeans'" in line and "method 'otsu'" in line and "--overwrite" in line


def test_a_missing_channel_is_refused_before_the_batch_starts(task, tmp_path, monkeypatch):
    import napari_seg.batch.run as batch_run

    def no_cluster(*_args, **_kw):
        raise AssertionError("a cluster started for a batch that must be refused")

    monkeypatch.setattr(batch_run, "make_client", no_cluster)
    out = tmp_path / "o"
    line = run_cli(["segment-batch", task, "-o", out, "--channel", "3", "--quiet"], task)[2]
    assert "--channel 3:" in line and "has 1 channel(s) (and 1 more of the 2 inputs)" in line
    assert not out.exists()


def test_channel_count_reads_headers_only(tmp_path):
    import nibabel as nib
    import numpy as np

    from napari_seg.batch.inputs import channel_count

    four = tmp_path / "four.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((4, 5, 6, 2), np.float32), np.eye(4)), four)
    (tmp_path / "junk.nii.gz").write_bytes(b"not a volume")
    assert channel_count(four) == 2
    assert channel_count(tmp_path / "junk.nii.gz") is None  # the case's load will say why
