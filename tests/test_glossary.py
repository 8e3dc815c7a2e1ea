"""One vocabulary: the registry, the core functions' keywords, the CLI flags and the docs agree."""

from __future__ import annotations

import argparse
import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from napari_seg import ops
from napari_seg.cli import build_parser, main
from napari_seg.ops_docs import glossary_markdown, operations_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"

#: Which CLI command (subparser path) offers each operation's parameters.
COMMANDS = {"segment": ("segment",), "deep": None, "edit": ("edit",), "inspect": None}


def _subparser(*path: str) -> argparse.ArgumentParser:
    parser = build_parser()
    for name in path:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings}


def _command_of(op: ops.Operation) -> tuple[str, ...]:
    if op.group == "segment" or op.key == "unet":
        return ("segment",)
    if op.group == "edit":
        return ("edit", op.name)
    return (op.key,)


@pytest.mark.parametrize("name", ["operations.md", "glossary.md"])
def test_committed_docs_are_generated_from_the_registry(name):
    make = {"operations.md": operations_markdown, "glossary.md": glossary_markdown}[name]
    assert (DOCS / name).read_text(encoding="utf-8") == make(), (
        f"docs/{name} is out of date: run python scripts/gen_docs.py"
    )


def test_every_parameter_and_old_name_is_in_the_glossary():
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    for op in ops.all_operations():
        for p in op.all_params:
            assert f"| `{p.name}` |" in text, p.name
            for old in p.aliases:
                assert f"`{old}`" in text, (p.name, old)
    assert "`--method threshold`" in text and "`--method manual`" in text


def test_registry_names_are_the_core_functions_keywords():
    checked = 0
    for op in ops.all_operations():
        if not op.signature:
            continue
        keywords = set(inspect.signature(op.function()).parameters)
        missing = [p.name for p in op.params if p.name not in keywords]
        assert not missing, f"{op.key}: {missing} are not keywords of {op.function().__name__}"
        checked += 1
    assert checked >= 15  # the U-Net, fine-tune, every Correct tool, surfaces, statistics
    from napari_seg.segment.pipeline import Cleanup
    from napari_seg.segment.registry import CLEANUP

    Cleanup(**{p.name: p.default for p in CLEANUP})  # clean-up options are its fields


def test_every_registry_parameter_is_a_cli_flag_of_its_command():
    for op in ops.all_operations():
        flags = _flags(_subparser(*_command_of(op)))
        for p in op.all_params:
            assert p.flag in flags, f"{op.key}: {p.flag} missing from napari-seg {op.command}"
            for old in p.alias_flags:
                assert old in flags, f"{op.key}: old flag {old} missing"


def test_every_old_name_resolves_in_python():
    for op in ops.all_operations():
        for p in op.all_params:
            for old in p.aliases:
                assert op.param(old) is p
                if p.default is None:
                    continue
                with pytest.warns(DeprecationWarning, match=f"{old!r} is renamed {p.name!r}"):
                    values = op.check({old: p.default})
                assert values[p.name] == p.check(p.default)


@pytest.mark.parametrize(
    ("argv", "dest", "value"),
    [
        (["segment", "x", "-o", "y", "--roi", "32", "32", "32"], "roi_size", (32, 32, 32)),
        (["segment", "x", "-o", "y", "--sw-batch", "2"], "sw_batch_size", 2),
        (["segment", "x", "-o", "y", "--largest-component"], "largest", True),
        (["segment", "x", "-o", "y", "--method", "threshold"], "method", "manual"),
        (["train", "T", "--out", "o", "--window", "-10", "90"], "intensity_window", (-10, 90)),
        (["train", "T", "--out", "o", "--roi", "16", "16", "16"], "roi_size", (16, 16, 16)),
        (["train", "T", "--out", "o", "--config", "standard"], "size", "standard"),
        (["surfaces", "l", "-o", "d", "--smooth", "3"], "smooth_passes", 3),
        (["surfaces", "l", "-o", "d", "--smoothing", "4"], "smooth_passes", 4),
        (["surfaces", "l", "-o", "d", "--labels", "1,2"], "label_ids", [1, 2]),
        (["stats", "l", "--no-surface"], "surfaces", False),
        (["evaluate", "p", "g", "--labels", "1,2"], "labels", [1, 2]),
        (["edit", "margin", "l", "-o", "o", "--mm", "3"], "margin_mm", 3.0),
        (["edit", "smooth", "l", "-o", "o", "--mm", "1"], "smooth_mm", 1.0),
    ],
)
def test_old_flags_work_with_a_one_line_note(argv, dest, value, capsys):
    args = build_parser().parse_args(argv)
    assert getattr(args, dest) == value
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is renamed" in err[0] and "still works" in err[0], err


def _help(*path: str) -> str:
    return _subparser(*path).format_help()


def _option_help(text: str, flag: str) -> str:
    match = re.search(rf"\n  {re.escape(flag)}[ ,].*?(?=\n  -|\n\n|\Z)", text, re.S)
    assert match, flag
    return " ".join(match.group(0).split())


