"""Deterministic synthetic abdominal CT with spleen and lesion ground truth.

The phantom is built in normalised body coordinates (each axis spans -1..1 over
the field of view), so any ``shape`` gives the same anatomy; only the lesions
are placed in millimetres so that they are true spheres for spacing-aware
methods (watershed, distance transforms).

The array is stored as scanners store axial CT (DICOM's LPS order): the column
index ``x`` runs towards the patient's left, the row index ``y`` towards the
back, and the slice index ``z`` towards the head. :attr:`SyntheticCT.geometry`
places it in world RAS mm accordingly: the spleen lies on the patient's left
(R < 0), the liver on the right, the spine and aorta posterior, the kidneys
posterolateral.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage as ndi

from ..io.geometry import Geometry

__all__ = ["HU", "SyntheticCT", "check_sizes", "make_synthetic_ct", "synthetic_geometry"]

#: Hounsfield units of each tissue before smoothing and noise.
HU: dict[str, float] = {
    "air": -1000.0,
    "gas": -900.0,
    "fat": -100.0,
    "soft_tissue": 45.0,
    "liver": 90.0,
    "spleen": 120.0,
    "kidney": 160.0,
    "aorta": 180.0,
    "lesion": 40.0,
    "marrow": 250.0,
    "bone": 700.0,
}


@dataclass(frozen=True)
class SyntheticCT:
    """A synthetic CT volume and its ground truths, all shaped ``(Z, Y, X)``.

    Attributes
    ----------
    image : numpy.ndarray of int16, shape (Z, Y, X)
        Intensities in Hounsfield units.
    spleen : numpy.ndarray of uint8, shape (Z, Y, X)
        Semantic ground truth: 0 background, 1 spleen.
    lesions : numpy.ndarray of uint8, shape (Z, Y, X)
        Instance ground truth of liver lesions, 1..N, some touching in pairs.
    spacing : tuple of float
        Voxel size ``(dz, dy, dx)`` in mm.
    seed : int
        The seed that produced the volume.
    """

    image: np.ndarray
    spleen: np.ndarray
    lesions: np.ndarray
    spacing: tuple[float, float, float]
    seed: int
    label_names: dict[int, str] = field(default_factory=lambda: {0: "background", 1: "spleen"})

    @property
    def geometry(self) -> Geometry:
        """World placement (RAS mm) of the volume, centred on the origin.

        Stored like a scanner's axial series (LPS): ``i`` (x) to the patient's
        left, ``j`` (y) posterior, ``k`` (z) superior, so the affine is
        ``diag(-dx, -dy, dz)`` plus the offset that centres the grid.
        """
        return synthetic_geometry(self.image.shape, self.spacing)


def synthetic_geometry(
    shape: tuple[int, int, int], spacing: tuple[float, float, float]
) -> Geometry:
    """The placement of a synthetic volume of ``shape`` (Z, Y, X) and ``spacing`` (mm).

    See :attr:`SyntheticCT.geometry`.
    """
    dz, dy, dx = (float(s) for s in spacing)
    nz, ny, nx = shape
    affine = np.diag([-dx, -dy, dz, 1.0])
    affine[:3, 3] = ((nx - 1) / 2 * dx, (ny - 1) / 2 * dy, -(nz - 1) / 2 * dz)
    return Geometry(affine)


def check_sizes(
    shape: tuple[int, ...], spacing: tuple[float, ...]
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """``shape`` and ``spacing`` as tuples, checked: 3 integers >= 8, 3 positive finite mm.

    Raises
    ------
    ValueError
        Either is not so.
    """
    shape = tuple(int(s) for s in shape)
    spacing = tuple(float(s) for s in spacing)
    if len(shape) != 3 or min(shape) < 8:
        raise ValueError(f"shape must be 3 integers >= 8 (Z, Y, X), got {shape}")
    if len(spacing) != 3 or not all(np.isfinite(spacing)) or min(spacing) <= 0:
        raise ValueError(f"spacing must be 3 positive finite mm values, got {spacing}")
    return shape, spacing


def make_synthetic_ct(
    shape: tuple[int, int, int] = (96, 192, 192),
    *,
    spacing: tuple[float, float, float] = (2.5, 0.8, 0.8),
    seed: int = 0,
    noise_hu: float = 20.0,
    n_lesion_pairs: int = 2,
) -> SyntheticCT:
    """Generate a CT-like abdominal volume with spleen and lesion labels.

    Parameters
    ----------
    shape : tuple of int
        Volume shape ``(Z, Y, X)`` in voxels; each axis at least 8.
    spacing : tuple of float
        Voxel size ``(dz, dy, dx)`` in mm, all positive.
    seed : int
        Seed of every random choice: the same seed gives the same volume.
    noise_hu : float
        Standard deviation of the Gaussian noise, in HU.
    n_lesion_pairs : int
        Number of pairs of touching spherical lesions in the liver.

    Returns
    -------
    SyntheticCT
        Image in HU (int16), spleen labels and lesion instance labels.

    Examples
    --------
    >>> ct = make_synthetic_ct((32, 64, 64), seed=1)
    >>> ct.image.shape, ct.image.dtype.name, int(ct.spleen.max())
    ((32, 64, 64), 'int16', 1)
    """
    shape, spacing = check_sizes(shape, spacing)
    if noise_hu < 0 or n_lesion_pairs < 0:
        raise ValueError("noise_hu and n_lesion_pairs must be >= 0")
    rng = np.random.default_rng(seed)
    coords = [((np.arange(n) + 0.5) / n * 2 - 1).astype(np.float32) for n in shape]
    hu = np.full(shape, HU["air"], dtype=np.float32)
    body = _paint_body(hu, coords, rng)
    spleen = _paint_organs(hu, coords, rng, body)
    lesions = _paint_lesions(hu, coords, spacing, rng, n_lesion_pairs)
    hu = ndi.gaussian_filter(hu, sigma=0.6, output=np.float32)
    hu += rng.normal(0.0, noise_hu, size=shape).astype(np.float32)
    image = np.clip(np.rint(hu), -1024, 3071).astype(np.int16)
    return SyntheticCT(image, spleen, lesions, spacing, seed)


def _ellipsoid(
    coords: list[np.ndarray],
    center: tuple[float, float, float],
    radii: tuple[float, float, float],
    wobble: np.ndarray | None = None,
) -> tuple[tuple[slice, ...], np.ndarray]:
    """Mask of an ellipsoid in normalised coordinates, cropped to its bounding box."""
    box = []
    for c, ax, r in zip(center, coords, radii, strict=True):
        lo, hi = np.searchsorted(ax, [c - 1.3 * r, c + 1.3 * r])
        box.append(slice(int(lo), int(max(hi, lo + 1))))
    box = tuple(box)
    z, y, x = (ax[s] for ax, s in zip(coords, box, strict=True))
    d = (
        ((z - center[0]) / radii[0])[:, None, None] ** 2
        + ((y - center[1]) / radii[1])[None, :, None] ** 2
        + ((x - center[2]) / radii[2])[None, None, :] ** 2
    )
    limit = 1.0 if wobble is None else wobble[box] ** 2
    return box, d < limit


def _smooth_field(shape: tuple[int, ...], rng: np.random.Generator, amp: float) -> np.ndarray:
    """Low-frequency random field around 1 with peak deviation about ``amp``.

    A sum of four random plane waves (about one cycle over the box): smooth,
    seedable and cheap, unlike interpolating a coarse random grid on 50M voxels.
    """
    axes = [np.linspace(-np.pi, np.pi, n, dtype=np.float32) for n in shape]
    field = np.zeros(shape, dtype=np.float32)
    for _ in range(4):
        f = rng.uniform(0.4, 1.2, size=3) * rng.choice([-1, 1], size=3)
        phase = np.float32(rng.uniform(0, 2 * np.pi))
        # cos(a + c) = cos a cos c - sin a sin c: trigonometry on a plane and a line,
        # then two products per voxel (6x faster than a cosine per voxel)
        a = (f[0] * axes[0])[:, None] + (f[1] * axes[1])[None, :] + phase
        c = (f[2] * axes[2]).astype(np.float32)
        field += np.cos(a).astype(np.float32)[:, :, None] * np.cos(c)[None, None, :]
        field -= np.sin(a).astype(np.float32)[:, :, None] * np.sin(c)[None, None, :]
    return 1.0 + amp * np.clip(field / 2.0, -1.0, 1.0)


def _paint(hu: np.ndarray, box: tuple[slice, ...], mask: np.ndarray, value: float) -> None:
    hu[box][mask] = value


def _paint_body(hu: np.ndarray, coords: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Body outline with a subcutaneous fat ring, spine and aorta; returns the body mask."""
    y, x = coords[1][:, None], coords[2][None, :]
    ry = 0.80 + 0.03 * coords[0][:, None, None]  # the body widens slightly caudally
    outline = (y / ry) ** 2 + (x / 0.93) ** 2
    body = outline < 1.0
    hu[body] = HU["fat"]
    inner = outline < 0.78
    texture = _smooth_field(hu.shape, rng, 15.0 / HU["soft_tissue"])
    hu[inner] = (HU["soft_tissue"] * texture)[inner]
    for cy, cx, r, value in ((0.55, 0.0, 0.13, HU["bone"]), (0.55, 0.0, 0.10, HU["marrow"])):
        disc = ((y - cy) / r) ** 2 + ((x - cx) / r) ** 2 < 1.0
        hu[:, disc] = value
    spinous = ((y - 0.74) / 0.05) ** 2 + (x / 0.03) ** 2 < 1.0
    hu[:, spinous] = HU["bone"]
    aorta = ((y - 0.33) / 0.06) ** 2 + ((x - 0.08) / 0.06) ** 2 < 1.0
    hu[:, aorta] = HU["aorta"]
    for _ in range(6):  # bowel gas pockets, anterior
        c = (rng.uniform(-0.8, 0.8), rng.uniform(-0.55, -0.25), rng.uniform(-0.05, 0.45))
        r = rng.uniform(0.04, 0.08)
        box, m = _ellipsoid(coords, c, (3 * r, r, r))
        _paint(hu, box, m, HU["gas"])
    return body


