"""Medical Segmentation Decathlon task folders: ``dataset.json`` + ``imagesTr/labelsTr/imagesTs``.

:func:`load_decathlon` reads and checks the description only; cases are loaded
one at a time with :meth:`DecathlonTask.load_case`. Paths in ``dataset.json``
must stay inside the task folder (no ``..``, no absolute paths, no symlinks
pointing out); macOS ``._*`` resource files are skipped.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..volume import check_same_grid
from ._dataset_schema import check_schema
from .errors import DecathlonError, NiftiError
from .geometry import GeometryError
from .nifti import Volume, load_nifti, nifti_stem

__all__ = ["DecathlonCase", "DecathlonTask", "LoadedCase", "is_decathlon_path", "load_decathlon"]

_REQUIRED = ("name", "modality", "labels", "training")


@dataclass(frozen=True)
class DecathlonCase:
    """One case: its name (file name without ``.nii.gz``), image, optional label and split."""

    name: str
    image: Path
    label: Path | None
    split: Literal["training", "test"]


@dataclass(frozen=True)
class LoadedCase:
    """A loaded case: one ``(Z, Y, X)`` volume per modality and the label volume (or None)."""

    case: DecathlonCase
    channels: list[Volume]
    label: Volume | None


@dataclass(frozen=True)
class DecathlonTask:
    """A task's description. Nothing is loaded until :meth:`load_case`."""

    root: Path
    name: str
    description: str
    modalities: dict[int, str]
    labels: dict[int, str]
    training: list[DecathlonCase]
    test: list[DecathlonCase]
    tensor_image_size: str = "3D"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def cases(self) -> list[DecathlonCase]:
        """Training cases, then test cases."""
        return [*self.training, *self.test]

    def case(self, name: str) -> DecathlonCase:
        """The case called ``name``; :class:`DecathlonError` if there is none."""
        for c in self.cases:
            if c.name == name:
                return c
        raise DecathlonError(self.root, f"no case named {name!r}")

    def load_case(self, case: DecathlonCase | str, *, max_bytes: int | None = None) -> LoadedCase:
        """Load one case's image (split into modalities) and label, checking they match.

        Raises
        ------
        DecathlonError
            A file is missing or unreadable, the image has the wrong number of
            modalities, or the label's shape or affine differs from the image's.
        """
        c = self.case(case) if isinstance(case, str) else case
        try:
            image = load_nifti(c.image, max_bytes=max_bytes)
            label = None if c.label is None else load_nifti(c.label, max_bytes=max_bytes)
        except NiftiError as exc:
            raise DecathlonError(self.root, f"case {c.name}: {exc}") from exc
        channels = self._split_channels(c, image)
        if label is not None:
            problem = _mismatch(channels[0], label)
            if problem:
                raise DecathlonError(self.root, f"case {c.name}: {problem}")
        return LoadedCase(c, channels, label)

    def _split_channels(self, c: DecathlonCase, image: Volume) -> list[Volume]:
        n_mod = len(self.modalities)
        if image.data.ndim == 3:
            vols = [image]
        else:  # (C, Z, Y, X): the 4th NIfTI axis is the modality
            vols = [Volume(image.data[i], image.geometry) for i in range(image.data.shape[0])]
        if len(vols) != n_mod:
            raise DecathlonError(
                self.root,
                f"case {c.name}: image has {len(vols)} channel(s), dataset.json lists {n_mod} "
                f"modalities {list(self.modalities.values())}",
            )
        return vols

    def check_cases(self) -> dict[str, str]:
        """Load every training case's headers; return ``{case: problem}`` for the bad ones."""
        problems = {}
        for c in self.training:
            try:
                self.load_case(c)
            except DecathlonError as exc:
                problems[c.name] = exc.reason
        return problems


def _mismatch(image: Volume, label: Volume) -> str:
    try:
        check_same_grid(image, label, what="image and label")
    except GeometryError as exc:
        return str(exc)
    if not (np.issubdtype(label.data.dtype, np.integer) or label.data.dtype == bool):
        return f"label dtype {label.data.dtype} is not integer"
    return ""


def is_decathlon_path(path: str | os.PathLike[str]) -> bool:
    """True for a folder holding ``dataset.json``, or a ``dataset.json`` file."""
    p = Path(path)
    # a dataset.json link that loops or dangles still marks a task: loading it says why
    return (p.is_dir() and os.path.lexists(p / "dataset.json")) or (
        p.name == "dataset.json" and os.path.lexists(p) and not p.is_dir()
    )