@pytest.mark.parametrize(
    ("flag", "default"),
    [
        ("--seed", "0"),
        ("--compactness", "0.0"),
        ("--open-mm", "0.0"),
        ("--close-mm", "0.0"),
        ("--min-voxels", "0"),
        ("--min-mm3", "0.0"),
        ("--fill-holes", "off"),
        ("--largest", "off"),
        ("--overlap", "0.5"),
    ],
)
def test_segment_help_shows_every_default_zero_and_off_included(flag, default):
    assert f"default {default}" in _option_help(_help("segment"), flag)


def test_every_generated_option_shows_its_default():
    for path in (("segment",), ("train",), ("compare",), ("finetune",), ("edit", "margin"),
                 ("surfaces",), ("stats",)):  # fmt: skip
        text = _help(*path)
        for op in ops.all_operations():
            if _command_of(op) != path and not (path == ("compare",) and op.key == "train"):
                continue
            for p in op.all_params:
                if p.flag in text and not (path == ("compare",) and p.name == "epochs"):
                    assert "default" in _option_help(text, p.flag), (path, p.flag)


def test_method_threshold_is_manual_with_a_note(tmp_path, capsys):
    from napari_seg.io import Geometry, load_volume, save_volume
    from napari_seg.segment.methods import run_method

    image = np.zeros((6, 8, 8), np.float32)
    image[2:4, 2:6, 2:6] = 100
    src = save_volume(image, Geometry.from_spacing((1, 1, 1)), tmp_path / "i.nii.gz")
    out = tmp_path / "o.nii.gz"
    assert main(["segment", str(src), "-o", str(out), "--method", "threshold", "--low", "50"]) == 0
    assert "--method threshold is renamed --method manual" in capsys.readouterr().err
    assert int(load_volume(out).data.sum()) == 2 * 4 * 4
    with pytest.warns(DeprecationWarning, match="'threshold' is renamed 'manual'"):
        old = run_method("threshold", image, spacing=(1, 1, 1), params={"low": 50})
    new = run_method("manual", image, spacing=(1, 1, 1), params={"low": 50})
    assert np.array_equal(old, new)


def test_old_python_keywords_still_work():
    from napari_seg.inspect import label_surfaces
    from napari_seg.inspect.stats import label_statistics
    from napari_seg.io import Geometry
    from napari_seg.segment.methods import run_method

    labels = np.zeros((8, 8, 8), np.uint8)
    labels[2:6, 2:6, 2:6] = 1
    labels[0, 0, 0] = 1
    g = Geometry.from_spacing((1, 1, 1))
    with pytest.warns(DeprecationWarning, match="'largest_component' is renamed 'largest'"):
        kept = run_method("cleanup", labels, spacing=(1, 1, 1), params={"largest_component": 1})
    assert kept[0, 0, 0] == 0 and kept.sum() == 64
    with pytest.warns(DeprecationWarning, match="'smoothing' is renamed 'smooth_passes'"):
        old = label_surfaces(labels, g, smoothing=0)
    assert np.allclose(old[1].vertices, label_surfaces(labels, g, smooth_passes=0)[1].vertices)
    rows = label_statistics(labels, g, names={1: "a"}, surfaces=False)
    assert rows == label_statistics(labels, g, label_names={1: "a"}, surfaces=False)
    assert rows[0]["name"] == "a"


def test_threshold_names_are_not_called_methods():
    import napari_seg.segment as segment
    from napari_seg.segment.methods import METHODS

    assert set(segment.THRESHOLD_METHODS) < set(METHODS)
    with pytest.warns(DeprecationWarning, match="use THRESHOLD_METHODS"):
        assert segment.METHODS == segment.THRESHOLD_METHODS


def test_training_limits_are_declared_once():
    train = ops.get("train")
    assert train.param("epochs").high == 100_000
    parser = _subparser("train")
    assert parser.parse_args(["T", "--out", "o", "--epochs", "100000"]).epochs == 100_000
    with pytest.raises(SystemExit):
        parser.parse_args(["T", "--out", "o", "--epochs", "100001"])
    with pytest.raises(SystemExit):
        parser.parse_args(["T", "--out", "o", "--lr", "2"])  # above the dock's and CLI's 1.0


def test_compare_epochs_is_refused_naming_the_budget_options(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["compare", "T", "--out", "o", "--epochs", "5"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--steps" in err[0] and "--budget-s" in err[0]


def test_operations_register_beside_their_code_and_keys_are_unique():
    keys = [op.key for op in ops.all_operations()]
    assert len(keys) == len(set(keys))
    for key in ("segment.otsu", "unet", "train", "compare", "finetune", "edit.margin",
                "edit.grow-region", "surfaces", "stats"):  # fmt: skip
        assert key in keys
    assert ops.get("segment.threshold") is ops.get("segment.manual")
    with pytest.raises(ValueError, match="twice"):
        ops.register(ops.Operation("otsu", "Other", "x", group="segment"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # declaring the deep operations imports no torch
        import subprocess
        import sys

        code = (
            "import sys, napari_seg.ops as o, napari_seg.cli.edit, napari_seg.cli.finetune\n"
            "o.get('unet'); list(o.all_operations())\n"
            "heavy = ('torch', 'napari', 'qtpy', 'magicgui', 'monai')\n"
            "print(any(m in sys.modules for m in heavy))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.stdout.strip() == "False", out.stderr
