"""Surface layers of label meshes: placed in world mm, coloured like their label."""

from __future__ import annotations

import napari
import numpy as np
from napari.layers import Labels, Surface
from napari.utils.colormaps import Colormap

from ..inspect import Mesh

__all__ = ["SURFACE_KEY", "show_surfaces"]

#: Metadata key on the Surface layers we make: label value, name and source layer.
SURFACE_KEY = "napari_seg_surface"


def show_surfaces(viewer: napari.Viewer, source: Labels, meshes: dict[int, Mesh]) -> list[Surface]:
    """Add (or update, after a correction) one Surface layer per mesh of ``source``.

    Vertices are already napari world coordinates (mm), so the layers need no
    transform and sit on the image whatever its orientation.
    """
    names = source.metadata.get("label_names") or {}
    out = []
    for value, mesh in sorted(meshes.items()):
        label_name = str(names.get(value) or names.get(str(value)) or "")
        name = f"{source.name} surface {value}" + (f" {label_name}" if label_name else "")
        data = (mesh.napari_vertices, mesh.faces)
        if name in viewer.layers and isinstance(viewer.layers[name], Surface):
            layer = viewer.layers[name]
            layer.data = data
        else:
            colour = np.asarray(source.get_color(value), dtype=float)
            colour[3] = 1.0
            layer = viewer.add_surface(
                data,
                name=name,
                colormap=Colormap([colour, colour], name=f"label {value} colour"),
                shading="smooth",
                units=("mm",) * 3,
                axis_labels=("z", "y", "x"),
            )
        layer.metadata = {
            SURFACE_KEY: {"label": value, "name": label_name, "source": source.name, "mesh": mesh}
        }
        out.append(layer)
    return out
