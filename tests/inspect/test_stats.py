"""Per-label measurements equal plain numpy on the mask, in world mm."""

from __future__ import annotations

import math

import numpy as np
import pytest

from napari_seg.inspect import label_statistics
from napari_seg.io import Geometry
from tests._geometry import LPS, OBLIQUE, ORIENTATIONS


@pytest.fixture
def case():
    rng = np.random.default_rng(4)
    labels = np.zeros((16, 20, 24), np.uint16)
    labels[2:10, 3:12, 4:20] = 1
    labels[12:15, 14:18, 2:5] = 2
    labels[12:14, 2:4, 20:23] = 2  # a second piece of label 2
    labels[5, 15, 21] = 900
    image = rng.normal(40, 30, labels.shape).astype(np.float32)
    return labels, image


@pytest.mark.parametrize("affine", [ORIENTATIONS[0], ORIENTATIONS[37], LPS, OBLIQUE])
def test_volumes_centroids_and_intensities_equal_numpy(case, affine):
    labels, image = case
    geometry = Geometry(affine)
    rows = {r["label"]: r for r in label_statistics(labels, geometry, image=image)}
    assert sorted(rows) == [1, 2, 900]
    voxel = abs(np.linalg.det(affine[:3, :3]))
    for value, row in rows.items():
        mask = labels == value
        assert row["voxels"] == mask.sum()
        assert row["volume_mm3"] == mask.sum() * voxel  # exactly
        assert row["volume_ml"] == pytest.approx(mask.sum() * voxel / 1000)
        vals = image[mask].astype(np.float64)
        for key, fn in (("mean", np.mean), ("std", np.std), ("min", np.min), ("max", np.max),
                        ("median", np.median)):  # fmt: skip
            assert row[key] == pytest.approx(fn(vals), rel=1e-12)
        ijk = np.argwhere(mask)[:, ::-1].mean(axis=0)
        centre = ijk @ affine[:3, :3].T + affine[:3, 3]
        assert [row[f"centroid_{a}"] for a in "xyz"] == pytest.approx(centre, abs=1e-9)
    assert rows[2]["components"] == 2 and rows[1]["components"] == 1


def test_extent_of_a_box_on_a_flipped_grid():
    labels = np.zeros((10, 10, 10), np.uint8)
    labels[2:5, 1:8, 3:9] = 1  # 3 x 7 x 6 voxels (z, y, x)
    affine = ORIENTATIONS[21]
    row = label_statistics(labels, Geometry(affine), surfaces=False)[0]
    sides_ijk = np.array([6, 7, 3]) * np.linalg.norm(affine[:3, :3], axis=0)
    world = np.abs(affine[:3, :3] / np.linalg.norm(affine[:3, :3], axis=0)) @ sides_ijk
    assert [row[f"extent_{a}"] for a in "xyz"] == pytest.approx(world)
    assert row["max_x"] - row["min_x"] == pytest.approx(row["extent_x"])
    assert "surface_mm2" not in row


def test_surface_and_sphericity_of_a_ball():
    z, y, x = np.ogrid[:40, :40, :40]
    labels = (((z - 19.5) ** 2 + (y - 19.5) ** 2 + (x - 19.5) ** 2) <= 15**2).astype(np.uint8)
    row = label_statistics(labels, Geometry.from_spacing((1.0, 1.0, 1.0)), names={1: "ball"})[0]
    assert row["name"] == "ball"
    assert row["surface_mm2"] == pytest.approx(4 * math.pi * 15**2, rel=0.05)
    assert 0.9 < row["sphericity"] <= 1.05


def test_bad_input_is_refused(case):
    labels, image = case
    with pytest.raises(ValueError, match="shape"):
        label_statistics(labels, Geometry(np.eye(4)), image=image[1:])
    with pytest.raises(ValueError, match="3-D integer"):
        label_statistics(labels.astype(np.float32), Geometry(np.eye(4)))
    assert label_statistics(np.zeros((3, 3, 3), np.uint8), Geometry(np.eye(4))) == []
