"""segment-batch on a real dask LocalCluster (2 worker processes)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import numpy as np
import pytest

pytest.importorskip("distributed")

from napari_seg.batch import segment_many
from napari_seg.cli import main
from napari_seg.data.synthetic import make_synthetic_ct
from napari_seg.io import Geometry, load_nifti, save_nifti
from napari_seg.segment.methods import run_method
from tests._geometry import LPS

PARAMS = {"low": 90.0, "high": 250.0, "open_mm": 2.0, "largest": True}


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch-in")
    for seed in range(4):
        ct = make_synthetic_ct((24, 64, 64), seed=seed)
        save_nifti(ct.image, Geometry(LPS), folder / f"case{seed}.nii.gz")
    return folder


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        yield c


def test_outputs_equal_sequential_segment_and_resume(cases, cluster, tmp_path, capsys):
    out = tmp_path / "out"
    result = segment_many(
        cases, out, method="manual", params=PARAMS, scheduler=cluster.scheduler_address
    )
    assert sorted(result.cases) == [f"case{i}" for i in range(4)]
    assert {c["status"] for c in result.cases.values()} == {"done"}
    assert len({c["worker"] for c in result.cases.values()}) == 2  # both workers were used
    for i in range(4):
        vol = load_nifti(cases / f"case{i}.nii.gz")
        expected = run_method("manual", vol.data, spacing=vol.geometry.spacing, params=PARAMS)
        got = load_nifti(out / f"case{i}.nii.gz")
        assert np.array_equal(got.data, expected)
        assert np.allclose(got.geometry.affine, vol.geometry.affine)
    # the CLI on the same folder, with the same option names as `segment`: all skipped
    argv = [
        "segment-batch",
        str(cases),
        "-o",
        str(out),
        "--method",
        "manual",
        "--low",
        "90",
        "--high",
        "250",
        "--open-mm",
        "2",
        "--largest",
        "--scheduler",
        cluster.scheduler_address,
        "--quiet",
    ]
    assert main(argv) == 0
    assert "0 done, 4 skipped" in capsys.readouterr().out
    (out / "case2.nii.gz").unlink()  # resume redoes only what is missing
    again = segment_many(
        cases, out, method="manual", params=PARAMS, scheduler=cluster.scheduler_address
    )
    assert again.cases["case2"]["status"] == "done"
    assert again.cases["case0"]["status"] == "skipped"
    assert again.cases["case0"]["earlier"] == "skipped" or "seconds" in again.cases["case0"]
    report = json.loads((out / "batch.json").read_text())
    assert report["counts"] == {"done": 1, "skipped": 3, "failed": 0, "cancelled": 0}


def test_a_corrupt_case_is_recorded_and_the_rest_written(cases, cluster, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(2):
        (folder / f"case{i}.nii.gz").write_bytes((cases / f"case{i}.nii.gz").read_bytes())
    (folder / "broken.nii.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    result = segment_many(
        folder, tmp_path / "out", method="otsu", scheduler=cluster.scheduler_address
    )
    assert result.failed == ["broken"]
    assert "broken.nii.gz" in result.cases["broken"]["error"]
    assert (tmp_path / "out" / "case0.nii.gz").exists()
    assert not (tmp_path / "out" / "broken.nii.gz").exists()
    with pytest.raises(ValueError, match="--k"):  # options are checked before any work
        segment_many(
            folder,
            tmp_path / "o2",
            method="kmeans",
            params={"k": 0},
            scheduler=cluster.scheduler_address,
        )


def test_killing_a_worker_mid_batch_still_completes(tmp_path):
    from distributed import LocalCluster

    folder = tmp_path / "in"
    folder.mkdir()
    ct = make_synthetic_ct((48, 128, 128), seed=1)
    for i in range(8):
        save_nifti(ct.image, Geometry(LPS), folder / f"case{i}.nii.gz")
    out = tmp_path / "out"
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        pids = [w.process.pid for w in cluster.workers.values()]
        killed = []

        def kill_one() -> None:
            deadline = time.time() + 60
            while time.time() < deadline and not any(out.glob("case*.nii.gz")):
                time.sleep(0.01)
            os.kill(pids[0], signal.SIGKILL)
            killed.append(time.time())

        killer = threading.Thread(target=kill_one)
        killer.start()
        result = segment_many(
            folder,
            out,
            method="watershed",
            params={"min_distance_mm": 5.0},
            scheduler=cluster.scheduler_address,
        )
        killer.join()
    assert {c["status"] for c in result.cases.values()} == {"done"}
    assert sum(c["finished"] > killed[0] for c in result.cases.values()) >= 2  # after the kill
    first = load_nifti(out / "case0.nii.gz").data
    for i in range(1, 8):  # a retried case is whole: atomic writes
        assert np.array_equal(load_nifti(out / f"case{i}.nii.gz").data, first)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
