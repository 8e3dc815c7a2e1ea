"""Report pictures: a 3-D view of the surfaces above axial, coronal and sagittal slices.

Rendered by napari itself (OpenGL), so it needs a display; a virtual one
(``xvfb-run``) is enough. The ``napari-seg snapshot`` command and the
Surfaces dock both come here.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np

from .._files import atomic_path
from ._anatomy import apply_orientation, readout_hidden
from ._layers import camera_of

__all__ = [
    "add_surfaces_layer",
    "render_snapshot",
    "save_snapshot",
    "snapshot_steps",
    "turntable_frames",
]

#: (dims order, name): the slice views of the report row, as radiologists read them.
_VIEWS = (((0, 1, 2), "axial"), ((1, 0, 2), "coronal"), ((2, 0, 1), "sagittal"))


def _centre(viewer, labels) -> np.ndarray:
    """World (napari order) point at the labels' centre of mass, else the scene centre."""
    if labels is not None:
        idx = np.argwhere(np.asarray(labels.data) != 0)
        if len(idx):
            return np.asarray(labels.data_to_world(idx.mean(axis=0)))[-3:]
    lo, hi = np.asarray(viewer.layers.extent.world)[:, -3:]
    return (lo + hi) / 2


def _shot(viewer, size: tuple[int, int]) -> np.ndarray:
    """The canvas as it is framed (RGB), scaled to fit ``size`` = (H, W) on black."""
    from skimage.transform import resize

    img = np.asarray(viewer.screenshot(canvas_only=True, flash=False))[..., :3]
    h, w = size
    scale = min(h / img.shape[0], w / img.shape[1])
    fit = (max(1, round(img.shape[0] * scale)), max(1, round(img.shape[1] * scale)))
    small = resize(img, fit, order=1, preserve_range=True, anti_aliasing=scale < 1)
    out = np.zeros((h, w, 3), np.uint8)
    top, left = (h - fit[0]) // 2, (w - fit[1]) // 2
    out[top : top + fit[0], left : left + fit[1]] = np.clip(small, 0, 255).astype(np.uint8)
    return out


def slice_views(viewer, labels, *, size: tuple[int, int] = (400, 400)) -> list[np.ndarray]:
    """Axial, coronal and sagittal screenshots (RGB, ``size`` = (H, W)) through the labels'
    centre in the display convention (radiological by default: anterior and superior
    up, the patient's right on the left), labels drawn as outlines; the viewer is
    restored."""
    return list(_slice_shots(viewer, labels, size=size))


def _slice_shots(viewer, labels, *, size: tuple[int, int]):
    """:func:`slice_views` one screenshot per step (a generator; closing it restores)."""
    from napari.layers import Surface

    dims, camera = viewer.dims, camera_of(viewer)
    saved = (dims.ndisplay, tuple(dims.order), tuple(dims.point), camera.model_dump())
    visible = {la.name: la.visible for la in viewer.layers}
    contour = labels.contour if labels is not None else None
    try:
        dims.ndisplay = 2
        for la in viewer.layers:  # outlines of the labels in the slices, not the meshes
            if isinstance(la, Surface):
                la.visible = False
        if labels is not None:
            labels.contour, labels.visible = 2, True
        centre = _centre(viewer, labels)
        for order, _ in _VIEWS:
            dims.order = tuple(range(dims.ndim - 3)) + tuple(dims.ndim - 3 + o for o in order)
            dims.set_point(range(dims.ndim - 3, dims.ndim), centre)
            viewer.reset_view()
            apply_orientation(viewer)  # the user's convention, as the viewer shows it
            yield _shot(viewer, size)
    finally:
        if labels is not None:
            labels.contour = contour
        for la in viewer.layers:
            la.visible = visible.get(la.name, la.visible)
        dims.ndisplay, dims.order = saved[0], saved[1]
        dims.point = saved[2]
        camera.update(saved[3])


def three_d_view(viewer, *, size: tuple[int, int], azimuth: float = 0.0) -> np.ndarray:
    """One 3-D screenshot looking from ``azimuth`` degrees round the superior axis (0: front)."""
    if viewer.dims.ndisplay != 3:
        viewer.dims.ndisplay = 3
    viewer.reset_view()  # centred on the scene, whatever the user's 3-D camera was
    apply_orientation(viewer)  # right-handed: a rotation of the patient, never a mirror image
    t = np.deg2rad(azimuth)
    camera = camera_of(viewer)
    # napari world order (z, y, x) = (superior, anterior, right): look at the patient's front
    camera.set_view_direction((0.0, -np.cos(t), -np.sin(t)), up_direction=(1.0, 0.0, 0.0))
    # reset_view fits the scene as seen from above; from the front the superior extent is
    # vertical and, turning, at most the in-plane diagonal is horizontal: fit those
    visible = [la for la in viewer.layers if la.visible] or list(viewer.layers)
    lo, hi = np.asarray(viewer.layers.get_extent(visible).world, float)[:, -3:]
    tall, wide = hi[0] - lo[0], float(np.hypot(hi[1] - lo[1], hi[2] - lo[2]))
    h, w = viewer.canvas.size
    if tall > 0 and wide > 0:
        camera.zoom = 0.9 * min(h / tall, w / wide)
    return _shot(viewer, size)


def _compose(top: np.ndarray, row: list[np.ndarray]) -> np.ndarray:
    """The 3-D view above the three slice views, on one white sheet."""
    strip = np.concatenate(row, axis=1)
    width = max(top.shape[1], strip.shape[1])
    pad = lambda a: np.pad(a, ((0, 0), (0, width - a.shape[1]), (0, 0)), constant_values=255)  # noqa: E731
    return np.concatenate([pad(top), pad(strip)], axis=0)


