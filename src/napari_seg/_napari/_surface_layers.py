"""Surface layers of label meshes: placed like their labels, coloured like their label."""

from __future__ import annotations

import napari
import numpy as np
from napari.layers import Labels, Surface
from napari.utils.colormaps import Colormap

from ..inspect import Mesh
from ._layers import layer_geometry
from ._meta import SURFACE_KEY, label_names

__all__ = ["SURFACE_KEY", "show_surfaces", "surface_placement"]


def surface_placement(source: Labels) -> tuple[np.ndarray, dict]:
    """The labels' voxel size (mm, napari order) and the Surface layer keywords placing
    meshes divided by it (see :func:`show_surfaces`)."""
    step = np.asarray(layer_geometry(source).spacing, float)[-3:]  # mm per voxel, napari order
    return step, {
        "scale": tuple(step),
        "units": tuple(str(u) for u in source.units)[-3:],
        "axis_labels": tuple(source.axis_labels)[-3:],
    }


def show_surfaces(viewer: napari.Viewer, source: Labels, meshes: dict[int, Mesh]) -> list[Surface]:
    """Add (or update, after a correction) one Surface layer per mesh of ``source``.

    The meshes are in world mm. Each layer holds them divided by the labels' voxel
    size, with that size as its (positive, diagonal) scale: napari puts every vertex
    at its world mm whatever the grid's orientation, its sliders keep stepping one
    slice at a time (a layer at scale 1 would make them step by 1 mm), and no flip
    or rotation enters the layer's transform (with the labels' own transform
    napari lit half of an LPS surface from the wrong side).
    """
    names = label_names(source)
    step, place = surface_placement(source)
    out = []
    for value, mesh in sorted(meshes.items()):
        label_name = names.get(int(value), "")
        name = f"{source.name} surface {value}" + (f" {label_name}" if label_name else "")
        data = (mesh.napari_vertices / step, mesh.faces)
        if name in viewer.layers and isinstance(viewer.layers[name], Surface):
            layer = viewer.layers[name]
            layer.data = data
            layer.scale = place["scale"]
        else:
            colour = np.asarray(source.get_color(value), dtype=float)
            colour[3] = 1.0
            layer = viewer.add_surface(
                data,
                name=name,
                colormap=Colormap([colour, colour], name=f"label {value} colour"),
                shading="smooth",
                **place,
            )
        layer.metadata = {
            SURFACE_KEY: {"label": value, "name": label_name, "source": source.name, "mesh": mesh}
        }
        out.append(layer)
    return out
