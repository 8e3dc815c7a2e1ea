"""Device selection: ``auto`` picks CUDA, then Apple MPS, then the CPU."""

from __future__ import annotations

import torch

__all__ = ["DeviceError", "select_device"]


class DeviceError(ValueError):
    """A device that was asked for but is not available."""


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def select_device(name: str | torch.device = "auto") -> torch.device:
    """The torch device for ``name``.

    Parameters
    ----------
    name : str or torch.device
        ``"auto"`` (CUDA if available, else MPS, else CPU), ``"cpu"``,
        ``"cuda"``/``"cuda:N"`` or ``"mps"``.

    Raises
    ------
    DeviceError
        The device is not available on this machine (no silent fallback when
        a device is named explicitly).
    """
    if isinstance(name, torch.device):
        name = str(name)
    name = name.strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceError(f"{name} was requested but CUDA is not available here")
        device = torch.device(name)
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceError(f"{name}: only {torch.cuda.device_count()} CUDA device(s)")
        return device
    if name == "mps":
        if not _mps_available():
            raise DeviceError("mps was requested but Apple MPS is not available here")
        return torch.device("mps")
    raise DeviceError(f"unknown device {name!r}; use auto, cpu, cuda, cuda:N or mps")
