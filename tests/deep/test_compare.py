"""The comparison protocol on a tiny synthetic task: deterministic, complete, same on dask."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.deep.compare import cluster, compare_models, run_jobs
from napari_seg.deep.config import DataConfig, Protocol, TrainConfig
from napari_seg.deep.job import Job, run_job

DATA = DataConfig(
    target_spacing=(5.0, 3.2, 3.2), roi=(16, 32, 32), samples_per_volume=2, batch_size=2,
    cache="memory",
)  # fmt: skip
CFG = TrainConfig(lr=1e-2, n_folds=2, data=DATA, device="cpu", split_seed=0)


@pytest.fixture(scope="module")
def task(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cmp") / "Task96_Tiny"
    return make_synthetic_task(
        root, cases=4, test_cases=1, shape=(24, 48, 48), spacing=(5.0, 3.2, 3.2)
    )


def test_a_steps_run_is_deterministic_and_scored_per_case(task, tmp_path):
    job = Job("axialunet", replace(CFG, model="axialunet", seed=3), "steps", 3, evals=1)
    a = run_job(task, tmp_path / "a", job)
    b = run_job(task, tmp_path / "b", job)
    assert a["steps"] == 3 and len(a["curve"]) == 1 and a["curve"][0]["step"] == 3
    assert a["case_dice"] == b["case_dice"] and a["final_val_dice"] == b["final_val_dice"]
    assert len(a["case_dice"]) == 2  # two folds of four cases: two validation cases
    assert a["flops_per_voxel"] > 0 and a["parameters"] > 0 and a["threads"]["torch_threads"] == 1
    assert (tmp_path / "a" / job.key / "final.safetensors").is_file()
    other = run_job(task, tmp_path / "c", replace(job, cfg=replace(job.cfg, seed=4)))
    assert other["case_dice"] != a["case_dice"]  # the seed matters: the check can fail


@pytest.mark.parametrize("clock", ["wall", "cpu"])
def test_a_budget_run_stops_at_its_clock(task, tmp_path, clock):
    job = Job("unet", replace(CFG, model="unet"), "budget", 1.5, evals=2, threads=1, clock=clock)
    r = run_job(task, tmp_path, job)
    assert 1.5 <= r["train_seconds"] < 1.5 + 5 and len(r["curve"]) == 2
    assert r["curve"][0]["seconds"] >= 0.75 and r["steps"] >= 1 and r["clock"] == clock


@pytest.mark.slow
def test_compare_writes_the_report_with_size_match_and_statistics(task, tmp_path):
    out = tmp_path / "cmp"
    seen = []
    protocol = Protocol(steps=2, seeds=(0, 1), evals=1, match_size=True, lr_grid=(1e-2, 3e-3))
    content = compare_models(
        task, out, ["unet", "axialunet"], CFG, protocol, on_point=lambda j, p: seen.append(j.key)
    )
    saved = json.loads((out / "compare.json").read_text())
    assert (
        saved["arms"].keys() == {"steps"} and (out / "compare_steps.png").stat().st_size > 10_000
    )
    models = saved["arms"]["steps"]["models"]
    assert list(models) == ["unet", "axialunet", "unet-matched"]
    assert (
        abs(models["unet-matched"]["parameters"] / models["axialunet"]["parameters"] - 1) <= 0.15
    )
    assert models["unet"]["runs"] == 2 and len(models["unet"]["curve"]["val_dice_mean"]) == 1
    assert set(saved["arms"]["steps"]["lr_grid"]["unet"][0]) == {"lr", "final_val_dice"}
    comparisons = saved["arms"]["steps"]["comparisons"]
    assert [c["challenger"] for c in comparisons] == ["axialunet", "unet-matched"]
    assert all("no difference shown" in c["verdict"] for c in comparisons)  # 2 cases only
    md = (out / "compare.md").read_text()
    assert "axialunet − unet" in md and "FLOPs/voxel" in md and "lr-grid" not in md
    assert len(seen) == 6 and content["protocol"]["seeds"] == [0, 1]
    assert saved["environment"]["threads"]["torch_threads"] == 1
    from napari_seg.deep.compare import rewrite_report

    again = rewrite_report(out)  # the statistics again, from the JSON alone
    assert again["arms"]["steps"]["comparisons"] == saved["arms"]["steps"]["comparisons"]


def test_a_protocol_without_budget_is_refused(task, tmp_path):
    with pytest.raises(ValueError, match="--steps N and/or --budget-s"):
        compare_models(task, tmp_path, ["unet"], CFG, Protocol())
    with pytest.raises(ValueError, match="unknown"):
        compare_models(task, tmp_path, ["unet", "nope"], CFG, Protocol(steps=1))


@pytest.mark.slow
def test_dask_gives_the_same_results_as_sequential(task, tmp_path):
    jobs = [
        Job(m, replace(CFG, model=m, seed=s), "steps", 2, evals=1)
        for m in ("unet", "axialunet")
        for s in (0, 1)
    ]
    sequential = run_jobs(task, tmp_path / "seq", jobs)
    with cluster(workers=2) as client:
        distributed = run_jobs(task, tmp_path / "dask", jobs, client=client)
    for a, b in zip(sequential, distributed, strict=True):
        assert (a["label"], a["seed"]) == (b["label"], b["seed"])
        assert a["case_dice"] == b["case_dice"] and a["curve"][0]["loss"] == b["curve"][0]["loss"]
        assert not math.isnan(a["final_val_dice"])


@pytest.mark.slow
def test_label_efficiency_with_and_without_pretraining(task, tmp_path):
    from napari_seg.deep.pretrain import pretrain

    start = pretrain(task, tmp_path / "pre", CFG, steps=2).checkpoint
    protocol = Protocol(steps=2, seeds=(0,), evals=1, labelled=(1, 2), pretrained=str(start))
    content = compare_models(task, tmp_path / "out", ["unet"], CFG, protocol)
    table = content["label_efficiency"]
    assert [r["labelled"] for r in table["rows"]] == [1, 2] and table["arm"] == "steps"
    assert all(r["scratch"]["seeds"] == r["pretrained"]["seeds"] == 1 for r in table["rows"])
    md = (tmp_path / "out" / "compare.md").read_text()
    assert "## Label efficiency" in md and "| 2 |" in md
    inits = sorted(p.name for p in (tmp_path / "out" / "labelled" / "steps").iterdir())
    assert inits == ["unet-pretrained-labelled1", "unet-pretrained-labelled2",
                     "unet-scratch-labelled1", "unet-scratch-labelled2"]  # fmt: skip
    with pytest.raises(ValueError, match="--pretrained"):
        compare_models(task, tmp_path / "x", ["unet"], CFG, replace(protocol, pretrained=None))


def test_cli_compare_with_recheck(task, tmp_path, capsys):
    from napari_seg.cli import main

    out = tmp_path / "cli"
    geo = ["--roi-size", "16", "32", "32", "--spacing", "5", "3.2", "3.2", "--folds", "2"]
    argv = ["compare", str(task), "--out", str(out), "--models", "unet", "--steps", "2"]
    assert main([*argv, "--seeds", "0", "--evals", "1", "--recheck", "--quiet", *geo]) == 0
    saved = json.loads((out / "compare.json").read_text())
    (again,) = saved["reproducibility"]
    assert again["reproducible"] and again["difference"] == 0 and again["steps"] == [2, 2]
    assert "Reproducibility" in capsys.readouterr().out
