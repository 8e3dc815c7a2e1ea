"""Fine-tuning on a corrected case, train --init and --fold all."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from napari_seg.cli import main  # noqa: E402
from napari_seg.deep.checkpoint import CheckpointError, load_checkpoint  # noqa: E402
from napari_seg.deep.config import checkpoint_info  # noqa: E402
from napari_seg.deep.finetune import finetune, next_version  # noqa: E402
from napari_seg.io import load_nifti  # noqa: E402
from napari_seg.progress import Cancelled  # noqa: E402


@pytest.fixture
def ckpt(tiny_checkpoint, tmp_path):
    path, ct, geo = tiny_checkpoint
    mine = tmp_path / "models" / "spleen.safetensors"
    mine.parent.mkdir()
    shutil.copy(path, mine)
    return mine, ct, geo


def test_next_version_never_reuses_a_name(tmp_path):
    base = tmp_path / "spleen.safetensors"
    assert next_version(base).name == "spleen.ft1.safetensors"
    (tmp_path / "spleen.ft1.safetensors").touch()
    assert next_version(base).name == "spleen.ft2.safetensors"
    assert next_version(tmp_path / "spleen.ft1.safetensors").name == "spleen.ft2.safetensors"


def test_finetune_writes_a_new_version_with_provenance(ckpt):
    path, ct, geo = ckpt
    parent = path.read_bytes()
    labels = ct.spleen.astype(np.uint8)
    seen = []
    result = finetune(
        path, ct.image, labels, geo, steps=4, case="case 7/b", device="cpu", on_step=seen.append
    )
    assert path.read_bytes() == parent  # the parent is never touched
    assert result.checkpoint.name == "spleen.ft1.safetensors"
    assert [s["step"] for s in seen] == [1, 2, 3, 4] and len(result.losses) == 4
    info = checkpoint_info(result.checkpoint)["training"]["finetunes"][-1]
    assert info["parent"] == "spleen.safetensors" and info["case"] == "case 7/b"
    assert info["steps"] == 4 and len(info["parent_sha256"]) == 64
    old, _ = load_checkpoint(path)
    new, _ = load_checkpoint(result.checkpoint)
    changed = [
        k
        for k, v in new.state_dict().items()
        if v.is_floating_point() and not torch.equal(v, old.state_dict()[k])
    ]
    assert changed  # it learned something
    saved = load_nifti(result.correction)  # the correction is kept, on the image's grid
    assert result.correction.parent.name == "corrections" and "case-7-b" in result.correction.name
    assert np.array_equal(saved.data, labels)
    assert np.allclose(saved.geometry.affine, geo.affine)
    again = finetune(result.checkpoint, ct.image, labels, geo, steps=1, device="cpu")
    assert again.checkpoint.name == "spleen.ft2.safetensors"
    assert len(checkpoint_info(again.checkpoint)["training"]["finetunes"]) == 2


def test_cancel_writes_no_checkpoint_but_keeps_the_correction(ckpt):
    path, ct, geo = ckpt
    with pytest.raises(Cancelled):
        finetune(
            path,
            ct.image,
            ct.spleen.astype(np.uint8),
            geo,
            steps=50,
            device="cpu",
            should_stop=lambda: True,
        )
    assert not list(path.parent.glob("*.ft*.safetensors"))
    assert list((path.parent / "corrections").glob("*.nii.gz"))


def test_bad_corrections_are_refused(ckpt):
    path, ct, geo = ckpt
    with pytest.raises(ValueError, match="do not fit the network's 2 classes"):
        finetune(path, ct.image, np.full(ct.image.shape, 5, np.uint8), geo, steps=1)
    with pytest.raises(ValueError, match="labels and image are not on the same grid: shape"):
        finetune(path, ct.image, np.zeros((3, 3, 3), np.uint8), geo, steps=1)


@pytest.mark.slow
def test_train_fold_all_and_init(tmp_path, capsys):
    task = tmp_path / "Task02"
    assert (
        main(
            [
                "make-synthetic-task",
                str(task),
                "--cases",
                "1",
                "--test-cases",
                "0",
                "--shape",
                "32",
                "64",
                "64",
            ]
        )
        == 0
    )
    small = [
        "--epochs",
        "1",
        "--roi-size",
        "16",
        "32",
        "32",
        "--spacing",
        "3",
        "2.4",
        "2.4",
        "--quiet",
        "--device",
        "cpu",
    ]
    assert main(["train", str(task), "--out", str(tmp_path / "a"), *small]) == 2
    assert "use --fold all" in capsys.readouterr().err
    assert main(["train", str(task), "--out", str(tmp_path / "a"), *small, "--fold", "all"]) == 0
    first = tmp_path / "a" / "best.safetensors"
    assert checkpoint_info(first)["training"]["fold"] == "all"
    # --init: the checkpoint's size, window and spacing by default; a different network refused
    assert (
        main(
            [
                "train",
                str(task),
                "--out",
                str(tmp_path / "b"),
                "--epochs",
                "1",
                "--roi-size",
                "16",
                "32",
                "32",
                "--quiet",
                "--device",
                "cpu",
                "--fold",
                "all",
                "--init",
                str(first),
            ]
        )
        == 0
    )
    info = checkpoint_info(tmp_path / "b" / "best.safetensors")
    assert info["training"]["init"]["checkpoint"] == str(first)
    assert info["target_spacing"] == [3.0, 2.4, 2.4]
    code = main(
        [
            "train",
            str(task),
            "--out",
            str(tmp_path / "c"),
            *small,
            "--fold",
            "all",
            "--init",
            str(first),
            "--model",
            "segresnet",
        ]
    )
    assert code == 2 and "--init does not fit this run" in capsys.readouterr().err
    with pytest.raises(CheckpointError, match="--intensity-window"):
        from napari_seg.deep.config import DataConfig, TrainConfig
        from napari_seg.deep.train import train

        cfg = TrainConfig(
            epochs=1,
            fold="all",
            device="cpu",
            data=DataConfig(window=(0.0, 1.0), roi=(16, 32, 32), target_spacing=(3.0, 2.4, 2.4)),
        )
        train(task, tmp_path / "d", cfg, init=first)
    assert json.loads((tmp_path / "a" / "metrics.json").read_text())["epochs"]
