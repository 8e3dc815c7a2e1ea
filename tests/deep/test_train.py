"""Training, resume, compare, bad input and DDP on a tiny synthetic task (CPU)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from napari_seg.cli import main
from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.deep.checkpoint import load_checkpoint
from napari_seg.deep.data import DataConfig, fold_split
from napari_seg.deep.inference import predict
from napari_seg.deep.networks import NetworkError
from napari_seg.deep.train import TrainConfig, train
from napari_seg.io import DecathlonError, Geometry, load_decathlon, load_nifti, save_nifti
from napari_seg.progress import Cancelled

DATA = DataConfig(
    target_spacing=(5.0, 3.2, 3.2),
    roi=(16, 32, 32),
    samples_per_volume=4,
    batch_size=2,
    cache="memory",
)
CFG = TrainConfig(epochs=2, lr=1e-2, n_folds=4, data=DATA)


@pytest.fixture(scope="module")
def task(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("train") / "Task97_Tiny"
    return make_synthetic_task(
        root, cases=4, test_cases=1, shape=(24, 48, 48), spacing=(5.0, 3.2, 3.2)
    )


@pytest.mark.slow
def test_two_epochs_loss_decreases_and_checkpoint_infers(task, tmp_path):
    seen = []
    result = train(task, tmp_path / "run", CFG, progress=lambda d, t: seen.append((d, t)))
    losses = [r["loss"] for r in result.history]
    assert len(losses) == 2 and losses[1] < losses[0]
    assert seen[-1][0] == seen[-1][1]
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    for r in metrics["epochs"]:
        assert set(r) >= {"loss", "val_dice", "seconds", "peak_memory_mb"}
    model, meta = load_checkpoint(result.best_checkpoint)
    assert meta.training["task"] == "Task90_SyntheticSpleen" and meta.roi_size == (16, 32, 32)
    assert set(meta.training["val_dice_per_class"]) == {"spleen"}  # per class, by name
    assert isinstance(meta.training["never_predicted"], list)
    case = load_decathlon(task).load_case("synthetic_0")
    out = predict(case.channels[0].data, case.channels[0].geometry, model, meta)
    assert out.labels.shape == case.label.data.shape


def _weights(result) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in result.model.state_dict().items()}


@pytest.mark.slow
def test_resume_equals_an_uninterrupted_run_bit_for_bit(task, tmp_path):
    four = TrainConfig(**{**CFG.__dict__, "epochs": 4, "val_every": 3})
    whole = train(task, tmp_path / "a", four)
    again = train(task, tmp_path / "b", four)
    assert [r["loss"] for r in whole.history] == [r["loss"] for r in again.history]
    train(task, tmp_path / "c", TrainConfig(**{**four.__dict__, "epochs": 2}))
    resumed = train(task, tmp_path / "c", four, resume=tmp_path / "c" / "last.pt")
    assert [r["loss"] for r in resumed.history] == [r["loss"] for r in whole.history]
    a, b = _weights(whole), _weights(resumed)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.slow
def test_training_restores_the_global_rng_and_cudnn_flags(task, tmp_path):
    legacy = np.random  # the global RNG MONAI's set_determinism reseeds
    torch.manual_seed(1234)
    legacy.seed(99)
    flags = (torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark)
    expected = (torch.rand(3), legacy.rand(3))
    torch.manual_seed(1234)
    legacy.seed(99)
    train(task, tmp_path / "r", TrainConfig(**{**CFG.__dict__, "epochs": 1}))
    assert torch.equal(torch.rand(3), expected[0])
    assert np.array_equal(legacy.rand(3), expected[1])
    assert (torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark) == flags


def test_cli_and_widget_take_their_defaults_from_the_dataclasses():
    from napari_seg.cli import build_parser
    from napari_seg.cli._params import given_params
    from napari_seg.deep.config import NETWORK_NAMES
    from napari_seg.deep.networks import NETWORKS
    from napari_seg.ops import get

    op = get("train")  # the one declaration the CLI and the Train dock are built from
    args = build_parser().parse_args(["train", "T", "--out", "o"])
    assert given_params(args, [p.name for p in op.params]) == {}  # defaults: the registry's
    t, d = TrainConfig(), DataConfig()
    default = {p.name: p.default for p in op.params}
    assert (default["epochs"], default["size"], default["lr"]) == (t.epochs, t.size, t.lr)
    assert (default["roi_size"], default["spacing"]) == (d.roi, d.target_spacing)
    assert (default["intensity_window"], default["batch_size"]) == (d.window, d.batch_size)
    assert tuple(sorted(NETWORKS)) == NETWORK_NAMES


def test_cancel(task, tmp_path):
    with pytest.raises(Cancelled):
        train(task, tmp_path / "x", CFG, should_stop=lambda: True)


@pytest.mark.slow
def test_cli_train_and_make_task(tmp_path, capsys):
    root = tmp_path / "Task98"
    assert (
        main(
            [
                "make-synthetic-task",
                str(root),
                "--cases",
                "4",
                "--test-cases",
                "0",
                "--shape",
                "24",
                "48",
                "48",
                "--spacing",
                "5",
                "3.2",
                "3.2",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "train",
                str(root),
                "--epochs",
                "1",
                "--out",
                str(tmp_path / "o"),
                "--spacing",
                "5",
                "3.2",
                "3.2",
                "--roi-size",
                "16",
                "32",
                "32",
                "--folds",
                "4",
                "--quiet",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "epoch 1" in out and (tmp_path / "o" / "best.safetensors").exists()


def test_bad_input_fails_before_training(task, tmp_path):
    with pytest.raises(NetworkError, match="unknown network"):
        train(task, tmp_path / "x", TrainConfig(**{**CFG.__dict__, "model": "nope"}))
    bad = Path(shutil.copytree(task, tmp_path / "bad"))
    save_nifti(
        np.zeros((24, 48, 47), np.uint8),
        Geometry.from_spacing((5.0, 3.2, 3.2)),
        bad / "labelsTr" / "synthetic_2.nii.gz",
    )
    with pytest.raises(DecathlonError, match="synthetic_2"):
        train(bad, tmp_path / "y", CFG)
    assert not (tmp_path / "y").exists()
    meta = json.loads((bad / "dataset.json").read_text())
    meta["training"] = [{"image": t["image"]} for t in meta["training"]]
    (bad / "dataset.json").write_text(json.dumps(meta))
    with pytest.raises(DecathlonError, match="no labelled"):
        fold_split(load_decathlon(bad))


def test_labels_that_dataset_json_does_not_name_fail_before_training(task, tmp_path):
    bad = Path(shutil.copytree(task, tmp_path / "extra"))
    label = bad / "labelsTr" / "synthetic_1.nii.gz"
    vol = load_nifti(label)
    data = vol.data.copy()
    data[0, 0, 0] = 7  # dataset.json names only 0 and 1
    save_nifti(data, vol.geometry, label)
    with pytest.raises(DecathlonError, match=r"label values \[7\] are not named"):
        train(bad, tmp_path / "z", CFG)
    assert not (tmp_path / "z").exists()


@pytest.mark.slow
def test_full_disk_never_leaves_a_corrupt_best_checkpoint(task, tmp_path, monkeypatch):
    run = tmp_path / "run"
    first = train(task, run, TrainConfig(**{**CFG.__dict__, "epochs": 1}))
    good = first.best_checkpoint.read_bytes()
    import napari_seg.deep.checkpoint as ck

    def full_disk(tensors, filename, metadata=None):
        Path(filename).write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ck, "save_file", full_disk)
    # a fresh run into the same folder: its first validation always tries to save
    with pytest.raises(OSError, match="No space"):
        train(task, run, TrainConfig(**{**CFG.__dict__, "epochs": 1, "seed": 1}))
    assert first.best_checkpoint.read_bytes() == good
    load_checkpoint(first.best_checkpoint)
    assert not [p for p in run.iterdir() if p.name.startswith(".best")]


def _ddp_worker(rank: int, world: int, task: str, out: str, init: str) -> None:
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=init, rank=rank, world_size=world)
    try:
        res = train(task, out, TrainConfig(**{**CFG.__dict__, "epochs": 1, "device": "cpu"}))
        flat = torch.cat([p.detach().reshape(-1) for p in res.model.parameters()])
        torch.save(flat, os.path.join(out, f"rank{rank}.pt"))
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_ddp_two_processes_on_cpu_gloo(task, tmp_path):
    out = tmp_path / "ddp"
    out.mkdir()
    init = f"file://{tmp_path / 'rendezvous'}"
    torch.multiprocessing.spawn(_ddp_worker, args=(2, str(task), str(out), init), nprocs=2)
    w0 = torch.load(out / "rank0.pt", weights_only=True)
    w1 = torch.load(out / "rank1.pt", weights_only=True)
    assert torch.equal(w0, w1)  # gradients were all-reduced: both ranks hold the same model
    assert (out / "best.safetensors").exists() and (out / "metrics.json").exists()
