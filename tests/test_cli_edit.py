"""``napari-seg edit TOOL`` and ``napari-seg finetune``: what the Correct and U-Net docks do."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seg.cli import main
from napari_seg.edit.tools import edit_tools, run_edit
from napari_seg.io import Geometry, load_volume, save_volume

SPACING = (2.0, 1.0, 0.8)
OBLIQUE = np.array(
    [[0.0, 0.0, -0.8, 40.0], [0.0, -1.0, 0.0, 20.0], [2.0, 0.0, 0.0, -30.0], [0, 0, 0, 1]]
)


def _status(argv, capsys) -> tuple[int, list[str]]:
    try:
        status = main([str(a) for a in argv])
    except SystemExit as stop:  # argparse: an option out of its declared range
        status = stop.code
    return status, capsys.readouterr().err.strip().splitlines()


@pytest.fixture
def files(tmp_path):
    labels = np.zeros((10, 24, 24), np.uint8)
    labels[3:7, 4:10, 4:10] = 1
    labels[3:7, 14:20, 14:20] = 2
    labels[0, 22, 22] = 1  # an island
    image = np.random.default_rng(0).normal(0, 5, labels.shape).astype(np.float32)
    image[2:8, 3:11, 3:11] += 100
    other = np.zeros_like(labels)
    other[4:6, 6:8, 6:8] = 1  # scribbles: the label, and the surroundings (2)
    other[4:6, 0:2, 0:24] = 2
    g = Geometry(OBLIQUE)  # x first in the file: outputs must keep this placement
    paths = {}
    for name, data, kind in (("labels", labels, "labels"), ("image", image, "image"),
                             ("other", other, "labels")):  # fmt: skip
        paths[name] = save_volume(data, g, tmp_path / f"{name}.nii.gz", kind=kind)
    return paths, {"labels": labels, "image": image, "other": other}, g


ARGS = {
    "fill-between-slices": ([], {"axis": 0}),
    "grow-region": ([(4, 3, 3)], {"label": 3}),
    "grow-from-seeds": ([], {"label": 1}),
    "delete": ([(4, 5, 5)], {}),
    "relabel": ([(4, 5, 5)], {"label": 5}),
    "merge": ([(4, 5, 5), (4, 15, 15)], {}),
    "split": ([(4, 5, 5), (4, 8, 8)], {}),
    "keep-island": ([(4, 5, 5)], {}),
    "remove-islands": ([], {"label": 1, "min_mm3": 10.0}),
    "margin": ([], {"label": 2, "margin_mm": 2.0}),
    "smooth": ([], {"label": 1, "smooth": "opening", "smooth_mm": 1.0}),
    "combine": ([], {"label": 1, "op": "subtract"}),
}


def test_every_correct_tool_is_a_command():
    assert set(ARGS) == {op.name for op in edit_tools().values()}


@pytest.mark.parametrize("tool", sorted(ARGS))
def test_edit_writes_the_tool_result_on_the_source_grid(files, tool, tmp_path, capsys):
    paths, arrays, g = files
    points, params = ARGS[tool]
    op = next(o for o in edit_tools().values() if o.name == tool)
    argv = ["edit", tool, paths["labels"], "-o", tmp_path / "out.nii.gz"]
    for p in points:
        argv += ["--point", *p]
    for need in op.extra["needs"]:
        argv += [f"--{need}", paths[need]]
    for k, v in params.items():
        argv += [f"--{k.replace('_', '-')}", v]
    status, err = _status(argv, capsys)
    assert status == 0, err
    out = load_volume(tmp_path / "out.nii.gz")
    assert np.allclose(out.geometry.affine, g.affine)
    expected = run_edit(tool, arrays["labels"], points, spacing=g.spacing,
                        image=arrays["image"], other=arrays["other"], **params)  # fmt: skip
    assert np.array_equal(out.data, expected)


def test_edit_margin_in_mm_on_an_anisotropic_grid(tmp_path, capsys):
    labels = np.zeros((9, 9, 9), np.uint8)
    labels[4, 4, 4] = 1
    src = save_volume(labels, Geometry.from_spacing(SPACING), tmp_path / "l.nii.gz", kind="labels")
    status, _ = _status(["edit", "margin", src, "-o", tmp_path / "m.nii.gz", "--margin-mm",
                         "2"], capsys)  # fmt: skip
    grown = load_volume(tmp_path / "m.nii.gz").data
    assert status == 0
    assert grown[4, 4, 6] == 1 and grown[4, 4, 7] == 0  # 2 * 0.8 mm <= 2 mm < 3 * 0.8 mm
    assert grown[5, 4, 4] == 1 and grown[6, 4, 4] == 0  # one 2 mm step along z


def test_edit_respects_locked_labels(files, tmp_path, capsys):
    paths, arrays, _ = files
    argv = ["edit", "margin", paths["labels"], "-o", tmp_path / "o.nii.gz", "--label", "1",
            "--margin-mm", "20", "--locked", "2"]  # fmt: skip
    assert _status(argv, capsys)[0] == 0
    out = load_volume(tmp_path / "o.nii.gz").data
    assert np.array_equal(out == 2, arrays["labels"] == 2)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["delete", "{labels}", "-o", "{labels}", "--point", 4, 5, 5], "never overwritten"),
        (["merge", "{labels}", "-o", "{out}", "--point", 4, 5, 5], "takes 2, got 1"),
        (["delete", "{labels}", "-o", "{out}", "--point", 40, 5, 5], "outside the volume"),
        (["grow-region", "{labels}", "-o", "{out}", "--point", 4, 3, 3, "--image", "{small}"],
         "not on the same grid"),
        (["margin", "{labels}", "-o", "{out}", "--margin-mm", "99"], "outside [-50.0, 50.0]"),
        (["relabel", "{labels}", "-o", "{out}", "--point", 4, 5, 5, "--label", "300"],
         "does not fit"),
    ],
)  # fmt: skip
def test_edit_errors_are_one_line_and_exit_2(files, tmp_path, extra, message, capsys):
    paths, _, _ = files
    small = save_volume(np.zeros((4, 4, 4), np.float32), Geometry.from_spacing((1, 1, 1)),
                        tmp_path / "small.nii.gz")  # fmt: skip
    before = paths["labels"].read_bytes()
    names = {"labels": paths["labels"], "out": tmp_path / "x.nii.gz", "small": small}
    argv = ["edit", *(str(a).format(**names) for a in extra)]
    status, err = _status(argv, capsys)
    assert status == 2
    assert len(err) == 1 and message in err[0] and "Traceback" not in err[0], err
    assert paths["labels"].read_bytes() == before
    assert not (tmp_path / "x.nii.gz").exists()


@pytest.fixture
def checkpoint(tmp_path):
    torch = pytest.importorskip("torch")
    from napari_seg.deep.checkpoint import CheckpointMeta, save_checkpoint

    meta = CheckpointMeta(network="unet", config="fast", roi_size=(16, 16, 16))
    torch.manual_seed(0)
    return save_checkpoint(meta.build(), meta, tmp_path / "net.safetensors")


def _case(tmp_path, shape=(20, 20, 20)):
    g = Geometry.from_spacing((2.0, 1.5, 1.5))
    image = np.random.default_rng(1).normal(0, 20, shape).astype(np.float32)
    labels = np.zeros(shape, np.uint8)
    labels[6:14, 6:14, 6:14] = 1
    image[labels == 1] += 120
    return (save_volume(image, g, tmp_path / "img.nii.gz"),
            save_volume(labels, g, tmp_path / "fixed.nii.gz", kind="labels"))  # fmt: skip


def test_finetune_writes_a_new_checkpoint_beside_the_old(checkpoint, tmp_path, capsys):
    image, labels = _case(tmp_path)
    before = checkpoint.read_bytes()
    argv = ["finetune", checkpoint, image, labels, "--steps", "2", "--device", "cpu",
            "--batch-size", "1", "--quiet"]  # fmt: skip
    status, err = _status(argv, capsys)
    assert status == 0, err
    assert checkpoint.read_bytes() == before
    assert (tmp_path / "net.ft1.safetensors").is_file()
    saved = tmp_path / "corrections" / "fixed.nii.gz"  # the correction is kept first
    assert np.array_equal(load_volume(saved).data, load_volume(labels).data)
    from napari_seg.deep.config import checkpoint_info

    info = checkpoint_info(tmp_path / "net.ft1.safetensors")["training"]["finetunes"][-1]
    assert info["steps"] == 2 and info["case"] == "fixed" and info["parent"] == "net.safetensors"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("grid", "differs from the image"),
        ("values", "do not fit the network"),
        ("missing", "no such checkpoint"),
        ("steps", "outside [1, 100000]"),
    ],
)
def test_finetune_errors_are_one_line_and_exit_2(checkpoint, tmp_path, change, message, capsys):
    image, labels = _case(tmp_path)
    if change == "grid":
        labels = save_volume(np.zeros((8, 8, 8), np.uint8), Geometry.from_spacing((1, 1, 1)),
                             tmp_path / "g.nii.gz", kind="labels")  # fmt: skip
    if change == "values":
        bad = load_volume(labels).data.copy()
        bad[0, 0, 0] = 7
        labels = save_volume(bad, load_volume(image).geometry, tmp_path / "v.nii.gz",
                             kind="labels")  # fmt: skip
    ckpt = tmp_path / "none.safetensors" if change == "missing" else checkpoint
    steps = "0" if change == "steps" else "1"
    status, err = _status(["finetune", ckpt, image, labels, "--steps", steps, "--quiet"], capsys)
    assert status == 2
    assert len(err) == 1 and message in err[0], err
    assert sorted(p.name for p in tmp_path.glob("*.ft*")) == []


def test_edit_refuses_an_image_given_as_the_labels(tmp_path, capsys):
    """A CT (negative HU) swapped with --image was written as a 3000-value 'labels' file."""
    ct = np.full((6, 8, 8), -1024, np.int16)
    ct[2:4, 2:6, 2:6] = 40
    path = save_volume(ct, Geometry.from_spacing((2.0, 1.0, 1.0)), tmp_path / "ct.nii.gz")
    argv = ["edit", "margin", path, "-o", tmp_path / "o.nii.gz"]
    status, err = _status(argv, capsys)
    assert status == 2
    assert len(err) == 1 and "non-negative" in err[0] and "ct.nii.gz" in err[0], err
    assert not (tmp_path / "o.nii.gz").exists()


def test_finetune_help_gives_the_case_default_the_cli_uses(capsys):
    """--help said 'default correction'; the CLI names the case after the LABELS file."""
    with pytest.raises(SystemExit):
        main(["finetune", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default correction" not in text
    assert "default: the LABELS file's name" in text


def test_finetune_refused_for_a_bad_replay_saves_no_correction(checkpoint, tmp_path, capsys):
    """A --replay folder without dataset.json was refused after the correction was saved."""
    image, labels = _case(tmp_path)
    argv = ["finetune", checkpoint, image, labels, "--steps", "1", "--device", "cpu", "--quiet",
            "--replay", tmp_path / "no-task"]  # fmt: skip
    status, err = _status(argv, capsys)
    assert status == 2 and len(err) == 1, err
    assert not (tmp_path / "corrections").exists()


def test_make_synthetic_task_help_says_what_each_option_is(capsys):
    """Its --help listed bare option names: no meaning, unit or default."""
    with pytest.raises(SystemExit):
        main(["make-synthetic-task", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("default 8", "default 2", "default 48 96 96", "default 2.5 1.6 1.6", "mm"):
        assert words in text, words


@pytest.mark.parametrize(
    ("extra", "start"),
    [
        (["delete", "{labels}", "-o", "{out}", "--point", 0, 0, 0], "--point 0 0 0: "),
        (["split", "{labels}", "-o", "{out}", "--point", 4, 5, 5, "--point", 4, 15, 15],
         "--point 4 5 5 --point 4 15 15: "),
        (["relabel", "{labels}", "-o", "{out}", "--point", 4, 5, 5, "--label", "300"],
         "--label 300: "),
    ],
)  # fmt: skip
def test_edit_errors_name_the_option(files, tmp_path, extra, start, capsys):
    """The docs promise '<file or option>: <reason>'; a bad click said only 'the click is ...'."""
    paths, _, _ = files
    names = {"labels": paths["labels"], "out": tmp_path / "x.nii.gz"}
    status, err = _status(["edit", *(str(a).format(**names) for a in extra)], capsys)
    assert status == 2 and len(err) == 1, err
    assert err[0].startswith(f"napari-seg edit: error: {start}"), err


def test_edit_help_gives_the_locked_default(capsys):
    """--locked read 'labels no tool may change, 2,3': no example marker, no default."""
    with pytest.raises(SystemExit):
        main(["edit", "margin", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--locked LOCKED labels no tool may change, e.g. 2,3; default none" in text
