"""Shared frame of the segmentation widgets: source picker, Run/Cancel, status, output layer."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import napari
import numpy as np
from magicgui.widgets import Container, Label, PushButton, Widget, create_widget
from napari.layers import Image, Labels

from .._layers import upsert_labels, volume_of
from .._tasks import TaskRunner


class SegmentWidget(Container):
    """Base dock widget: subclasses add option widgets and implement :meth:`make_call`.

    ``make_call(data, spacing)`` returns a function taking ``progress`` and
    ``should_stop`` (a core function with its options bound); its result goes
    to the Labels layer ``<method> <source>``, placed on the source.
    """

    method_name = "segment"
    source_type: type = Image

    def __init__(self, viewer: napari.viewer.Viewer, options: list[Widget]) -> None:
        super().__init__(labels=True)
        self.viewer = viewer
        self.image = create_widget(annotation=self.source_type, label="image")
        self.run_button = PushButton(text="Run")
        self.cancel_button = PushButton(text="Cancel")
        self.status = Label(value="")
        self.extend([self.image, *options, self.run_button, self.cancel_button, self.status])
        self.runner = TaskRunner(self.run_button, self.cancel_button, self.status)
        self.run_button.changed.connect(self.run)

    def output_name(self) -> str:
        return f"{self.method_name} {self.image.value.name}"

    def make_call(self, data: np.ndarray, spacing: tuple[float, ...]) -> Callable[..., Any]:
        raise NotImplementedError

    def run(self, *_: object) -> None:
        """Read the source layer, then run the bound core function in a worker."""
        layer = self.image.value
        data = volume_of(layer, what="image layer")
        spacing = tuple(abs(float(s)) for s in layer.scale[-data.ndim :])
        fn = self.make_call(data, spacing)
        name = self.output_name()
        self.runner.start(
            fn,
            description=f"{self.method_name} ({layer.name})",
            on_result=partial(self._show, name, layer),
        )

    def _show(self, name: str, source: Any, labels: np.ndarray) -> Labels:
        return upsert_labels(self.viewer, labels, name=name, source=source)

    @staticmethod
    def optional_mask(widget: Widget) -> np.ndarray | None:
        layer = widget.value
        return None if layer is None else volume_of(layer, what="mask") != 0