def _paint_organs(
    hu: np.ndarray, coords: list[np.ndarray], rng: np.random.Generator, body: np.ndarray
) -> np.ndarray:
    """Liver, kidneys and spleen; returns the spleen ground truth (uint8)."""
    jitter = rng.uniform(-0.03, 0.03, size=(4, 3))
    liver_c = tuple(np.array((0.15, -0.05, -0.42)) + jitter[0])
    box, m = _ellipsoid(coords, liver_c, (0.55, 0.45, 0.38))
    _paint(hu, box, m & body[box], HU["liver"])
    for i, cx in enumerate((-0.35, 0.35)):
        c = tuple(np.array((-0.40, 0.47, cx)) + jitter[1 + i])
        box, m = _ellipsoid(coords, c, (0.22, 0.12, 0.09))
        _paint(hu, box, m, HU["kidney"])
    spleen_c = tuple(np.array((0.18, 0.28, 0.57)) + jitter[3])
    radii = (0.33, 0.21, 0.15)
    box, _ = _ellipsoid(coords, spleen_c, radii)
    wobble = np.ones(hu.shape, dtype=np.float32)
    wobble[box] = _smooth_field(tuple(s.stop - s.start for s in box), rng, 0.15)
    box, m = _ellipsoid(coords, spleen_c, radii, wobble)
    m &= body[box]
    _paint(hu, box, m, HU["spleen"])
    spleen = np.zeros(hu.shape, dtype=np.uint8)
    spleen[box][m] = 1
    return spleen


