"""Mutated ``dataset.json`` and task folders, and command-line options at their edges."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nibabel as nib
import numpy as np

DATASET_ERRORS = ["DecathlonError"]

_VALID = {
    "name": "Fuzz",
    "description": "fuzz task",
    "tensorImageSize": "3D",
    "modality": {"0": "CT"},
    "labels": {"0": "background", "1": "blob"},
    "numTraining": 2,
    "numTest": 1,
    "training": [
        {"image": "./imagesTr/c0.nii.gz", "label": "./labelsTr/c0.nii.gz"},
        {"image": "./imagesTr/c1.nii.gz", "label": "./labelsTr/c1.nii.gz"},
    ],
    "test": ["./imagesTs/t0.nii.gz"],
}

_BAD_CASE = [{"image": "./imagesTr/c0.nii.gz", "label": None}]
# (key, value, must_fail); the case loaded is c0
KEY_EDGES: list[tuple[str, object, bool]] = [
    ("name", None, True),
    ("name", 1, True),
    ("name", "x", False),
    ("name", [], True),
    ("name", {}, True),
    ("modality", None, True),
    ("modality", 1, True),
    ("modality", "x", True),
    ("modality", [], True),
    ("modality", {}, True),
    ("modality", {"a": "CT"}, True),
    ("modality", {"0": 1}, True),
    ("modality", {"0": "CT", "1": "MR"}, True),
    ("modality", {"0": "MR"}, False),
    ("labels", None, True),
    ("labels", {}, True),
    ("labels", {"0": "bg", "1": ["x"]}, True),
    ("labels", {"0": "bg", "1": "a", "2": "b"}, False),
    ("labels", {"-1": "x"}, True),
    ("labels", {"99999999": "x"}, True),
    ("training", None, True),
    ("training", {}, True),
    ("training", [{}], True),
    ("training", [{"image": 5}], True),
    ("training", [{"image": "../x.nii.gz"}], True),
    ("training", [{"image": "/etc/passwd"}], True),
    ("training", [[1]], True),
    ("training", "x", True),
    ("training", [], True),
    ("training", _BAD_CASE, False),
    ("training", [{"image": "./imagesTr/c0.nii.gz", "label": "./labelsTr/nope.nii.gz"}], True),
    ("training", [{"image": "./imagesTr/c0.nii.gz", "label": "./labelsTr/c1.nii.gz"}], False),
    ("training", [{"image": "./imagesTr", "label": "./labelsTr/c0.nii.gz"}], True),
    ("training", [{"image": "./imagesTr/c0.nii.gz", "label": "./out/c0.nii.gz"}], True),
    ("training", [{"image": "./imagesTr/c0.nii.gz", "label": "./labelsTr/float.nii.gz"}], True),
    ("training", [{"image": "./imagesTr/c0.nii.gz", "label": "./labelsTr/moved.nii.gz"}], True),
    ("training", [{"image": "./imagesTr/two.nii.gz", "label": "./labelsTr/c0.nii.gz"}], True),
    ("test", None, False),
    ("test", [{}], True),
    ("test", [5], True),
    ("test", [{"image": "../../x"}], True),
    ("test", "x", True),
    ("test", [], False),
    ("numTraining", float("nan"), True),
    ("numTraining", -1, True),
    ("tensorImageSize", "5D", True),
]
TEXTS = [
    ("", True),
    ("\xff\xfe{", True),
    ("[" * 100_000, True),
    ("[]", True),
    ("null", True),
    ("\ufeff" + json.dumps(_VALID), False),
    (json.dumps(_VALID) + "junk", True),
]


def _task(root: Path) -> None:
    """A valid two-case task, plus the odd files the edges point at."""
    rng = np.random.default_rng(2)
    aff = np.diag([0.8, 0.8, 2.0, 1.0])
    for sub in ("imagesTr", "labelsTr", "imagesTs"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for name in ("c0", "c1"):
        img = rng.integers(-200, 300, (12, 11, 10)).astype(np.int16)
        nib.save(nib.Nifti1Image(img, aff), root / "imagesTr" / f"{name}.nii.gz")
        nib.save(
            nib.Nifti1Image((img > 50).astype(np.uint8), aff), root / "labelsTr" / f"{name}.nii.gz"
        )
    nib.save(nib.Nifti1Image(img, aff), root / "imagesTs" / "t0.nii.gz")
    nib.save(
        nib.Nifti1Image(np.zeros((12, 11, 10), np.uint8), aff), root / "labelsTr" / "c1.nii.gz"
    )
    nib.save(
        nib.Nifti1Image(rng.random((12, 11, 10)).astype(np.float32), aff),
        root / "labelsTr" / "float.nii.gz",
    )
    nib.save(
        nib.Nifti1Image(np.zeros((12, 11, 10), np.uint8), np.diag([1.0, 0.8, 2.0, 1.0])),
        root / "labelsTr" / "moved.nii.gz",
    )
    nib.save(
        nib.Nifti1Image(rng.integers(0, 9, (12, 11, 10, 2)).astype(np.int16), aff),
        root / "imagesTr" / "two.nii.gz",
    )
    outside = root.parent / "outside"
    outside.mkdir(exist_ok=True)
    (root / "out").mkdir(exist_ok=True)
    os.symlink(outside, root / "out" / "link") if not (root / "out" / "link").exists() else None
    nib.save(nib.Nifti1Image(np.zeros((12, 11, 10), np.uint8), aff), outside / "c0.nii.gz")
    os.symlink(outside / "c0.nii.gz", root / "out" / "c0.nii.gz")


def dataset_cases(folder: Path, n: int, rng: np.random.Generator) -> list[dict]:
    """``n`` task folders: every key edge, broken texts, then random character edits."""
    specs: list[tuple[str, object, bool]] = [("valid", None, False)]
    specs += [("key", e, e[2]) for e in KEY_EDGES] + [("text", t, f) for t, f in TEXTS]
    specs += [("missing", k, True) for k in ("name", "modality", "labels", "training")]
    valid_text = json.dumps(_VALID, indent=1)
    while len(specs) < n:
        specs.append(("edit", int(rng.integers(1 << 30)), False))
    cases = []
    for i, (kind, arg, must_fail) in enumerate(specs[:n]):
        root = folder / f"{i:04d}" / "Task"
        _task(root)
        if kind == "valid":
            text = json.dumps(_VALID)
        elif kind == "key":
            text = json.dumps({**_VALID, arg[0]: arg[1]})
        elif kind == "missing":
            text = json.dumps({k: v for k, v in _VALID.items() if k != arg})
        elif kind == "text":
            text = arg
        else:
            r = np.random.default_rng(arg)
            chars = list(valid_text)
            for _ in range(int(r.integers(1, 4))):
                at = int(r.integers(len(chars)))
                op = int(r.integers(3))
                if op == 0:
                    del chars[at]
                elif op == 1:
                    chars.insert(at, str(r.choice(list('{}[]",:0a.\\/ '))))
                else:
                    chars[at] = str(r.choice(list('{}[]",:0a.\\/ ')))
            text = "".join(chars)
        (root / "dataset.json").write_bytes(text.encode("utf-8", "surrogateescape"))
        if kind == "text" and arg.startswith("\xff"):
            (root / "dataset.json").write_bytes(b"\xff\xfe{")
        tag = str(arg)[:60] if kind in ("key", "missing") else ""
        cases.append(
            {
                "id": f"dataset-{i:04d}-{kind}-{tag}",
                "concern": "dataset",
                "argv": [
                    "segment",
                    str(root),
                    "--case",
                    "c0",
                    "--method",
                    "otsu",
                    "--quiet",
                    "-o",
                    str(root.parent / "c0.out.nii.gz"),
                ],
                "must_fail": must_fail,
                "allowed": DATASET_ERRORS,
            }
        )
    return cases


def option_cases(folder: Path, checkpoint: Path) -> list[dict]:
    """Every option edge that must be refused, each naming its flag."""
    task = folder / "opt" / "Task"
    _task(task)
    (task / "dataset.json").write_text(json.dumps(_VALID))
    img = str(task / "imagesTr" / "c0.nii.gz")
    lab = str(task / "labelsTr" / "c0.nii.gz")
    out = str(folder / "opt" / "out.nii.gz")
    seg = ["segment", img, "-o", out, "--quiet"]
    unet = [*seg, "--method", "unet", "--checkpoint", str(checkpoint)]
    train = [
        "train",
        str(task),
        "--out",
        str(folder / "opt" / "run"),
        "--epochs",
        "1",
        "--size",
        "fast",
        "--quiet",
        "--samples",
        "1",
        "--roi-size",
        "8",
        "8",
        "8",
    ]
    edges = [
        ([*seg, "--method", "otsu", "--smooth-mm", v], "--smooth-mm")
        for v in ("-1", "nan", "inf", "1e308")
    ] + [
        ([*seg, "--method", "manual", "--low", "nan"], "--low"),
        ([*seg, "--method", "manual", "--low", "5", "--high", "inf"], "--high"),
        ([*seg, "--method", "kmeans", "--k", "0"], "--k"),
        ([*seg, "--method", "kmeans", "--k", "1000000000"], "--k"),
        ([*seg, "--method", "multiotsu", "--classes", "1"], "--classes"),
        ([*seg, "--method", "otsu", "--min-voxels", "-1"], "--min-voxels"),
        ([*seg, "--method", "otsu", "--open-mm", "1e4"], "--open-mm"),
        ([*seg, "--method", "canny", "--sigma-mm", "1e6"], "--sigma-mm"),
        ([*seg, "--method", "otsu", "--connectivity", "5"], "--connectivity"),
        ([*seg, "--method", "otsu", "--channel", "-1"], "--channel"),
        ([*seg, "--method", "otsu", "--channel", "99"], "--channel"),
        ([*seg, "--method", "otsu", "--case", "c0"], "--case"),
        ([*seg, "--method", "otsu", "--sigma-mm", "1"], "--sigma-mm"),
        ([*unet, "--roi-size", "0", "16", "16"], "--roi-size"),
        ([*unet, "--overlap", "1"], "--overlap"),
        ([*unet, "--overlap", "-0.1"], "--overlap"),
        ([*unet, "--sw-batch-size", "0"], "--sw-batch-size"),
        ([*unet, "--device", "cuda:9"], "--device"),
        ([*unet, "--device", "foo"], "--device"),
        ([*seg, "--method", "unet"], "--checkpoint"),
        ([*seg, "--method", "unet", "--checkpoint", img], "--checkpoint"),
        (["segment", img, "-o", img, "--method", "otsu"], "-o"),
        (["evaluate", lab, lab, "--surface", "--tolerance-mm", "-1"], "--tolerance-mm"),
        (["evaluate", lab, lab, "--surface", "--tolerance-mm", "nan"], "--tolerance-mm"),
        (["evaluate", lab, lab, "--csv", lab], "--csv"),
        ([*train, "--epochs", "0"], "--epochs"),
        ([*train, "--epochs", "-1"], "--epochs"),
        ([*train, "--samples", "0"], "--samples"),
        ([*train, "--val-every", "0"], "--val-every"),
        ([*train, "--spacing", "0", "1", "1"], "--spacing"),
        ([*train, "--lr", "nan"], "--lr"),
        ([*train, "--lr", "-1"], "--lr"),
        ([*train, "--batch-size", "0"], "--batch-size"),
        ([*train, "--intensity-window", "5", "5"], "--intensity-window"),
        ([*train, "--intensity-window", "nan", "1"], "--intensity-window"),
        ([*train, "--fold", "-1"], "--fold"),
        ([*train, "--folds", "1"], "--folds"),
        ([*train, "--roi-size", "0", "16", "16"], "--roi-size"),
        ([*train, "--seed", "-1"], "--seed"),
        ([*train, "--device", "cuda:7"], "--device"),
        (
            ["compare", str(task), "--out", str(folder / "opt" / "cmp"), "--models", ","],
            "--models",
        ),
        (
            ["compare", str(task), "--out", str(folder / "opt" / "cmp"), "--models", "unet,unet"],
            "--models",
        ),
        (
            ["compare", str(task), "--out", str(folder / "opt" / "cmp"), "--models", "foo"],
            "--models",
        ),
    ]
    return [
        {
            "id": f"option-{i:03d}-{flag}",
            "concern": "option",
            "argv": argv,
            "must_fail": True,
            "allowed": [
                "ArgumentError",
                "ValueError",
                "SegmentationError",
                "DeviceError",
                "CheckpointError",
                "InferenceError",
            ],
            "flag": flag,
        }
        for i, (argv, flag) in enumerate(edges)
    ]
