from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from napari_seg import __version__
from napari_seg.cli import main
from napari_seg.io import load_nifti


def test_version_and_help(capsys):
    for argv, text in ((["--version"], __version__), (["--help"], "demo")):
        try:
            main(argv)
        except SystemExit as exc:
            assert exc.code == 0
        assert text in capsys.readouterr().out


def test_every_command_has_a_help(capsys):
    from napari_seg.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    assert {"surfaces", "stats", "snapshot"} <= set(commands)
    for name in commands:
        with pytest.raises(SystemExit) as exc:
            main([name, "--help"])
        assert exc.value.code == 0 and "usage" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["segment", "x.nii.gz", "-o", "y.nii.gz", "--window", "5", "5"],
         "napari-seg: error: unrecognized arguments: --window 5 5 (see napari-seg --help)"),
        (["evaluate", "a.nii.gz", "b.nii.gz", "--tolerance-mm", "-1"],
         "napari-seg evaluate: error: argument --tolerance-mm:"),
    ],
)  # fmt: skip
def test_option_errors_are_one_line_without_the_usage_block(capsys, argv, expected):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.startswith(expected)
    assert len(err.strip().splitlines()) == 1 and "usage" not in err


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().out


@pytest.mark.slow
def test_demo_writes_nifti_and_prints_table(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--shape", "32", "64", "64"]) == 0
    out = capsys.readouterr().out
    assert "dice" in out and "iou" in out and "window+opening+largest" in out
    assert "unet(fast)" in out and (tmp_path / "unet_run" / "best.safetensors").exists()
    gt = load_nifti(tmp_path / "spleen_gt.nii.gz")
    pred = load_nifti(tmp_path / "window_opening_largest.nii.gz")
    assert gt.data.shape == pred.data.shape == (32, 64, 64)
    np.testing.assert_allclose(gt.geometry.affine, pred.geometry.affine)
    assert gt.geometry.spacing == __import__("pytest").approx((2.5, 0.8, 0.8))


def test_console_script_runs():
    out = subprocess.run(
        [sys.executable, "-m", "napari_seg", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and __version__ in out.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "T", "--out", "o", "--epochs", "0"],
        ["train", "T", "--out", "o", "--samples", "0"],
        ["train", "T", "--out", "o", "--val-every", "0"],
        ["train", "T", "--out", "o", "--roi-size", "0", "16", "16"],
        ["train", "T", "--out", "o", "--spacing", "0", "1", "1"],
        ["train", "T", "--out", "o", "--lr", "nan"],
        ["evaluate", "a.nii", "b.nii", "--tolerance-mm", "-1"],
        ["evaluate", "a.nii", "b.nii", "--tolerance-mm", "nan"],
        ["segment", "a.nii", "-o", "b.nii", "--method", "unet", "--sw-batch-size", "0"],
    ],
)
def test_options_out_of_range_exit_2_with_one_line(argv, capsys):
    from napari_seg.cli import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid" in err and "Traceback" not in err


def test_a_zero_width_window_is_refused(tmp_path, capsys):
    from napari_seg.cli import main

    assert (
        main(
            ["train", str(tmp_path), "--out", str(tmp_path / "o"), "--intensity-window", "5", "5"]
        )
        == 2
    )
    assert "--intensity-window" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("models", "message"),
    [(",", "at least one"), ("unet,nosuchnet", "unknown nosuchnet"), ("unet,unet", "twice")],
)
def test_compare_checks_every_model_name_before_training(tmp_path, capsys, models, message):
    from napari_seg.cli import main

    argv = ["compare", str(tmp_path), "--out", str(tmp_path / "o"), "--models", models]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()  # nothing trained, nothing written
