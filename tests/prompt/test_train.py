"""Prompt training: files, resume, cancel, the CLI, and task objects (tiny windows, few steps)."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from napari_seg.cli import main  # noqa: E402
from napari_seg.progress import Cancelled  # noqa: E402
from napari_seg.prompt.config import PromptTrainConfig  # noqa: E402
from napari_seg.prompt.model import load_prompt_model  # noqa: E402
from napari_seg.prompt.sources import TaskSource  # noqa: E402
from napari_seg.prompt.train import train_prompt  # noqa: E402

TINY = dict(steps=4, batch_size=2, crop=16, val_every=2, val_cases=2, max_rounds=1, threads=1)


def test_training_writes_a_loadable_prompt_checkpoint_and_resumes(tmp_path):
    cfg = PromptTrainConfig(**TINY)
    calls = []
    with pytest.raises(Cancelled):
        train_prompt(
            tmp_path / "a",
            cfg,
            should_stop=lambda: len(calls) >= 2,
            progress=lambda d, t: calls.append(d),
        )
    assert (tmp_path / "a" / "last.pt").is_file()  # the first chunk (2 steps) was saved
    out = train_prompt(tmp_path / "a", cfg, resume=tmp_path / "a" / "last.pt")
    assert [r["step"] for r in out["history"]] == [2, 4]
    model = load_prompt_model(out["best"], device="cpu")
    assert model.crop == 16 and model.meta.training["seed"] == 0
    metrics = json.loads((tmp_path / "a" / "metrics.json").read_text())
    assert metrics["config"]["crop"] == 16 and len(metrics["epochs"]) == 2
    # an uninterrupted run draws the same windows: same losses
    full = train_prompt(tmp_path / "b", cfg)
    assert full["history"][1]["loss"] == pytest.approx(out["history"][1]["loss"], rel=1e-4)


def test_task_objects_are_components_or_labels():
    lab = np.zeros((12, 20, 20), np.int16)
    lab[2:5, 2:6, 2:6] = 1
    lab[7:10, 12:16, 12:16] = 1
    lab[2:5, 12:16, 2:6] = 2
    vols = [(np.random.default_rng(0).normal(size=lab.shape), lab, (2.0, 1.0, 1.0))]
    assert len(TaskSource(vols, crop=16).objects) == 3
    assert len(TaskSource(vols, crop=16, class_agnostic=False).objects) == 2
    img, tgt, sp = TaskSource(vols, crop=16).sample(np.random.default_rng(1))
    assert img.shape == tgt.shape == (16, 16, 16) and tgt.any() and sp.shape == (3,)


def test_cli_train_prompt_on_a_task_and_generated(tmp_path, capsys):
    from napari_seg.data.synthetic_task import make_synthetic_task

    task = make_synthetic_task(tmp_path / "task", cases=2, test_cases=0, shape=(16, 32, 32))
    args = [
        "--steps",
        "2",
        "--crop",
        "16",
        "--val-every",
        "2",
        "--val-cases",
        "2",
        "--batch-size",
        "2",
        "--max-rounds",
        "1",
        "--quiet",
    ]
    assert main(["train-prompt", str(task), "--out", str(tmp_path / "t"), *args]) == 0
    assert (tmp_path / "t" / "best.safetensors").is_file()
    assert main(["train-prompt", "generated", "--out", str(tmp_path / "g"), *args]) == 0
    assert main(["train-prompt", str(tmp_path), "--out", str(tmp_path / "x"), *args]) == 2
    assert "dataset.json" in capsys.readouterr().err


def test_finetune_writes_a_new_version_and_keeps_the_parent(tmp_path):
    from napari_seg.deep.checkpoint import save_checkpoint
    from napari_seg.prompt.finetune import finetune_prompt
    from napari_seg.prompt.model import new_meta

    meta = new_meta(crop=16)
    parent = save_checkpoint(meta.build(), meta, tmp_path / "parent.safetensors")
    before = parent.read_bytes()
    img = np.random.default_rng(0).normal(size=(12, 24, 24)).astype(np.float32)
    mask = np.zeros(img.shape, np.uint8)
    mask[3:8, 6:16, 6:16] = 1
    img[mask > 0] += 3
    out1 = finetune_prompt(
        [(img, mask, (2.0, 1.0, 1.0))], tmp_path / "ft", init=parent, steps=2, batch_size=2
    )
    out2 = finetune_prompt(
        [(img, mask, (2.0, 1.0, 1.0))], tmp_path / "ft", init=out1, steps=1, batch_size=2
    )
    assert out1.name == "prompt.ft1.safetensors" and out2.name == "prompt.ft2.safetensors"
    assert parent.read_bytes() == before
    m = load_prompt_model(out2, device="cpu")
    assert m.meta.training["parent"] == str(out1) and m.meta.training["finetune_examples"] == 1
    with pytest.raises(ValueError, match="no labelled object"):
        finetune_prompt([(img, np.zeros_like(mask), (1, 1, 1))], tmp_path / "x", init=parent)
