"""Surfaces and statistics as registered operations (``surfaces``, ``stats``).

:data:`~napari_seg.inspect.surfaces.SURFACE_PARAMS` is declared beside
:func:`~napari_seg.inspect.surfaces.label_surfaces`; statistics declare theirs
here. The CLI (``napari-seg surfaces``/``stats``), the docks and the docs read them.
"""

from __future__ import annotations

from ..ops import Operation, register
from ..segment.params import Param
from .limits import MAX_LABELS
from .surfaces import SURFACE_PARAMS, label_surfaces

__all__ = ["LABEL_IDS", "STATS_PARAMS"]

#: Which labels an operation looks at (one name for the idea: not ``labels``, the volume).
LABEL_IDS = Param("label_ids", str, None, "Label values to use, comma-separated (e.g. 1,2); "
                  "none = every label.", optional=True, aliases=("labels",))  # fmt: skip

#: Options of :func:`~napari_seg.inspect.stats.label_statistics` (``napari-seg stats``).
STATS_PARAMS: tuple[Param, ...] = (
    Param("surfaces", bool, True, "Measure surface areas (meshes; off is faster).",
          aliases=("surface",)),
    Param("max_labels", int, MAX_LABELS["stats"], "Refuse files with more label values.",
          low=1, high=2**31 - 1),
)  # fmt: skip

register(
    Operation(
        "surfaces",
        "Surfaces",
        "One closed mesh per label in world mm (marching "
        "cubes through the full affine, Taubin smoothing, optional decimation).",
        label_surfaces,
        (LABEL_IDS, *SURFACE_PARAMS),
        group="inspect",
        command="surfaces LABELS -o DIR",
        signature=True,
    )
)
register(Operation("stats", "Statistics", "Per-label volume (mm³, mL), surface, centroid, "
                   "extent and intensity statistics.", "napari_seg.inspect.stats:"
                   "label_statistics", STATS_PARAMS[:1], group="inspect",
                   command="stats LABELS [--image IMAGE]", signature=True))  # fmt: skip
