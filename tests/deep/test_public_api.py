"""napari_seg.deep exports its functions lazily: no torch until one is used."""

from __future__ import annotations

import inspect
import subprocess
import sys


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_importing_deep_does_not_import_torch():
    code = (
        "import sys, napari_seg.deep as d\n"
        "names = sorted(d.__all__)\n"
        "print('torch' in sys.modules, 'monai' in sys.modules, 'predict' in names)\n"
    )
    assert _run(code) == "False False True"


def test_public_names_resolve_on_use():
    code = (
        "import sys, napari_seg.deep as d\n"
        "f = d.predict\n"
        "print('torch' in sys.modules, f.__module__)\n"
    )
    assert _run(code) == "True napari_seg.deep.inference"


def test_finetune_train_pretrain_are_callable_and_still_modules():
    import napari_seg.deep as d
    from napari_seg.deep.finetune import FinetuneResult, finetune

    assert callable(d.finetune) and d.finetune.FinetuneResult is FinetuneResult
    assert inspect.signature(d.finetune) == inspect.signature(finetune)
    assert "checkpoint" in inspect.signature(d.finetune).parameters
    assert callable(d.train) and callable(d.pretrain)
    assert d.train.TrainConfig is d.TrainConfig
    import napari_seg.deep.finetune as module  # the module form keeps working

    assert module.next_version is not None


def test_calling_the_finetune_module_runs_the_function(monkeypatch):
    import napari_seg.deep as d
    import napari_seg.deep.finetune  # noqa: F401

    module = sys.modules["napari_seg.deep.finetune"]
    monkeypatch.setattr(module, "finetune", lambda *a, **k: ("called", a, k))
    assert d.finetune("ckpt", 1, 2, steps=3) == ("called", ("ckpt", 1, 2), {"steps": 3})
