"""The core never imports napari/Qt/magicgui, and opening NIfTI never imports torch."""

from __future__ import annotations

import json
import subprocess
import sys

CORE_MODULES = [
    "napari_seg",
    "napari_seg.cli",
    "napari_seg.cli.demo",
    "napari_seg.progress",
    "napari_seg.data.synthetic",
    "napari_seg.io",
    "napari_seg.segment",
    "napari_seg.segment.pipeline",
    "napari_seg.segment.smoothing",
    "napari_seg.metrics",
    "napari_seg.cli.demo_unet",
    "napari_seg.segment.methods",
    "napari_seg.segment.recipes",
    "napari_seg.edit",
    "napari_seg.edit.objects",
    "napari_seg.edit.region",
    "napari_seg.cli.train",
    "napari_seg.cli.evaluate",
    "napari_seg.data.synthetic_task",
    "napari_seg.deep.cache",
    "napari_seg.deep.compare",
    "napari_seg.deep.inference",
    "napari_seg.deep.train",
    "napari_seg.deep.seeding",
    "napari_seg.deep.config",
    "napari_seg.deep.stats",
    "napari_seg.deep.compare_report",
    "napari_seg.deep.job",
    "napari_seg.deep.pretrain",
    "napari_seg.deep.axial",
    "napari_seg.deep.label_efficiency",
    "napari_seg.cli.compare",
    "napari_seg.cli.pretrain",
    "napari_seg.prompt",
    "napari_seg.prompt.train",
    "napari_seg.prompt.finetune",
    "napari_seg.cli.train_prompt",
]
GUI = ("napari", "qtpy", "magicgui", "PyQt6", "PyQt5", "PySide6")


def _imported_after(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted({k.split('.')[0] for k in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_core_imports_no_gui():
    leaked = _imported_after(CORE_MODULES) & set(GUI)
    assert not leaked, f"core modules imported {leaked}"


def test_reading_nifti_never_imports_torch():
    assert "torch" not in _imported_after(["napari_seg.io", "napari_seg.metrics"])


def test_opening_the_deep_docks_never_imports_torch():
    """torch and MONAI load in the workers: the U-Net and Train docks open in a blink."""
    modules = [
        "napari_seg.deep.config",
        "napari_seg.cli.train",
        "napari_seg._napari.widgets.unet",
        "napari_seg._napari.widgets.train",
        "napari_seg._napari.widgets.correct",  # the AI click tool loads torch in its worker
        "napari_seg.prompt",
        "napari_seg.cli.train_prompt",
    ]
    imported = _imported_after(modules)
    assert not {"torch", "monai"} & imported
