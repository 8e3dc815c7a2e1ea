"""Denoising pre-training: the noise formula, every image used, a checkpoint train --init takes."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from napari_seg.cli import main
from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.deep.checkpoint import load_checkpoint
from napari_seg.deep.config import DataConfig, TrainConfig
from napari_seg.deep.networks import build_network
from napari_seg.deep.pretrain import encoder_parameter_names, noisy, pretrain

DATA = DataConfig(target_spacing=(5.0, 3.2, 3.2), roi=(16, 32, 32), batch_size=2, cache="memory")
CFG = TrainConfig(lr=1e-2, n_folds=2, data=DATA, device="cpu")
GEO = [
    "--roi-size",
    "16",
    "32",
    "32",
    "--spacing",
    "5",
    "3.2",
    "3.2",
    "--device",
    "cpu",
    "--quiet",
]


@pytest.fixture(scope="module")
def task(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pre") / "Task95_Tiny"
    return make_synthetic_task(
        root, cases=3, test_cases=2, shape=(24, 48, 48), spacing=(5.0, 3.2, 3.2)
    )


def test_noise_follows_the_ddep_formula():
    x = torch.zeros(4, 1, 20, 20, 20)
    gen = torch.Generator().manual_seed(0)
    x_noisy, eps = noisy(x, 0.22, gen)
    assert torch.allclose(x_noisy, 0.22 * eps / math.sqrt(1 + 0.22**2))
    assert abs(float(eps.std()) - 1.0) < 0.02 and abs(float(eps.mean())) < 0.02


def test_pretrain_checkpoint_is_accepted_by_train_init(task, tmp_path, capsys):
    result = pretrain(task, tmp_path / "pre", CFG, steps=4)
    assert result.steps == 4 and len(result.history) == 4
    _, meta = load_checkpoint(result.checkpoint)
    assert meta.training["pretrain"] == "ddep" and meta.training["images"] == 5  # Tr + Ts
    assert meta.training["sigma"] == 0.22 and meta.network == "unet"
    argv = ["train", str(task), "--out", str(tmp_path / "ft"), "--epochs", "1", "--folds", "2"]
    assert main([*argv, "--init", str(result.checkpoint), *GEO]) == 0
    _, tuned = load_checkpoint(tmp_path / "ft" / "best.safetensors")
    assert tuned.training["init"]["checkpoint"] == str(result.checkpoint)


def test_decoder_only_keeps_the_encoder(task, tmp_path):
    first = pretrain(task, tmp_path / "a", CFG, steps=2)
    second = pretrain(task, tmp_path / "b", CFG, steps=2, decoder_only=True, init=first.checkpoint)
    a, b = load_checkpoint(first.checkpoint)[0], load_checkpoint(second.checkpoint)[0]
    encoder = encoder_parameter_names(a, "unet")
    pa, pb = dict(a.named_parameters()), dict(b.named_parameters())
    assert encoder and all(torch.equal(pa[n], pb[n]) for n in encoder)
    assert any(not torch.equal(pa[n], pb[n]) for n in set(pa) - encoder)


def test_bad_options_are_refused(task, tmp_path, capsys):
    with pytest.raises(ValueError, match="exactly one"):
        pretrain(task, tmp_path, CFG)
    with pytest.raises(ValueError, match="decoder-only"):
        encoder_parameter_names(build_network("segresnet", config="fast"), "segresnet")
    with pytest.raises(SystemExit) as exc:  # argparse: one of --steps / --budget-s required
        main(["pretrain", str(task), "--out", str(tmp_path / "x"), *GEO])
    assert exc.value.code == 2
    assert "--steps" in capsys.readouterr().err
