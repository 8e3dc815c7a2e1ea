"""Decathlon case browser: switch between a task's training and test cases in place."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import napari
from magicgui.widgets import CheckBox, ComboBox, FileEdit, PushButton

from ...io import DecathlonTask, load_decathlon
from ...progress import Steps
from .._anatomy import attach_display
from .._controls import set_tooltips
from .._docks import DockFrame
from .._meta import decathlon_case
from .._reader import case_layers
from .._tasks import reports_errors


def _load(task: DecathlonTask, name: str, *, progress=None, should_stop=None):
    steps = Steps(1, progress=progress, should_stop=should_stop)
    loaded = task.load_case(name)
    steps.step()
    return case_layers(loaded, task.root, task.labels, task.modalities)


class DecathlonBrowser(DockFrame):
    """Dock widget: pick a task folder and a case; the case's layers replace the last one's."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(viewer, run="Open case")
        self.open_button = self.run_button
        attach_display(viewer)  # cases open in the clinical orientation
        self.task: DecathlonTask | None = None
        self.folder = FileEdit(mode="d", label="task folder")
        self.case = ComboBox(choices=[], label="case")
        self.replace = CheckBox(value=True, text="replace the previous case's layers")
        self.prev_button = PushButton(text="◀ previous")
        self.next_button = PushButton(text="next ▶")
        self.lay_out([self.folder, self.case, self.replace, self.prev_button, self.next_button])
        set_tooltips(
            self,
            {
                "folder": "A Decathlon task folder (TaskNN_Name with dataset.json).",
                "case": "A training case, or a [test] case (no ground truth).",
                "replace": "Remove the previous case's layers when opening another.",
                "prev_button": "Open the previous case.",
                "next_button": "Open the next case.",
                "run_button": "Open the chosen case in the background.",
                "cancel_button": "Stop loading.",
            },
        )
        self.folder.changed.connect(self._load_task)
        self.prev_button.changed.connect(partial(self._step, -1))
        self.next_button.changed.connect(partial(self._step, 1))
        self.reset_choices()

    def reset_choices(self, *_: object) -> None:
        """Take the task of an opened Decathlon layer if no folder is chosen yet.

        napari calls this when layers change. The case list is the task's, not
        the viewer's, so the children's choices are left as they are.
        """
        if self.task is not None:
            return
        for layer in self.viewer.layers:
            case = decathlon_case(layer)
            if case is not None:
                self.folder.value, name = case
                self._select(name)
                return

    def _load_task(self) -> None:
        path = Path(self.folder.value)
        try:
            self.task = load_decathlon(path)
        except ValueError as exc:
            self.task = None
            self.case.choices = []
            self.status.value = str(exc)
            return
        self.case.choices = [
            (f"{c.name}{'' if c.split == 'training' else ' [test]'}", c.name)
            for c in self.task.cases
        ]
        self.status.value = (
            f"{self.task.name}: {len(self.task.training)} training, {len(self.task.test)} test"
        )

    def _select(self, name: str) -> None:
        if name in [c.name for c in (self.task.cases if self.task else [])]:
            self.case.value = name

    def _step(self, delta: int, *_: object) -> None:
        if self.task is None or not self.task.cases:
            return
        names = [c.name for c in self.task.cases]
        i = names.index(self.case.value) if self.case.value in names else -delta
        self.case.value = names[(i + delta) % len(names)]
        self.run()

    def _case_layers(self) -> list:
        root = str(self.task.root) if self.task else None
        return [
            layer for layer in self.viewer.layers if (decathlon_case(layer) or (None,))[0] == root
        ]

    @reports_errors
    def run(self, *_: object) -> None:
        """Load the chosen case in a worker, then swap its layers in."""
        if self.task is None or self.case.value is None:
            raise ValueError("choose a task folder first")
        old = self._case_layers() if self.replace.value else []
        self.start(
            partial(_load, self.task, self.case.value),
            description=f"open {self.case.value}",
            on_result=partial(self._swap, old),
        )

    open_case = run

    def _swap(self, old: list, layers: list) -> None:
        for layer in old:
            if layer in self.viewer.layers:
                self.viewer.layers.remove(layer)
        for data, kwargs, kind in layers:
            getattr(self.viewer, f"add_{kind}")(data, **kwargs)