#: Steps of :func:`snapshot_steps`: three slice views, the 3-D view, the file.
SNAPSHOT_STEPS = 5


def snapshot_steps(viewer, path: Path, *, labels=None, size: tuple[int, int] = (1200, 800)):
    """:func:`save_snapshot` one rendered view per step: yields the steps done (of 5).

    A GUI runs one step per event-loop turn, so the viewer stays responsive. Every
    layer's visibility, the 2-D/3-D mode and the camera are restored at the end (or
    when the generator is closed early).
    """
    import imageio.v3 as iio

    if path.suffix.lower() != ".png":
        raise ValueError(f"{path}: the snapshot is written as .png")
    w, h = size
    state = (viewer.dims.ndisplay, camera_of(viewer).model_dump())
    visible = [(la, la.visible) for la in viewer.layers]
    row = []
    try:
        with readout_hidden(viewer):
            for shot in _slice_shots(viewer, labels, size=(h // 2, w // 3)):
                row.append(shot)
                yield len(row)
            top = three_d_view(viewer, size=(h, w))
        yield 4
    finally:
        viewer.dims.ndisplay = state[0]
        camera_of(viewer).update(state[1])
        for la, was in visible:
            if la in viewer.layers and la.visible != was:
                la.visible = was
    with atomic_path(path, suffix=".png") as tmp:
        iio.imwrite(tmp, _compose(top, row))
    yield SNAPSHOT_STEPS


def save_snapshot(viewer, path: Path, *, labels=None, size: tuple[int, int] = (1200, 800)) -> Path:
    """Write the report picture (PNG) of what ``viewer`` shows to ``path``, atomically."""
    for _ in snapshot_steps(viewer, path, labels=labels, size=size):
        pass
    return path


def turntable_frames(viewer, *, frames: int, size: tuple[int, int]) -> list[np.ndarray]:
    """``frames`` 3-D screenshots turning 360° round the superior axis."""
    return [three_d_view(viewer, size=size, azimuth=360.0 * i / frames) for i in range(frames)]


def write_movie(frames: list[np.ndarray], path: Path, *, fps: float = 12.0) -> Path:
    """A looping GIF, or an MP4 when ``imageio-ffmpeg`` is installed; written atomically."""
    import imageio.v3 as iio

    kind = path.suffix.lower()
    if kind not in (".gif", ".mp4"):
        raise ValueError(f"--turntable {path}: write a .gif or an .mp4")
    if kind == ".mp4" and importlib.util.find_spec("imageio_ffmpeg") is None:
        raise ValueError(f"--turntable {path}: .mp4 needs the imageio-ffmpeg package; use a .gif")
    with atomic_path(path, suffix=kind) as tmp:
        if kind == ".gif":
            iio.imwrite(tmp, np.stack(frames), duration=1000.0 / fps, loop=0)
        else:
            iio.imwrite(tmp, np.stack(frames), fps=fps, codec="libx264")
    return path


def add_surfaces_layer(viewer, source, meshes: dict) -> object:
    """Every label's mesh in ONE Surface layer, each vertex in its label's colour.

    A layer per label (as the Surfaces dock makes) costs napari a growing amount per
    layer added: 300 labels took minutes. One layer is added and drawn once, so the
    cost is that of the vertices. Placed as :func:`._surface_layers.show_surfaces` does.
    """
    from ._surface_layers import surface_placement

    step, place = surface_placement(source)
    items = sorted(meshes.items())
    sizes = np.array([len(m.vertices) for _, m in items])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    faces = np.concatenate([m.faces + s for (_, m), s in zip(items, starts, strict=True)])
    colours = np.array([source.get_color(v) for v, _ in items], dtype=float).reshape(-1, 4)
    colours[:, 3] = 1.0
    return viewer.add_surface(
        (np.concatenate([m.napari_vertices for _, m in items]) / step, faces),
        name=f"{source.name} surfaces",
        vertex_colors=np.repeat(colours, sizes, axis=0),
        shading="smooth",
        **place,
    )


def render_snapshot(
    image: str | os.PathLike[str],
    labels: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    turntable: str | os.PathLike[str] | None = None,
    frames: int = 36,
    size: tuple[int, int] = (1200, 800),
    progress=None,
) -> list[Path]:
    """Open IMAGE and LABELS in a hidden viewer, mesh the labels, write the picture(s).

    ``progress(done, total)`` is called once per meshed label.
    """
    import napari

    from ..inspect import label_surfaces
    from ._compat import resize_window
    from ._layers import layer_geometry
    from ._reader import read_paths

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise ValueError("snapshot needs a display for OpenGL: run it under xvfb-run -a")
    viewer = napari.Viewer(title="napari-seg snapshot", show=True)  # hidden canvases draw black
    resize_window(viewer, size[0] + 400, size[1] + 200)
    try:
        for data, kwargs, kind in read_paths(str(image)) + read_paths(str(labels), kind="labels"):
            getattr(viewer, f"add_{kind}")(data, **kwargs)
        layer = viewer.layers[-1]
        meshes = label_surfaces(
            np.asarray(layer.data), layer_geometry(layer), faces=50_000, progress=progress
        )
        for other in viewer.layers[:-1]:
            other.opacity = 0.35
        if meshes:
            add_surfaces_layer(viewer, layer, meshes)
        layer.visible = False  # the surfaces stand for it in 3-D; outlines in the slices
        written = [save_snapshot(viewer, Path(out), labels=layer, size=size)]
        if turntable is not None:
            viewer.dims.ndisplay = 3
            shots = turntable_frames(viewer, frames=frames, size=(size[1] // 2, size[0] // 2))
            written.append(write_movie(shots, Path(turntable)))
        return written
    finally:
        viewer.close()
