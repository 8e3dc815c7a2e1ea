"""Click to segment: a promptable 3-D network trained by the project.

``segment(image, positive, negative, spacing=...)`` returns the object that the
clicks point at. torch is imported only when a function that needs it runs, so
importing this package is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .api import segment
from .clicks import corrective_click, encode_clicks, first_click

if TYPE_CHECKING:
    from .model import PromptModel, default_weights, load_prompt_model

__all__ = [
    "PromptModel",
    "corrective_click",
    "default_weights",
    "encode_clicks",
    "first_click",
    "load_prompt_model",
    "segment",
]


def __getattr__(name: str) -> Any:  # lazy: these import torch
    if name in ("PromptModel", "default_weights", "load_prompt_model"):
        from . import model

        return getattr(model, name)
    raise AttributeError(name)
