"""Label meshes land where the voxels are, in world mm, on every grid."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seg.inspect import MESH_FORMATS, label_surfaces, write_meshes
from napari_seg.inspect.surfaces import taubin
from napari_seg.io import Geometry
from tests._geometry import OBLIQUE, ORIENTATIONS


def _ellipsoid(shape=(26, 30, 34), centre=(12.0, 15.5, 16.0), radii=(9.0, 11.0, 12.5)):
    z, y, x = np.ogrid[: shape[0], : shape[1], : shape[2]]
    r = sum(((g - c) / rr) ** 2 for g, c, rr in zip((z, y, x), centre, radii, strict=True))
    return (r <= 1.0).astype(np.uint8)


def _voxel_truth(labels, geometry, value=1):
    """Voxel volume (mm³) and centroid of the voxel centres, world (x, y, z)."""
    idx = np.argwhere(labels == value)[:, ::-1]  # napari (z, y, x) -> NIfTI (i, j, k)
    a = geometry.affine
    centre = idx.mean(axis=0) @ a[:3, :3].T + a[:3, 3]
    return len(idx) * abs(np.linalg.det(a[:3, :3])), centre


@pytest.mark.parametrize("affine", [*ORIENTATIONS, OBLIQUE], ids=[*map(str, range(48)), "oblique"])
def test_mesh_volume_and_centroid_match_the_voxels_on_every_grid(affine):
    labels = _ellipsoid()
    geometry = Geometry(affine)
    mesh = label_surfaces(labels, geometry)[1]
    volume, centre = _voxel_truth(labels, geometry)
    assert mesh.volume_mm3 > 0  # closed, and its faces wind outwards on mirrored grids too
    assert mesh.volume_mm3 == pytest.approx(volume, rel=0.01)  # smooth shape: 1 %
    voxel = np.linalg.norm(affine[:3, :3], axis=0).max()
    assert np.linalg.norm(mesh.centroid - centre) < 0.1 * voxel
    # normals point out: from the centroid to each vertex, mostly
    outward = np.einsum("ij,ij->i", mesh.normals, mesh.vertices - mesh.centroid)
    assert (outward > 0).mean() > 0.99


def test_blocky_shape_within_three_percent_and_several_labels():
    labels = np.zeros((20, 24, 24), np.uint16)
    labels[3:15, 4:20, 5:17] = 7  # a box: marching cubes cuts its edges
    labels[16:19, 2:6, 2:6] = 300
    geometry = Geometry(ORIENTATIONS[13])
    meshes = label_surfaces(labels, geometry)
    assert sorted(meshes) == [7, 300]
    for value, mesh in meshes.items():
        volume, centre = _voxel_truth(labels, geometry, value)
        assert mesh.volume_mm3 == pytest.approx(volume, rel=0.03 if value == 7 else 0.25)
        assert np.linalg.norm(mesh.centroid - centre) < 0.5
    assert list(label_surfaces(labels, geometry, label_ids=[300, 5])) == [300]


def test_touching_the_border_still_closes():
    labels = np.ones((6, 7, 8), np.uint8)
    mesh = label_surfaces(labels, Geometry.from_spacing((2.0, 1.0, 0.5)))[1]
    assert mesh.volume_mm3 == pytest.approx(6 * 7 * 8 * 1.0, rel=0.15)
    assert mesh.volume_mm3 > 0


def test_smoothing_keeps_volume_and_decimation_meets_the_face_budget():
    labels = _ellipsoid()
    geometry = Geometry(ORIENTATIONS[5])
    raw = label_surfaces(labels, geometry, smoothing=0)[1]
    smooth = label_surfaces(labels, geometry, smoothing=20)[1]
    small = label_surfaces(labels, geometry, smoothing=10, faces=800)[1]
    assert smooth.volume_mm3 == pytest.approx(raw.volume_mm3, rel=0.02)
    assert smooth.area_mm2 < raw.area_mm2  # the voxel steps are gone
    assert len(small.faces) <= 880 < len(raw.faces)
    assert small.volume_mm3 == pytest.approx(raw.volume_mm3, rel=0.03)


def test_taubin_equals_trimesh_and_area_equals_the_triangle_sum():
    trimesh = pytest.importorskip("trimesh")
    raw = label_surfaces(_ellipsoid(), Geometry(OBLIQUE), smoothing=0)[1]
    ours = taubin(raw.vertices, raw.faces, 15)
    theirs = trimesh.Trimesh(raw.vertices.copy(), raw.faces, process=False)
    trimesh.smoothing.filter_taubin(theirs, lamb=0.5, nu=0.53, iterations=15)
    assert np.abs(ours - theirs.vertices).max() < 1e-9
    assert np.abs(ours - raw.vertices).max() > 0.1  # it did move them
    assert raw.area_mm2 == pytest.approx(trimesh.Trimesh(raw.vertices, raw.faces).area, rel=1e-12)
    assert np.array_equal(taubin(raw.vertices, raw.faces, 0), raw.vertices)


@pytest.mark.parametrize("fmt", MESH_FORMATS)
def test_exported_files_hold_the_world_vertices(tmp_path, fmt):
    trimesh = pytest.importorskip("trimesh")
    labels = _ellipsoid()
    geometry = Geometry(OBLIQUE)
    meshes = label_surfaces(labels, geometry, faces=500)
    (path,) = write_meshes(meshes, tmp_path, stem="case", fmt=fmt, names={1: "liver / left"})
    assert path.name == f"case_1_liver-left.{fmt}"
    back = trimesh.load(path, process=False)
    assert back.vertices.shape[1] == 3
    assert np.allclose(
        back.bounds, [meshes[1].vertices.min(0), meshes[1].vertices.max(0)], atol=1e-3
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries left


def test_bad_input_is_refused():
    geometry = Geometry(np.eye(4))
    with pytest.raises(ValueError, match="3-D integer"):
        label_surfaces(np.zeros((4, 4)), geometry)
    with pytest.raises(ValueError, match="3-D integer"):
        label_surfaces(np.zeros((4, 4, 4), np.float32), geometry)
    with pytest.raises(ValueError, match="faces"):
        label_surfaces(np.ones((4, 4, 4), np.uint8), geometry, faces=2)
    with pytest.raises(ValueError, match="smooth"):
        label_surfaces(np.ones((4, 4, 4), np.uint8), geometry, smoothing=-1)
    assert label_surfaces(np.zeros((4, 4, 4), np.uint8), geometry) == {}