def _paint_lesions(
    hu: np.ndarray,
    coords: list[np.ndarray],
    spacing: tuple[float, float, float],
    rng: np.random.Generator,
    n_pairs: int,
) -> np.ndarray:
    """Pairs of touching spheres (in mm) inside the liver; returns instance labels."""
    lesions = np.zeros(hu.shape, dtype=np.uint8)
    extent = np.array(hu.shape) * np.array(spacing)
    base_r = 0.06 * extent.min()  # mm
    liver = hu == HU["liver"]
    candidates = np.argwhere(ndi.binary_erosion(liver, iterations=2))
    if n_pairs == 0 or len(candidates) == 0:
        return lesions
    label = 0
    for _ in range(n_pairs):
        center = candidates[rng.integers(len(candidates))] * np.array(spacing)
        direction = rng.normal(size=3)
        direction[0] *= 0.3  # keep pairs mostly in-plane, where they are easiest to see
        direction /= np.linalg.norm(direction)
        r1, r2 = base_r * rng.uniform(0.8, 1.1, size=2)
        for c, r in ((center, r1), (center + direction * 0.85 * (r1 + r2), r2)):
            label += 1
            c_norm = tuple((c / extent) * 2 - 1 + 1 / np.array(hu.shape))
            radii = tuple(2 * r / extent)
            box, m = _ellipsoid(coords, c_norm, radii)
            m &= lesions[box] == 0  # the first sphere keeps the voxels they share
            _paint(hu, box, m, HU["lesion"])
            lesions[box][m] = label
    return lesions
