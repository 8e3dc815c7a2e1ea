"""Import rules, checked on every module of the package (found by walking it, not listed).

* Below ``_napari/`` nothing imports napari, Qt or magicgui, at import time or lazily.
* Private names of napari, MONAI and pynrrd appear only in the compat modules.
* Opening NIfTI never imports torch; the deep docks open without torch.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import napari_seg

PACKAGE = Path(napari_seg.__file__).parent
GUI = ("napari", "qtpy", "magicgui", "PyQt6", "PyQt5", "PySide6", "PySide2", "vispy")
#: Third-party packages whose private names only the compat modules may touch.
GUARDED = ("napari", "monai", "nrrd")
COMPAT = {"napari_seg._napari._compat", "napari_seg.io._compat_nrrd"}
#: Private attributes of napari/MONAI/pynrrd objects this package has needed (compat only).
PRIVATE_ATTRS = {
    "_MaskedPaintAtom",
    "_save_history",
    "_undo_history",
    "_redo_history",
    "_apply_mask_to_data",
    "_qt_window",
    "_qt_viewer",
    "_get_scan_interval",
    "_determine_datatype",
    "_TYPEMAP_NRRD2NUMPY",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
CORE = sorted(
    m for m in MODULES if not m.startswith("napari_seg._napari") and not m.endswith("__main__")
)


def _tree(module: str) -> ast.Module:
    return ast.parse(MODULES[module].read_text(encoding="utf-8"), filename=str(MODULES[module]))


def _imports(tree: ast.Module) -> list[tuple[str, list[str], int]]:
    """Every ``import``/``from ... import`` (also inside functions): module, names, line."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.module, [a.name for a in node.names], node.lineno))
    return out


def test_the_walk_finds_the_package():
    assert len(CORE) > 100 and "napari_seg.deep.inference" in CORE
    assert "napari_seg._napari._compat" in MODULES and set(MODULES) >= COMPAT
    assert not any(m.startswith("napari_seg._napari") for m in CORE)


def test_core_never_imports_gui_even_lazily():
    bad = [
        f"{m}:{line} imports {name}"
        for m in CORE
        for name, _, line in _imports(_tree(m))
        if name.split(".")[0] in GUI
    ]
    assert not bad, bad


def test_private_third_party_names_only_in_compat_modules():
    bad = []
    for m in MODULES:
        if m in COMPAT:
            continue
        tree = _tree(m)
        for name, names, line in _imports(tree):
            top = name.split(".")[0]
            private = [n for n in names if n.startswith("_")] + [
                p for p in name.split(".") if p.startswith("_")
            ]
            if top in GUARDED and private:
                bad.append(f"{m}:{line} imports {name}.{private}")
        for node in ast.walk(tree):
            attr = getattr(node, "attr", None)
            const = node.value if isinstance(node, ast.Constant) else None
            hit = attr if attr in PRIVATE_ATTRS else const if const in PRIVATE_ATTRS else None
            if hit:
                bad.append(f"{m}:{node.lineno} uses {hit}")
    assert not bad, bad


def _imported_after(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted({k.split('.')[0] for k in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_importing_every_core_module_loads_no_gui():
    leaked = _imported_after(CORE) & set(GUI)
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
