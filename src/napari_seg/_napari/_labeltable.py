"""A Labels layer's label table on the layer: names in ``features``, colours in its colormap.

The table itself is kept in ``layer.metadata["label_table"]`` (a plain dict, so a
layer data tuple and the writer carry it); ``metadata["label_names"]`` mirrors
its names for the tools that read only names (statistics, surfaces). Hidden
segments are drawn transparent; their colour stays in the table.

Role styles tell layers apart: ground truth is drawn as an outline, results
(predictions) filled, previews as a yellow outline above everything.
"""

from __future__ import annotations

import warnings
import weakref
from typing import Any

import napari
from napari.layers import Labels
from napari.utils.colormaps import DirectLabelColormap

from ..io.labeltable import LabelTable
from ._meta import metadata_of, set_label_names, with_role_key
from ._meta import role as role_of

__all__ = [
    "ROLE_STYLES",
    "TABLE_KEY",
    "apply_table",
    "colormap_for",
    "inherit_table",
    "matching_table",
    "style",
    "table_kwargs",
    "table_of",
    "watch_roles",
    "with_role",
]

TABLE_KEY = "label_table"

#: Unlisted values (painted with a value the table does not name) are drawn in this colour.
_UNLISTED = (0.7, 0.7, 0.7, 1.0)

#: Layer kwargs per role; everything stays editable in the layer controls.
ROLE_STYLES: dict[str, dict[str, Any]] = {
    "ground truth": {"contour": 2, "opacity": 0.9},
    "prediction": {"contour": 0, "opacity": 0.5},
    "preview": {"contour": 1, "opacity": 0.9},
}

#: Previews draw every label in this outline colour, whatever the table says.
PREVIEW_COLOR = (1.0, 0.85, 0.0, 1.0)


def _dump(table: LabelTable) -> dict[str, Any]:
    return {"format": table.source_format, "segments": table.to_dict()}


def table_of(layer: Labels | dict[str, Any]) -> LabelTable | None:
    """The layer's table (a layer, or the attributes of a layer data tuple), else None."""
    kept = metadata_of(layer).get(TABLE_KEY)
    if isinstance(kept, LabelTable):
        return kept
    if not isinstance(kept, dict) or "segments" not in kept:
        return None
    return LabelTable.from_dict(kept["segments"], source_format=kept.get("format"))


def colormap_for(table: LabelTable) -> DirectLabelColormap:
    """Each listed value in its colour (transparent when hidden), 0 transparent."""
    colors: dict[int | None, Any] = {None: _UNLISTED, 0: (0.0, 0.0, 0.0, 0.0)}
    for v, seg in table.segments.items():
        if v != 0:
            colors[v] = seg.color if seg.visible else (*seg.color[:3], 0.0)
    return DirectLabelColormap(color_dict=colors)


def _features(table: LabelTable) -> dict[str, list]:
    segs = table.segments
    return {"index": list(segs), "name": [s.name for s in segs.values()]}


def table_kwargs(table: LabelTable | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Layer kwargs with the table's features, colormap and metadata added."""
    if table is None:
        return kwargs
    meta = set_label_names({**kwargs.get("metadata", {}), TABLE_KEY: _dump(table)}, table.names)
    return {**kwargs, "features": _features(table), "colormap": colormap_for(table),
            "metadata": meta}  # fmt: skip


def _shown(table: LabelTable | None) -> dict[int, tuple]:
    segs = table.segments if table is not None else {}
    return {v: (s.color, s.visible) for v, s in segs.items()}


def apply_table(layer: Labels, table: LabelTable) -> None:
    """Put ``table`` on ``layer``: metadata, names (features) and colours (colormap).

    The colormap is replaced only when a listed colour or visibility changed (napari
    takes 30-40 ms to swap it on a 200x512x512 layer; a rename or a removal needs none).
    """
    old = _shown(table_of(layer))
    layer.metadata = set_label_names({**layer.metadata, TABLE_KEY: _dump(table)}, table.names)
    layer.features = _features(table)
    new = _shown(table)
    if not isinstance(layer.colormap, DirectLabelColormap) or any(
        old.get(v) != shown for v, shown in new.items()
    ):
        layer.colormap = colormap_for(table)


def matching_table(viewer: Any, names: dict[int, str]) -> LabelTable:
    """A table for ``names``: the colours of a Labels layer in ``viewer`` whose table names
    the same classes by the same values (a task's ground truth), else default colours."""
    wanted = {v: n.strip().lower() for v, n in names.items() if v != 0}
    for layer in viewer.layers:
        table = table_of(layer) if isinstance(layer, Labels) else None
        if table is None:
            continue
        have = {v: n.strip().lower() for v, n in table.names.items() if v != 0}
        if have == wanted:
            return table
    return LabelTable.from_names(names)


def inherit_table(layer: Labels, source: Any) -> None:
    """Give ``layer`` the table of ``source`` (when it has one): same ids, same classes."""
    table = table_of(source) if isinstance(source, Labels | dict) else None
    if table is not None:
        apply_table(layer, table)


def style(layer: Labels, role: str) -> None:
    """Draw ``layer`` as its role: ground truth outlined, predictions filled, previews yellow."""
    for key, value in ROLE_STYLES[role].items():
        setattr(layer, key, value)
    if role == "preview":
        layer.colormap = DirectLabelColormap(
            color_dict={None: PREVIEW_COLOR, 0: (0.0, 0.0, 0.0, 0.0)}
        )


#: napari's Labels take no ``contour`` keyword, so a reader marks the role (``_meta.ROLE_KEY``)
#: and the layer is styled when it is inserted (:func:`watch_roles`).
_WATCHED: weakref.WeakSet = weakref.WeakSet()


def with_role(kwargs: dict[str, Any], role: str) -> dict[str, Any]:
    """Layer kwargs marked with ``role``, styled once the layer is in a watched viewer."""
    if role not in ROLE_STYLES:
        raise ValueError(f"unknown layer role {role!r}; expected one of {sorted(ROLE_STYLES)}")
    kwargs = {**kwargs, "metadata": with_role_key(kwargs.get("metadata", {}), role)}
    allowed = {k: v for k, v in ROLE_STYLES[role].items() if k != "contour"}
    return {**kwargs, **allowed}


def watch_roles(viewer: Any = None) -> None:
    """Style Labels layers by their marked role as they are added to ``viewer`` (default: the
    current one). Idempotent; without a viewer (scripts, the CLI) it does nothing."""
    viewer = viewer if viewer is not None else napari.current_viewer()
    if viewer is None or viewer in _WATCHED:
        return
    ref = weakref.ref(viewer)
    viewer.layers.events.inserted.connect(lambda event: _on_inserted(ref(), event.value))
    _WATCHED.add(viewer)
    # napari draws an outlined layer filled in 3-D, and says so on every redraw
    warnings.filterwarnings(
        "ignore", "Contours are not displayed during 3D rendering", UserWarning
    )


def _on_inserted(viewer: Any, layer: Any) -> None:
    marked = role_of(layer) if isinstance(layer, Labels) else None
    if marked in ROLE_STYLES and viewer is not None:
        style(layer, marked)
