"""Surfaces widget: one Surface layer per label, coloured like it, exported in world mm."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import napari
import numpy as np
from magicgui.widgets import (
    CheckBox,
    ComboBox,
    FileEdit,
    PushButton,
    create_widget,
)
from napari.layers import Labels
from qtpy.QtCore import QTimer

from ...inspect import MESH_FORMATS, SURFACE_PARAMS, Mesh, label_surfaces, write_meshes
from .._controls import control_for, set_tooltips
from .._docks import DockFrame
from .._layers import layer_geometry, volume_of
from .._meta import surface_of
from .._snapshot import SNAPSHOT_STEPS, snapshot_steps
from .._surface_layers import show_surfaces
from .._tasks import one_line, reports_errors

#: What "Export surfaces" writes.
EXPORT_CHOICES = ("all surfaces", "selected surfaces")


class SurfacesWidget(DockFrame):
    """Dock widget: build label surfaces (marching cubes, smoothed, decimated) and export them."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(viewer, run="Build surfaces")
        self.build_button = self.run_button
        self.labels_layer = create_widget(annotation=Labels, label="labels")
        self.smoothing, self.faces = (control_for(p) for p in SURFACE_PARAMS)
        self.show_3d = CheckBox(value=False, text="switch to 3-D when built")
        self.which = ComboBox(choices=EXPORT_CHOICES, value=EXPORT_CHOICES[0], label="export")
        self.format = ComboBox(choices=MESH_FORMATS, value="stl", label="format")
        self.folder = FileEdit(mode="d", label="export to")
        self.export_button = PushButton(text="Export surfaces")
        self.snapshot_path = FileEdit(mode="w", label="snapshot", filter="*.png")
        self.snapshot_button = PushButton(text="Save snapshot")
        self.lay_out(
            [self.labels_layer, self.smoothing, self.faces, self.show_3d],
            [self.which, self.format, self.folder, self.export_button, self.snapshot_path,
             self.snapshot_button],
        )  # fmt: skip
        set_tooltips(
            self,
            {
                "labels_layer": "The Labels layer to mesh (build again after correcting it).",
                "run_button": "Mesh every label in the background, in world mm, on the image.",
                "cancel_button": "Stop building.",
                "show_3d": "Go to the 3-D view once the surfaces are in (or press the "
                "viewer's 2D/3D button yourself).",
                "which": "Write every surface of ours, or only those selected in the layer list.",
                "format": "Mesh file format: STL and PLY (binary) or OBJ (text).",
                "folder": "Folder for the mesh files (one per label).",
                "export_button": "Write the surfaces, one file per label (safe file names), "
                "in the file's world frame: (x, y, z) mm, RAS+, as 3D Slicer reads them.",
                "snapshot_path": "A .png for the report picture.",
                "snapshot_button": "3-D view of the surfaces above axial, coronal and "
                "sagittal slices.",
            },
        )
        self.adding = 0  # surface layers still to add (a few per event-loop turn)
        self.snapshotting = False
        self._hidden: list[Labels] = []  # labels we hid in 3-D, shown again in 2-D
        viewer.dims.events.ndisplay.connect(self._labels_in_3d)
        self.export_button.changed.connect(lambda: self.export(self.folder.value))
        self.snapshot_button.changed.connect(lambda: self.snapshot(self.snapshot_path.value))

    @reports_errors
    def run(self, *_: object) -> None:
        """Mesh every label of the chosen layer in a worker, then add/update Surface layers."""
        layer = self.labels_layer.value
        data = volume_of(layer, what="labels layer", needs_3d="surfaces")
        faces = self.faces.value
        fn = partial(
            label_surfaces,
            np.asarray(data),
            layer_geometry(layer),
            smooth_passes=int(self.smoothing.value),
            faces=None if faces is None else int(faces),
        )
        self.start(fn, description="surfaces", on_result=partial(self._show, layer))

    build = run

    def _show(self, layer: Labels, meshes: dict[int, Mesh]) -> str:
        """Add the layers one per event-loop turn (napari's add is ~0.1 s each), then 3-D."""
        todo = sorted(meshes.items())
        self.adding = len(todo)

        def step() -> None:
            batch = dict(todo[:1])
            del todo[:1]
            if layer in self.viewer.layers or layer.name in self.viewer.layers:
                show_surfaces(self.viewer, layer, batch)
            if todo:
                self.status.value = f"adding surfaces: {len(meshes) - len(todo)}/{len(meshes)}"
                QTimer.singleShot(0, step)
                return
            self.adding = 0
            if self.show_3d.value and self.viewer.dims.ndisplay == 2 and meshes:
                self.viewer.dims.ndisplay = 3
            self._labels_in_3d()
            where = "" if self.viewer.dims.ndisplay == 3 else "; the 2D/3D button shows them"
            self.status.value = f"{len(meshes)} surface(s) of {layer.name!r}{where}"

        if todo:
            QTimer.singleShot(0, step)
            return f"adding {len(meshes)} surface(s)"
        return f"no labels in {layer.name!r}"

    def _labels_in_3d(self, *_: object) -> None:
        """In 3-D hide the Labels layers our surfaces come from; show them again in 2-D."""
        layers = self.viewer.layers
        if self.viewer.dims.ndisplay == 3:
            sources = {surface_of(la)["source"] for la in layers
                       if surface_of(la) is not None and la.visible}  # fmt: skip
            for la in layers:
                if isinstance(la, Labels) and la.name in sources and la.visible:
                    la.visible = False
                    self._hidden.append(la)
        else:
            for la in self._hidden:
                if la in layers:
                    la.visible = True
            self._hidden.clear()

    @reports_errors
    def export(self, folder: str | Path) -> list[Path]:
        """Write the selected surfaces of ours (all if none is selected) to ``folder``."""
        if not str(folder) or str(folder) == ".":
            raise ValueError("export to: choose a folder for the mesh files")
        ours = [la for la in self.viewer.layers if surface_of(la) is not None]
        chosen = ours
        if self.which.value == "selected surfaces":
            chosen = [la for la in ours if la in self.viewer.layers.selection]
        if not chosen:
            raise ValueError("build the surfaces first" if not ours else "select surfaces first")
        by_source: dict[str, list[dict]] = {}
        for la in chosen:
            info = surface_of(la)
            by_source.setdefault(info["source"], []).append(info)
        paths = []
        for source, info in by_source.items():
            paths += write_meshes(
                {i["label"]: i["mesh"] for i in info},
                folder,
                stem=source,
                fmt=self.format.value,
                names={i["label"]: i["name"] for i in info},
            )
        self.status.value = f"wrote {len(paths)} file(s) to {folder}"
        return paths

    @reports_errors
    def snapshot(self, path: str | Path) -> Path:
        """Save the report picture (3-D view above three slice views) to ``path``.

        One view is rendered per event-loop turn (the viewer stays responsive);
        ``self.snapshotting`` is True until the file is written.
        """
        if not str(path) or str(path) == ".":
            raise ValueError("snapshot: choose a .png file")
        if self.snapshotting:
            raise ValueError("snapshot: one is being rendered")
        steps = snapshot_steps(self.viewer, Path(path), labels=self.labels_layer.value)
        # the labels hide in the 3-D view as ever; the snapshot restores every layer's
        # visibility at the end, and the list of those we hid with it
        hidden = list(self._hidden)
        self.snapshotting = True

        def step() -> None:
            try:
                done = next(steps)
            except StopIteration:
                done = SNAPSHOT_STEPS
            except Exception as exc:  # one line in the status, as every error
                self._snapshot_over(hidden)
                self.fail(f"snapshot failed: {one_line(exc)}")
                return
            if done < SNAPSHOT_STEPS:
                self.status.value = f"snapshot: {done}/{SNAPSHOT_STEPS - 1} views"
                QTimer.singleShot(0, step)
                return
            steps.close()
            self._snapshot_over(hidden)
            self.status.value = f"wrote {path}"

        QTimer.singleShot(0, step)
        return Path(path)

    def _snapshot_over(self, hidden: list[Labels]) -> None:
        self.snapshotting = False
        self._hidden = [la for la in hidden if la in self.viewer.layers]
