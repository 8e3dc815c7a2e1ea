"""Training and fine-tuning: bounded sizes, validated headers, explicit options (§3, §4)."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from napari_seg.deep.checkpoint import CheckpointError, CheckpointMeta, save_checkpoint  # noqa: E402

from ._contract import one_error_line, run_capped, run_cli  # noqa: E402


def _checkpoint(path, network="unet", **meta):
    m = CheckpointMeta(network=network, config="fast", roi_size=(32, 32, 32), **meta)
    torch.manual_seed(0)
    return save_checkpoint(m.build(), m, path)


def _edit_header(path, **changes):
    """Rewrite a .safetensors file's napari-seg metadata (what a hostile file could hold)."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = json.loads(header["__metadata__"]["napari_seg"])
    meta.update(changes)
    header["__metadata__"]["napari_seg"] = json.dumps(meta)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + raw[8 + n :])
    return path


def test_labels_far_above_the_classes_are_refused(task, tmp_path):
    meta = json.loads((task / "dataset.json").read_text())
    meta["labels"] = {"0": "background", "99999": "x"}
    (task / "dataset.json").write_text(json.dumps(meta))
    line = run_cli(["train", task, "--out", tmp_path / "r", "--epochs", "1"], task)[2]
    assert "100,000 output channels" in line


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--batch-size", "1024", "--samples", "1024"], "--batch-size 1024, --samples 1024"),
        (["--spacing", "0.01", "0.01", "0.01"], "--spacing 0.01 0.01 0.01"),
    ],
)
def test_training_sizes_are_refused_before_loading(task, tmp_path, options, named):
    argv = ["train", task, "--out", tmp_path / "r", "--epochs", "1", "--quiet", *options]
    line = run_cli(argv, task)[2]
    assert named in line and "would need" in line
    assert not (tmp_path / "r" / "best.safetensors").exists()


@pytest.fixture
def thick_task(tmp_path):
    """A task of 5 mm slices, 2 mm pixels: at --spacing 0.1 a case is ~2e9 voxels (44 GiB)."""
    from napari_seg.data.synthetic_task import make_synthetic_task

    return make_synthetic_task(
        tmp_path / "Thick", cases=2, test_cases=0, shape=(24, 64, 64), spacing=(5.0, 2.0, 2.0)
    )


@pytest.mark.slow  # a subprocess importing torch under the cap: ~10-40 s each
@pytest.mark.parametrize(
    ("which", "options", "named"),
    [
        ("task", ["--roi-size", "1024", "1024", "1024"], "--roi-size 1024 1024 1024"),
        (
            "task",
            ["--batch-size", "1024", "--samples", "1024"],
            "--batch-size 1024, --samples 1024",
        ),
        ("thick_task", ["--spacing", "0.1", "0.1", "0.1"], "--spacing 0.1 0.1 0.1"),
    ],
)
def test_training_sizes_under_a_4_gib_cap(request, tmp_path, which, options, named):
    task = request.getfixturevalue(which)
    argv = ["train", task, "--out", tmp_path / "r", "--epochs", "1", *options]
    line = one_error_line(run_capped(argv, task, cwd=tmp_path, timeout=300))
    assert named in line and "would need" in line
    assert not (tmp_path / "r").exists()  # refused before the output folder is made


@pytest.mark.slow  # loads the task and collates 2 GiB crops under the cap: ~30-70 s
def test_a_loader_dying_under_a_4_gib_cap_is_one_line_and_saves_nothing(task, tmp_path):
    # deep/budget.py refuses these sizes up front; switched off, the loader thread dies
    # of memory (the "loss 0.0000" and an untrained best.safetensors, exit 0)
    off = "import napari_seg.deep.train as t; t.check_training_memory = lambda *a, **k: None"
    argv = ["train", task, "--out", tmp_path / "r", "--epochs", "1", "--quiet",
            "--batch-size", "1024", "--samples", "1024"]  # fmt: skip
    proc = run_capped(argv, task, cwd=tmp_path, timeout=400, prelude=off)
    line = one_error_line(proc)
    assert "data loader stopped after 0 of 1 batches (out of memory)" in line, line
    assert "--batch-size" in line
    assert not list((tmp_path / "r").glob("*.safetensors"))
    assert not (tmp_path / "r" / "last.pt").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target_spacing": [1, "x", 1]}, "target_spacing"),
        ({"intensity_window": [5, 1]}, "intensity_window"),
        ({"out_channels": 10**30}, "channels"),
        ({"training": [1, 2]}, "training"),
    ],
)
def test_init_header_is_validated_before_use(task, tmp_path, change, message):
    ckpt = _edit_header(_checkpoint(tmp_path / "init.safetensors"), **change)
    argv = ["train", task, "--out", tmp_path / "r", "--init", ckpt, "--epochs", "1"]
    line = run_cli(argv, task, ckpt)[2]
    assert message in line


def test_an_explicit_model_wins_over_the_init_checkpoint(task, tmp_path):
    ckpt = _checkpoint(tmp_path / "seg.safetensors", network="segresnet")
    argv = ["train", task, "--out", tmp_path / "r", "--init", ckpt, "--epochs", "1"]
    line = run_cli([*argv, "--model", "unet"], task, ckpt)[2]
    assert "network 'segresnet'" in line and "--model" in line
    assert not (tmp_path / "r" / "best.safetensors").exists()


def test_a_failed_loader_or_loss_stops_training():
    from napari_seg.deep.steps import TrainingError, check_step

    with pytest.raises(TrainingError, match="data loader stopped after 0 of 4"):
        check_step(0, 0, 0.0, expected=4)
    with pytest.raises(TrainingError, match="loss became nan"):
        check_step(2, 5, float("nan"))


def test_a_dying_loader_thread_is_named_in_one_line(capsys):
    import threading

    from napari_seg.deep.steps import TrainingError, check_step, loader_errors

    def die():
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: 1073741824 bytes")

    stopped = pytest.raises(TrainingError, match=r"after 0 of 2 batches \(out of memory\)")
    with stopped as info, loader_errors() as errors:
        thread = threading.Thread(target=die)
        thread.start()
        thread.join()
        check_step(0, 0, 0.0, expected=2, errors=errors)
    assert isinstance(info.value.__cause__, RuntimeError)  # kept for --debug
    assert "Traceback" not in capsys.readouterr().err  # the thread's traceback stays off


def _finetune(ckpt, image, tmp_path):
    from napari_seg.deep.finetune import finetune
    from napari_seg.io import Geometry

    labels = np.zeros(image.shape, np.uint8)
    labels[8:24, 8:24, 8:24] = 1
    return finetune(ckpt, image, labels, Geometry.from_spacing((2.0, 1.5, 1.5)), steps=3)


def test_finetune_on_nan_writes_no_checkpoint(tmp_path):
    ckpt = _checkpoint(tmp_path / "m.safetensors")
    image = np.full((32, 32, 32), 50.0, np.float32)
    image[10:20, 10:20, 10:20] = np.nan
    with pytest.raises(ValueError, match="loss became nan"):
        _finetune(ckpt, image, tmp_path)
    assert sorted(p.name for p in tmp_path.glob("*.safetensors")) == ["m.safetensors"]


def test_finetune_with_a_bad_finetunes_list_refuses_before_saving(tmp_path):
    ckpt = _edit_header(_checkpoint(tmp_path / "m.safetensors"), training={"finetunes": 7})
    with pytest.raises(CheckpointError, match="finetunes"):
        _finetune(ckpt, np.zeros((32, 32, 32), np.float32), tmp_path)
    assert not (tmp_path / "corrections").exists()
