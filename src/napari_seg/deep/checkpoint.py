"""The one checkpoint format shared by inference and training.

A checkpoint is a ``.safetensors`` file: tensors (the network's state dict)
plus one metadata entry ``napari_seg`` holding JSON (:class:`CheckpointMeta`).
No pickle is ever read from it. A plain PyTorch state dict (``.pt``/``.pth``,
for example MONAI's model-zoo spleen ``model.pt``) is loaded with
``torch.load(weights_only=True)`` into the network that its sidecar
``<file>.json`` (or the caller) describes, key by key over MONAI's spleen U-Net
(:func:`napari_seg.data.spleen.spleen_unet`); a file carrying a pickle payload
is refused before anything in it runs.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .._files import atomic_path
from .networks import build_network

__all__ = [
    "CheckpointError",
    "CheckpointMeta",
    "load_checkpoint",
    "load_weights",
    "save_checkpoint",
]

FORMAT = "napari-seg-checkpoint"


class CheckpointError(ValueError):
    """A checkpoint that is unsafe, malformed, or does not fit its network."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"{self.path}: {reason}")


@dataclass
class CheckpointMeta:
    """What a network needs besides its weights (stored as JSON).

    ``target_spacing`` is in napari order ``(dz, dy, dx)`` mm (None: keep the
    image's); ``intensity_window`` maps ``[low, high]`` (HU) linearly to
    ``[0, 1]`` with clipping (None: intensities as they are); ``orientation`` is the
    axis code the network was trained in (for example "RAS"). The defaults describe a
    generic two-class network; MONAI's spleen U-Net is
    ``CheckpointMeta(**napari_seg.data.spleen.spleen_unet())``.
    """

    network: str = "unet"
    config: str = "standard"
    overrides: dict[str, Any] = field(default_factory=dict)
    in_channels: int = 1
    out_channels: int = 2
    labels: dict[str, str] = field(default_factory=lambda: {"0": "background", "1": "foreground"})
    intensity_window: tuple[float, float] | None = None
    target_spacing: tuple[float, float, float] | None = None
    orientation: str = "RAS"
    roi_size: tuple[int, int, int] = (96, 96, 96)
    training: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "version": 1, **asdict(self)})

    @classmethod
    def from_json(
        cls,
        text: str,
        *,
        path: str | os.PathLike[str] = "<meta>",
        base: dict[str, Any] | None = None,
    ) -> CheckpointMeta:
        """Metadata from JSON; keys it leaves out come from ``base``, then the defaults."""
        try:
            raw = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise CheckpointError(path, f"metadata is not JSON ({str(exc)[:80]})") from exc
        if not isinstance(raw, dict):
            raise CheckpointError(path, "metadata must be a JSON object")
        raw = {**(base or {}), **raw}
        raw.pop("format", None)
        raw.pop("version", None)
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(raw) - known
        if unknown:
            raise CheckpointError(path, f"unknown metadata keys {sorted(unknown)}")
        for key in ("intensity_window", "target_spacing", "roi_size"):
            if isinstance(raw.get(key), list):
                raw[key] = tuple(raw[key])
        try:
            meta = cls(**raw)
        except TypeError as exc:
            raise CheckpointError(path, f"bad metadata ({exc})") from exc
        meta.check(path)
        return meta

    def check(self, path: str | os.PathLike[str] = "<meta>") -> None:
        """Refuse values that are not sizes a network or an image could have.

        Sizes from a file are bounded before anything is built or resampled.
        """

        def bad(what: str) -> CheckpointError:
            return CheckpointError(path, f"metadata {what}")

        ok_int = lambda v, lo, hi: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi  # noqa: E731
        if not ok_int(self.in_channels, 1, 64) or not ok_int(self.out_channels, 1, 1024):
            raise bad(
                f"channels in={self.in_channels} out={self.out_channels} are not 1..64/1..1024"
            )
        for key in ("intensity_window", "target_spacing", "roi_size"):
            value = getattr(self, key)
            if not (isinstance(value, tuple) or (value is None and key != "roi_size")):
                raise bad(f"{key} {value!r} is not a list of numbers")
        for key, kind in (
            ("network", str),
            ("config", str),
            ("overrides", dict),
            ("labels", dict),
            ("training", dict),
        ):
            if not isinstance(getattr(self, key), kind):
                raise bad(f"{key} {getattr(self, key)!r} is not a {kind.__name__}")
        if len(self.roi_size) != 3 or not all(ok_int(v, 8, 1024) for v in self.roi_size):
            raise bad(f"roi_size {self.roi_size} is not three sizes of 8..1024 voxels")
        sp = self.target_spacing
        if sp is not None and (
            len(sp) != 3
            or not all(
                isinstance(v, (int, float)) and math.isfinite(v) and 0 < v <= 100 for v in sp
            )
        ):
            raise bad(f"target_spacing {sp} is not three finite mm values in (0, 100]")
        axes = ("LR", "PA", "IS")
        ori = self.orientation
        if not (
            isinstance(ori, str)
            and len(ori) == 3
            and sorted(next((i for i, a in enumerate(axes) if c in a), 9) for c in ori)
            == [0, 1, 2]
        ):
            raise bad(f"orientation {ori!r} is not three axis codes such as 'RAS' or 'LPS'")
        win = self.intensity_window
        if win is not None and (
            len(win) != 2
            or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in win)
            or not win[1] > win[0]
        ):
            raise bad(f"intensity_window {win} is not two finite numbers low < high")

    def build(self) -> torch.nn.Module:
        """The (untrained) network this metadata describes."""
        return build_network(
            self.network,
            in_channels=self.in_channels,
            out_channels=self.out_channels,
            config=self.config,
            overrides=self.overrides,
        )


