"""Surface layers of label meshes: placed like their labels, coloured like their label."""

from __future__ import annotations

import napari
import numpy as np
from napari.layers import Labels, Surface
from napari.utils.colormaps import Colormap

from ..inspect import Mesh
from ._layers import layer_geometry, placement

__all__ = ["SURFACE_KEY", "show_surfaces"]

#: Metadata key on the Surface layers we make: label value, name and source layer.
SURFACE_KEY = "napari_seg_surface"


def show_surfaces(viewer: napari.Viewer, source: Labels, meshes: dict[int, Mesh]) -> list[Surface]:
    """Add (or update, after a correction) one Surface layer per mesh of ``source``.

    The meshes are in world mm; each layer holds them in ``source``'s voxel
    coordinates with ``source``'s placement (scale, translate, affine), so it sits
    on the voxels whatever the orientation, and napari's sliders keep stepping
    one slice at a time (a layer in plain mm would make them step by 1 mm).
    """
    names = source.metadata.get("label_names") or {}
    place = {k: v for k, v in placement(source).items() if k != "metadata"}
    affine = layer_geometry(source).affine
    to_voxels = np.linalg.inv(affine[:3, :3])
    out = []
    for value, mesh in sorted(meshes.items()):
        label_name = str(names.get(value) or names.get(str(value)) or "")
        name = f"{source.name} surface {value}" + (f" {label_name}" if label_name else "")
        ijk = (mesh.vertices - affine[:3, 3]) @ to_voxels.T  # exact: the inverse of the map
        data = (ijk[:, ::-1], mesh.faces)  # napari voxel order (k, j, i)
        if name in viewer.layers and isinstance(viewer.layers[name], Surface):
            layer = viewer.layers[name]
            layer.data = data
            for key in ("scale", "translate", "rotate", "shear", "affine"):
                setattr(layer, key, place[key])  # the labels may have moved
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
