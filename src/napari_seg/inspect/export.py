"""Mesh files (STL, PLY, OBJ) in the NIfTI world frame, written atomically."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from .._files import atomic_path
from .surfaces import Mesh

__all__ = ["MESH_FORMATS", "mesh_file_name", "write_mesh", "write_meshes"]

#: File formats :func:`write_mesh` writes (binary STL and PLY, text OBJ).
MESH_FORMATS = ("stl", "ply", "obj")


def write_mesh(mesh: Mesh, path: str | os.PathLike[str], *, fmt: str | None = None) -> Path:
    """Write ``mesh`` (world ``(x, y, z)`` mm, RAS+) to ``path``; the suffix picks the format.

    Raises
    ------
    ValueError
        An unknown format.
    """
    import trimesh

    path = Path(path)
    kind = (fmt or path.suffix.lstrip(".")).lower()
    if kind not in MESH_FORMATS:
        raise ValueError(f"{path}: mesh format {kind!r} is not one of {', '.join(MESH_FORMATS)}")
    tm = trimesh.Trimesh(mesh.vertices, mesh.faces, vertex_normals=mesh.normals, process=False)
    data = tm.export(file_type=kind)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def mesh_file_name(stem: str, label: int, name: str = "", *, fmt: str = "stl") -> str:
    """``<stem>_<label>[_<name>].<fmt>`` with the name made safe for any file system."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:40]
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:60] or "labels"
    return f"{base}_{label}{'_' + safe if safe else ''}.{fmt}"


def write_meshes(
    meshes: Mapping[int, Mesh],
    folder: str | os.PathLike[str],
    *,
    stem: str = "label",
    fmt: str = "stl",
    names: Mapping[int, str] | None = None,
) -> list[Path]:
    """One file per mesh in ``folder`` (created if missing); returns the paths written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    return [
        write_mesh(m, out / mesh_file_name(stem, v, (names or {}).get(v, ""), fmt=fmt), fmt=fmt)
        for v, m in sorted(meshes.items())
    ]
