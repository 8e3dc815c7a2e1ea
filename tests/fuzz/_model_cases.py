"""Mutated checkpoints (metadata, tensors, file damage), run through ``segment --method unet``."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np

CHECKPOINT_ERRORS = ["CheckpointError"]
MEMORY_ERRORS = ["CheckpointError", "MemoryBoundError"]  # sizes that depend on the image too

_BIG = 10**9
META_EDGES: list[tuple[str, object, bool]] = [
    ("in_channels", 0, True),
    ("in_channels", -1, True),
    ("in_channels", _BIG, True),
    ("in_channels", "a", True),
    ("in_channels", None, True),
    ("in_channels", True, True),
    ("in_channels", 2, True),
    ("in_channels", 1.5, True),
    ("out_channels", 0, True),
    ("out_channels", 1, True),
    ("out_channels", 5000, True),
    ("roi_size", [0, 16, 16], True),
    ("roi_size", [8, 8], True),
    ("roi_size", [_BIG] * 3, True),
    ("roi_size", [16, 16, "a"], True),
    ("roi_size", None, True),
    ("roi_size", [8, 8, 8], False),
    ("roi_size", [1024, 1024, 1024], False),
    ("roi_size", 16, True),
    ("target_spacing", [0, 1, 1], True),
    ("target_spacing", [float("nan"), 1, 1], True),
    ("target_spacing", [1e-6] * 3, True),
    ("target_spacing", [1e-3] * 3, True),
    ("target_spacing", [100, 100, 100], False),
    ("target_spacing", [1, 1], True),
    ("target_spacing", "x", True),
    ("target_spacing", None, False),
    ("intensity_window", [5, 5], True),
    ("intensity_window", [float("nan"), 1], True),
    ("intensity_window", [1, 0], True),
    ("intensity_window", None, False),
    ("intensity_window", [-1e30, 1e30], False),
    ("intensity_window", [1], True),
    ("intensity_window", ["a", "b"], True),
    ("network", "nope", True),
    ("network", "", True),
    ("network", 5, True),
    ("network", "segresnet", True),
    ("config", "huge", True),
    ("config", None, True),
    ("overrides", {"channels": [_BIG, _BIG, _BIG]}, True),
    ("overrides", {"kernel_size": 10**6}, True),
    ("overrides", {"strides": [0, 0]}, True),
    ("overrides", {"__class__": "x"}, True),
    ("overrides", [], True),
    ("overrides", {"hidden_size": _BIG}, True),
    ("labels", {}, False),
    ("labels", {"x": 5}, False),
    ("labels", "a", False),
    ("orientation", "XYZ", True),
    ("orientation", "", True),
    ("orientation", "LPS", False),
    ("orientation", 5, True),
    ("training", "x", False),
    ("foo", 1, True),
    ("format", "other", False),
    ("version", 99, False),
]
META_TEXTS = [("not json", True), ("[1, 2]", True), ("[" * 100_000, True), ('{"a": 1}', True)]


def _base(folder: Path):
    import nibabel as nib
    import torch

    from napari_seg.deep.checkpoint import CheckpointMeta, save_checkpoint

    torch.manual_seed(0)
    meta = CheckpointMeta(
        network="unet",
        config="fast",
        in_channels=1,
        out_channels=2,
        labels={"0": "background", "1": "blob"},
        intensity_window=(-100.0, 200.0),
        target_spacing=(1.6, 1.6, 1.6),
        orientation="RAS",
        roi_size=(16, 16, 16),
    )
    model = meta.build()
    path = save_checkpoint(model, meta, folder / "base.safetensors")
    rng = np.random.default_rng(1)
    image = folder / "image.nii.gz"
    arr = rng.integers(-200, 300, (20, 18, 16)).astype(np.int16)
    nib.save(nib.Nifti1Image(arr, np.diag([0.8, 0.8, 1.2, 1.0])), image)
    return path, meta, model.state_dict(), image


def checkpoint_cases(folder: Path, n: int, rng: np.random.Generator) -> list[dict]:
    """``n`` cases: each metadata edge, bad metadata text, tensor edits, file damage."""
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    base, meta, state, image = _base(folder)
    meta_dict = json.loads(meta.to_json())
    specs: list[tuple[str, object, bool, list[str]]] = [("valid", None, False, CHECKPOINT_ERRORS)]
    specs += [
        (
            "meta",
            e,
            e[2],
            MEMORY_ERRORS if e[0] in ("roi_size", "target_spacing") else CHECKPOINT_ERRORS,
        )
        for e in META_EDGES
    ]
    specs += [("meta_text", t, f, CHECKPOINT_ERRORS) for t, f in META_TEXTS]
    specs += [
        ("pickle", None, True, CHECKPOINT_ERRORS),
        ("pt_sidecar", None, False, CHECKPOINT_ERRORS),
        ("pt_bare", None, True, CHECKPOINT_ERRORS),
        ("empty", None, True, CHECKPOINT_ERRORS),
    ]
    ops = ["drop", "extra", "reshape", "half", "int", "nan", "inf", "huge", "empty_t"]
    must = {
        "drop": True,
        "extra": True,
        "reshape": True,
        "half": False,
        "int": False,
        "nan": True,
        "inf": True,
        "huge": False,
        "empty_t": True,
    }
    while len(specs) < n:
        kind = str(rng.choice(["tensor", "truncate", "flip"], p=[0.5, 0.25, 0.25]))
        seed = int(rng.integers(1 << 30))
        op = ops[seed % len(ops)]
        fail = must[op] if kind == "tensor" else kind == "truncate"
        specs.append((kind, (op, seed) if kind == "tensor" else seed, fail, CHECKPOINT_ERRORS))
    keys = sorted(state)
    cases = []
    for i, (kind, arg, must_fail, allowed) in enumerate(specs[:n]):
        path = folder / f"{i:04d}.safetensors"
        if kind == "valid":
            path.write_bytes(base.read_bytes())
        elif kind in ("meta", "meta_text"):
            if kind == "meta":
                field, value, _ = arg
                text = json.dumps({**meta_dict, field: value})
            else:
                text = arg
            save_file(
                {k: v.contiguous() for k, v in state.items()}, str(path), {"napari_seg": text}
            )
        elif kind == "tensor":
            op, seed = arg
            r = np.random.default_rng(seed)
            st = {k: v.clone().contiguous() for k, v in state.items()}
            key = keys[int(r.integers(len(keys)))]
            while op in ("nan", "inf", "half", "huge") and not st[key].is_floating_point():
                key = keys[int(r.integers(len(keys)))]
            if op == "drop":
                del st[key]
            elif op == "extra":
                st["extra.weight"] = torch.zeros(3)
            elif op == "reshape":
                st[key] = torch.zeros(st[key].numel() + 1)
            elif op == "half":
                st[key] = st[key].half()
            elif op == "int":
                st[key] = st[key].to(torch.int64)
            elif op in ("nan", "inf"):
                st[key].view(-1)[0] = float(op)
            elif op == "huge":
                st[key].fill_(1e30)
            else:
                st[key] = torch.zeros(0)
            save_file(st, str(path), {"napari_seg": meta.to_json()})
        elif kind in ("truncate", "flip"):
            data = bytearray(base.read_bytes())
            r = np.random.default_rng(arg)
            if kind == "truncate":
                data = data[: int(r.integers(0, len(data) - 1))]
            else:
                data[int(r.integers(0, len(data)))] ^= 0xFF
            path.write_bytes(bytes(data))
        elif kind == "pickle":
            path = folder / f"{i:04d}.pt"
            marker = folder / "PWNED"
            path.write_bytes(pickle.dumps(_Payload(str(marker))))
        elif kind in ("pt_sidecar", "pt_bare"):
            path = folder / f"{i:04d}.pt"
            torch.save({k: v.contiguous() for k, v in state.items()}, path)
            if kind == "pt_sidecar":
                Path(str(path) + ".json").write_text(meta.to_json())
        else:
            path.write_bytes(b"")
        cases.append(
            {
                "id": f"checkpoint-{i:04d}-{kind}-{arg if kind in ('meta', 'tensor') else ''}"[
                    :120
                ],
                "concern": "checkpoint",
                "argv": [
                    "segment",
                    str(image),
                    "-o",
                    str(folder / f"{i:04d}.out.nii.gz"),
                    "--method",
                    "unet",
                    "--checkpoint",
                    str(path),
                    "--device",
                    "cpu",
                    "--quiet",
                ],
                "must_fail": must_fail,
                "allowed": allowed,
            }
        )
    return cases


class _Payload:
    """Pickles to a call of ``os.system``: must never run."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))
