"""Test grids shared by several test modules: every axis-aligned orientation and oblique ones."""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["LPS", "OBLIQUE", "ORIENTATIONS", "oblique", "orientations"]


def orientations() -> list[np.ndarray]:
    """All 48 signed axis permutations (RAS, LPS, PIR, ...) as 4x4 affines."""
    out = []
    spacing = np.array([0.7, 1.3, 2.9])
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((1, -1), repeat=3):
            a = np.eye(4)
            a[:3, :3] = 0
            for col, (row, s) in enumerate(zip(perm, signs, strict=True)):
                a[row, col] = s * spacing[col]
            a[:3, 3] = (-12.5, 33.25, 7.0)
            out.append(a)
    return out


def oblique(spacing=(0.8, 0.8, 2.5), degrees: float = 20.0) -> np.ndarray:
    """A grid rotated ``degrees`` about two axes, with voxel sides ``spacing`` (i, j, k) in mm."""
    t = np.deg2rad(degrees)
    rz = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])
    a = np.eye(4)
    a[:3, :3] = rz @ rx @ np.diag(spacing)
    a[:3, 3] = (10.0, -20.0, 30.0)
    return a


ORIENTATIONS = orientations()
#: The usual DICOM-derived CT storage: x and y flipped (LPS), 0.8 x 0.8 x 2.5 mm voxels.
LPS = np.array([[-0.8, 0, 0, 40.0], [0, -0.8, 0, 30.0], [0, 0, 2.5, -50.0], [0, 0, 0, 1]])
OBLIQUE = oblique()
