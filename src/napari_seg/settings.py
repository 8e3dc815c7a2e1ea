"""napari-seg's own user settings, kept between sessions in one small JSON file.

The file is ``settings.json`` in the user configuration folder
(``platformdirs.user_config_dir("napari-seg")``, or ``$NAPARI_SEG_CONFIG_DIR`` when set).
A missing or unreadable file gives the defaults; writes are atomic.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from ._files import write_text
from .display import CONVENTIONS

__all__ = ["Settings", "load_settings", "save_settings", "settings_path", "update_settings"]


@dataclass(frozen=True)
class Settings:
    """User settings.

    Attributes
    ----------
    display_convention : {"radiological", "neurological"}
        How anatomical planes are shown (see :mod:`napari_seg.display`).
    orientation_markers : bool
        Show R/L/A/P/S/I letters at the canvas edges.
    position_readout : bool
        Show the cursor's position in R/A/S mm and the value under it.
    """

    display_convention: str = "radiological"
    orientation_markers: bool = True
    position_readout: bool = True

    def __post_init__(self) -> None:
        if self.display_convention not in CONVENTIONS:
            raise ValueError(
                f"display_convention must be one of {CONVENTIONS}, got {self.display_convention!r}"
            )


def settings_path() -> Path:
    """Where the settings live (``$NAPARI_SEG_CONFIG_DIR/settings.json`` when set)."""
    folder = os.environ.get("NAPARI_SEG_CONFIG_DIR")
    if not folder:
        import platformdirs

        folder = platformdirs.user_config_dir("napari-seg")
    return Path(folder) / "settings.json"


def load_settings() -> Settings:
    """The saved settings; defaults for anything missing, unknown or invalid."""
    try:
        raw: Any = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    defaults = Settings()
    kept = {}
    for f in fields(Settings):
        value = raw.get(f.name, getattr(defaults, f.name))
        if isinstance(value, type(getattr(defaults, f.name))):
            kept[f.name] = value
    try:
        return Settings(**kept)
    except ValueError:
        return defaults


def save_settings(settings: Settings) -> Path:
    """Write ``settings`` atomically; returns the file."""
    path = settings_path()
    write_text(path, json.dumps(asdict(settings), indent=2) + "\n")
    return path


def update_settings(**changes: Any) -> Settings:
    """Load, change the named fields, save, and return the new settings."""
    new = replace(load_settings(), **changes)
    save_settings(new)
    return new
