"""Per-label measurements in world millimetres (volume, surface, centroid, extent, intensity)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..io import Geometry
from ..progress import ProgressCallback, Steps, StopCallback
from ..segment.components import connected_components
from ..volume import Volume, check_same_grid, takes_volumes
from .surfaces import _voxel_to_world, as_label_volume, label_boxes, label_surfaces

__all__ = ["STAT_COLUMNS", "SUMMARY_COLUMNS", "label_statistics"]

#: Columns of :func:`label_statistics`, in table order, with their units.
STAT_COLUMNS: dict[str, str] = {
    "label": "",
    "name": "",
    "voxels": "",
    "volume_mm3": "mm³",
    "volume_ml": "mL",
    "surface_mm2": "mm²",
    "sphericity": "",
    "components": "",
    "centroid_x": "mm",
    "centroid_y": "mm",
    "centroid_z": "mm",
    "min_x": "mm",
    "min_y": "mm",
    "min_z": "mm",
    "max_x": "mm",
    "max_y": "mm",
    "max_z": "mm",
    "extent_x": "mm",
    "extent_y": "mm",
    "extent_z": "mm",
    "mean": "",
    "std": "",
    "min": "",
    "max": "",
    "median": "",
}


#: The columns a table on screen shows (the dock and ``napari-seg stats``); files get all.
SUMMARY_COLUMNS = ("label", "name", "voxels", "volume_ml", "surface_mm2", "sphericity",
                   "components", "centroid_x", "centroid_y", "centroid_z",
                   "extent_x", "extent_y", "extent_z", "mean", "std", "median")  # fmt: skip


@takes_volumes
def label_statistics(
    labels: np.ndarray,
    geometry: Geometry,
    *,
    image: np.ndarray | None = None,
    label_names: Mapping[int, str] | None = None,
    surfaces: bool = True,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
    names: Mapping[int, str] | None = None,
) -> list[dict[str, float | int | str]]:
    """One row of measurements per non-zero label.

    Parameters
    ----------
    labels : numpy.ndarray of int, shape (Z, Y, X)
        Label image in napari order.
    geometry : Geometry
        Its placement; every length is in world mm through the full affine (a
        grid in µm or m is converted, so the columns always hold mm).
    image : numpy.ndarray, shape (Z, Y, X), optional
        Intensities on the same grid (HU for a CT): adds mean, std, min, max, median.
    label_names : mapping of int to str, optional
        Label names (for example from ``dataset.json``); ``names`` is its old name.
    surfaces : bool, keyword-only
        Mesh each label for ``surface_mm2`` and ``sphericity`` (the slowest part).
    progress, should_stop : callable, optional
        See :mod:`napari_seg.progress`.

    Returns
    -------
    list of dict
        Keys of :data:`STAT_COLUMNS`. ``centroid_*`` is the mean world position of
        the label's voxel centres; ``min_*``/``max_*`` bound its voxels' corners in
        world ``(x, y, z)`` (RAS+) and ``extent_*`` is their difference; volume is
        voxel count x voxel volume; ``surface_mm2`` is the marching-cubes area;
        sphericity is ``pi^(1/3) (6 V)^(2/3) / A`` (1 for a ball); components are
        26-connected.
    """
    lab = as_label_volume(labels)
    geometry = geometry.in_mm()
    if image is not None:
        check_same_grid(Volume(image, geometry), Volume(lab, geometry), what="image and labels")
    boxes = label_boxes(lab)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the meshes are made beside the per-label measurements below (both mostly
        # outside the GIL); the rows wait for them at the end
        meshes = (
            pool.submit(label_surfaces, lab, geometry, boxes=boxes, should_stop=should_stop)
            if surfaces and boxes
            else None
        )
        steps = Steps(len(boxes), progress=progress, should_stop=should_stop)
        names = label_names if names is None else names
        rows = _rows(lab, boxes, geometry, image=image, names=names or {}, steps=steps)
        if meshes is not None:
            done = meshes.result()
            for row in rows:
                volume, area = float(row["volume_mm3"]), done[int(row["label"])].area_mm2
                row["surface_mm2"] = area
                row["sphericity"] = math.pi ** (1 / 3) * (6 * volume) ** (2 / 3) / area
    return [{k: row[k] for k in STAT_COLUMNS if k in row} for row in rows]


def _rows(
    lab: np.ndarray,
    boxes: Mapping[int, tuple[slice, ...]],
    geometry: Geometry,
    *,
    image: np.ndarray | None,
    names: Mapping[int, str],
    steps: Steps,
) -> list[dict[str, float | int | str]]:
    """The measurements that need no mesh, one row per label (see :func:`label_statistics`)."""
    linear, offset = _voxel_to_world(geometry)
    voxel_mm3 = abs(float(np.linalg.det(linear)))
    half = 0.5 * np.abs(linear).sum(axis=1)  # world reach of a voxel's corners from its centre
    aligned = bool(((np.abs(linear) > 1e-9 * np.abs(linear).max()).sum(axis=1) == 1).all())
    rows = []
    for value, box in boxes.items():
        inside = lab[box] == value
        idx = np.nonzero(inside)
        count = len(idx[0])
        origin = np.array([s.start for s in box], np.float64)
        centre = (np.array([i.mean() for i in idx]) + origin) @ linear.T + offset
        if aligned:  # each world axis follows one voxel axis: its extremes do too
            ends = np.array([[i.min() for i in idx], [i.max() for i in idx]]) + origin
            world = ends @ linear.T + offset
        else:  # oblique: the extremes of the voxel centres themselves
            world = (np.stack(idx, axis=1) + origin) @ linear.T + offset
        lo, hi = world.min(axis=0) - half, world.max(axis=0) + half
        volume = count * voxel_mm3
        row: dict[str, float | int | str] = {
            "label": value,
            "name": names.get(value, ""),
            "voxels": count,
            "volume_mm3": volume,
            "volume_ml": volume / 1000.0,
        }
        row["components"] = connected_components(inside, connectivity=26)[1]
        for prefix, vec in (("centroid", centre), ("min", lo), ("max", hi), ("extent", hi - lo)):
            row.update({f"{prefix}_{a}": float(vec[k]) for k, a in enumerate("xyz")})
        if image is not None:
            vals = np.asarray(image)[box][inside].astype(np.float64)
            row.update(
                mean=float(vals.mean()),
                std=float(vals.std()),
                min=float(vals.min()),
                max=float(vals.max()),
                median=float(np.median(vals)),
            )
        rows.append(row)
        steps.step()
    return rows