def save_checkpoint(
    model: torch.nn.Module, meta: CheckpointMeta, path: str | os.PathLike[str]
) -> Path:
    """Write weights + metadata to ``path`` (``.safetensors``) atomically.

    The file is written next to ``path`` and moved into place with
    :func:`os.replace`, so a full disk or a crash never leaves a corrupt
    checkpoint where a good one was.
    """
    path = Path(path)
    if path.suffix != ".safetensors":
        raise CheckpointError(path, "checkpoints are written as .safetensors")
    state = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    with atomic_path(path) as tmp:
        save_file(state, str(tmp), metadata={"napari_seg": meta.to_json()})
    return path


def _read_tensors(path: Path) -> tuple[dict[str, torch.Tensor], str | None]:
    if path.suffix == ".safetensors":
        try:
            from safetensors import safe_open

            with safe_open(str(path), framework="pt") as f:
                meta = (f.metadata() or {}).get("napari_seg")
            return load_file(str(path)), meta
        except (SafetensorError, OSError, ValueError) as exc:
            raise CheckpointError(path, f"not a readable safetensors file ({exc})") from exc
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # UnpicklingError for payloads, others for junk
        detail = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise CheckpointError(path, f"refused: not a plain weights file ({detail})") from exc
    if isinstance(obj, dict) and "state_dict" in obj:
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise CheckpointError(path, "expected a state dict of tensors")
    sidecar = path.with_suffix(path.suffix + ".json")
    return obj, sidecar.read_text(encoding="utf-8") if sidecar.is_file() else None


def load_weights(
    model: torch.nn.Module, state: dict[str, torch.Tensor], path: Path, *, check_only: bool = False
) -> None:
    """Load ``state`` into ``model``; on any mismatch the model is left unchanged.

    ``check_only`` compares names and shapes without loading (for a shell built on
    the ``meta`` device).
    """
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    extra = sorted(set(state) - set(own))
    wrong = [k for k in own if k in state and tuple(own[k].shape) != tuple(state[k].shape)]
    if missing or extra or wrong:
        shapes = [(k, tuple(state[k].shape), tuple(own[k].shape)) for k in wrong[:3]]
        parts = [
            f"missing {missing[:5]}" if missing else "",
            f"unexpected {extra[:5]}" if extra else "",
            f"shape mismatch (key, file, network) {shapes}" if wrong else "",
        ]
        detail = "; ".join(p for p in parts if p)
        raise CheckpointError(path, f"weights do not fit the network: {detail}")
    if not check_only:
        model.load_state_dict(state, strict=True)


def _meta_for(path: Path, text: str | None, meta: CheckpointMeta | None) -> CheckpointMeta:
    """A file's own metadata; a plain state dict's sidecar over MONAI's spleen U-Net."""
    from ..data.spleen import spleen_unet  # the model-zoo layout plain state dicts come in

    zoo = None if path.suffix == ".safetensors" else spleen_unet()
    if text:
        return CheckpointMeta.from_json(text, path=path, base=zoo)
    return meta or CheckpointMeta(**(zoo or spleen_unet()))


def load_checkpoint(
    path: str | os.PathLike[str], *, meta: CheckpointMeta | None = None
) -> tuple[torch.nn.Module, CheckpointMeta]:
    """Network (on the CPU, in eval mode) and metadata from a checkpoint.

    Parameters
    ----------
    path : path-like
        ``.safetensors`` written by :func:`save_checkpoint`, or a ``.pt``/``.pth``
        state dict (read with ``weights_only=True``) with an optional
        ``<file>.json`` sidecar of :class:`CheckpointMeta`.
    meta : CheckpointMeta, optional
        Used when the file carries none. Default for a plain state dict: MONAI's
        spleen U-Net (:func:`napari_seg.data.spleen.spleen_unet`), which its
        ``<file>.json`` sidecar overrides key by key.

    Raises
    ------
    CheckpointError
        Unsafe (pickle payload), unreadable, or not fitting its network.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(path, "no such file")
    state, text = _read_tensors(path)
    for name, tensor in state.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            # NaN/inf weights predict nothing (or everything) without a word
            raise CheckpointError(path, f"weights {name!r} hold NaN or infinite values")
    info = _meta_for(path, text, meta)
    try:
        with torch.device("meta"):  # shapes only: metadata asking for a huge net costs nothing
            shell = info.build()
            load_weights(shell, state, path, check_only=True)
            shell.eval()(
                torch.empty(1, info.in_channels, *info.roi_size)
            )  # layers that cannot run
        model = info.build()
    except CheckpointError:
        raise
    except Exception as exc:  # MONAI raises many types for impossible layer settings
        detail = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise CheckpointError(path, f"cannot build {info.network}: {detail}") from exc
    load_weights(model, state, path)
    return model.eval(), info