def _inside(root: Path, rel: Any, where: str) -> Path | None:
    """Resolve a ``dataset.json`` path; None for ``._*`` files; refuse escapes."""
    if not isinstance(rel, str) or not rel:
        raise DecathlonError(root, f"{where}: expected a relative path, got {rel!r}")
    p = Path(rel)
    if p.is_absolute() or ".." in p.parts:
        raise DecathlonError(root, f"{where}: path {rel!r} escapes the task folder")
    if p.name.startswith("._"):
        return None
    full = root / p
    if not full.resolve().is_relative_to(root.resolve()):
        raise DecathlonError(root, f"{where}: {rel!r} links outside the task folder")
    return full


def _int_keys(root: Path, mapping: Any, key: str) -> dict[int, str]:
    if not isinstance(mapping, dict) or not mapping:
        raise DecathlonError(root, f"dataset.json: {key!r} must be a non-empty object")
    try:
        return {int(k): str(v) for k, v in sorted(mapping.items(), key=lambda kv: int(kv[0]))}
    except (TypeError, ValueError) as exc:
        raise DecathlonError(root, f"dataset.json: {key!r} keys must be integers") from exc


def _read_json(root: Path) -> dict[str, Any]:
    path = root / "dataset.json"
    if path.is_symlink() and not path.exists():
        raise DecathlonError(path, "dataset.json is a symlink that loops or points nowhere")
    if not path.is_file():
        raise DecathlonError(root, "no dataset.json in the task folder")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise DecathlonError(path, f"malformed dataset.json ({exc})") from exc
    if not isinstance(meta, dict):
        raise DecathlonError(path, "dataset.json must hold a JSON object")
    missing = [k for k in _REQUIRED if k not in meta]
    if missing:
        raise DecathlonError(path, f"dataset.json lacks the keys {missing}")
    check_schema(meta, path)
    return meta


def _training(root: Path, entries: Any) -> list[DecathlonCase]:
    if not isinstance(entries, list):
        raise DecathlonError(root, "dataset.json: 'training' must be a list")
    cases = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or "image" not in e:
            raise DecathlonError(root, f"training[{i}]: expected {{'image': ..., 'label': ...}}")
        image = _inside(root, e["image"], f"training[{i}].image")
        label = _inside(root, e["label"], f"training[{i}].label") if e.get("label") else None
        if image is not None:
            cases.append(DecathlonCase(nifti_stem(image), image, label, "training"))
    return cases


def _test(root: Path, entries: Any) -> list[DecathlonCase]:
    if entries is None:  # not listed: take imagesTs/ as it is
        folder = root / "imagesTs"
        files = sorted(folder.glob("*.nii*")) if folder.is_dir() else []
        entries = [f"imagesTs/{f.name}" for f in files]
    if not isinstance(entries, list):
        raise DecathlonError(root, "dataset.json: 'test' must be a list")
    out = []
    for i, rel in enumerate(entries):
        path = _inside(root, rel["image"] if isinstance(rel, dict) else rel, f"test[{i}]")
        if path is not None:
            out.append(DecathlonCase(nifti_stem(path), path, None, "test"))
    return out


def load_decathlon(path: str | os.PathLike[str]) -> DecathlonTask:
    """Read a Decathlon task's ``dataset.json`` (no image is loaded).

    Parameters
    ----------
    path : path-like
        The task folder, or its ``dataset.json``.

    Returns
    -------
    DecathlonTask

    Raises
    ------
    DecathlonError
        ``dataset.json`` is missing, malformed, lacks keys, or lists a path
        that leaves the task folder.
    """
    p = Path(path)
    root = p.parent if p.name == "dataset.json" else p
    meta = _read_json(root)
    return DecathlonTask(
        root=root,
        name=str(meta["name"]),
        description=str(meta.get("description", "")),
        modalities=_int_keys(root, meta["modality"], "modality"),
        labels=_int_keys(root, meta["labels"], "labels"),
        training=_training(root, meta["training"]),
        test=_test(root, meta.get("test")),
        tensor_image_size=str(meta.get("tensorImageSize", "3D")),
        raw=meta,
    )
