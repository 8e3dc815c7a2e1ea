"""Generated training scenes: random organs and lesions on one working window.

A scene is a ``crop``-cube of a made-up body: a textured background, large
"organ" blobs (lobulated ellipsoids with smooth wobble) and small "lesions"
(near-spheres), each brighter or darker than what surrounds it, some touching
neighbours of the same intensity; then blur (thicker along z, as slices are),
a bias field and noise at a random contrast-to-noise ratio. Every painted blob
is a possible target (class-agnostic). Nothing here is from a real scan.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

__all__ = ["make_scene"]


def _smooth(rng: np.random.Generator, crop: int, coarse: int = 5) -> np.ndarray:
    """A smooth random field of about unit spread: coarse noise, linearly interpolated per axis."""
    noise = rng.normal(size=(coarse,) * 3).astype(np.float32)
    pos = np.linspace(0, coarse - 1, crop, dtype=np.float32)
    w = np.maximum(0.0, 1.0 - np.abs(pos[:, None] - np.arange(coarse, dtype=np.float32)))
    return np.einsum("ai,bj,ck,ijk->abc", w, w, w, noise, optimize=True).astype(np.float32)


def _blob(rng, labels: np.ndarray, wobble: np.ndarray, centre, radius: float, value: int) -> None:
    """Paint a rotated, wobbly ellipsoid (sometimes two lobes) around ``centre`` (voxels)."""
    crop = labels.shape[0]
    lo = np.clip(np.floor(np.asarray(centre) - 1.7 * radius), 0, crop).astype(int)
    hi = np.clip(np.ceil(np.asarray(centre) + 1.7 * radius) + 1, 0, crop).astype(int)
    if np.any(hi <= lo):
        return
    box = tuple(slice(int(a), int(b)) for a, b in zip(lo, hi, strict=True))
    grid = np.stack(
        np.meshgrid(
            *(np.arange(a, b, dtype=np.float32) for a, b in zip(lo, hi, strict=True)),
            indexing="ij",
        )
    )
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    ratios = rng.uniform(0.55, 1.0, size=3)
    ratios /= ratios.max()
    d = np.tensordot(
        q.astype(np.float32), grid - np.asarray(centre, np.float32)[:, None, None, None], axes=1
    )
    r = (radius * ratios).astype(np.float32)[:, None, None, None]
    inside = ((d / r) ** 2).sum(axis=0)
    if rng.random() < 0.35:  # a second lobe
        shift = q[:, 0] * radius * rng.uniform(0.5, 0.9)
        d2 = d - shift.astype(np.float32)[:, None, None, None]
        inside = np.minimum(inside, ((d2 / (0.7 * r)) ** 2).sum(axis=0))
    labels[box][inside < 1.0 + rng.uniform(0.0, 0.3) * wobble[box]] = value


def _objects(rng: np.random.Generator, crop: int) -> tuple[np.ndarray, int]:
    """Label map (0 background, 1..N blobs, later ones on top) and the target's id."""
    labels = np.zeros((crop,) * 3, np.int16)
    wobble = _smooth(rng, crop, coarse=6)
    n = int(rng.integers(2, 7))
    target = int(rng.integers(n))  # the one placed near the centre
    for i in range(n):
        if i == target:
            centre = crop / 2 + rng.uniform(-6, 6, size=3)
            radius = float(np.exp(rng.uniform(np.log(2.5), np.log(44.0))))
        else:
            centre = rng.uniform(-0.1 * crop, 1.1 * crop, size=3)
            radius = float(np.exp(rng.uniform(np.log(3.0), np.log(40.0))))
        _blob(
            rng,
            labels,
            np.roll(wobble, int(rng.integers(crop)), axis=int(rng.integers(3))),
            centre,
            radius,
            i + 1,
        )
    return labels, target + 1


def make_scene(
    rng: np.random.Generator, *, crop: int = 64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One generated window.

    Returns
    -------
    image : numpy.ndarray of float32, shape (crop, crop, crop)
        Intensities (arbitrary units; the network input normalises them).
    target : numpy.ndarray of bool, same shape
        The object to segment: the blob placed near the centre when it is visible
        enough, else the largest visible one.
    spacing : numpy.ndarray of float, shape (3,)
        The nominal working voxel size in mm (only scales the click width).
    """
    labels, target_id = _objects(rng, crop)
    ids = np.unique(labels)[1:]
    values = {0: 0.0}
    for i in ids:
        if rng.random() < 0.2 and len(values) > 1:  # same as a neighbour: only shape separates
            values[int(i)] = values[int(rng.choice(list(values)[1:]))]
        else:
            values[int(i)] = float(rng.choice([-1, 1]) * rng.uniform(0.5, 3.0))
    lut = np.array([values.get(k, 0.0) for k in range(int(labels.max()) + 1)], np.float32)
    image = lut[labels] + rng.uniform(0.0, 0.6) * _smooth(rng, crop, coarse=8)
    sz = rng.uniform(0.3, 2.0)
    sxy = rng.uniform(0.3, 1.2)
    image = ndi.gaussian_filter(image, (sz, sxy, sxy), truncate=2.5)
    image *= 1.0 + rng.uniform(0.0, 0.25) * _smooth(rng, crop)
    noise = rng.uniform(0.15, 1.2)
    image += rng.normal(0.0, noise, size=image.shape).astype(np.float32)
    target = labels == target_id
    if target.sum() < 30:
        sizes = np.bincount(labels.ravel())
        sizes[0] = 0
        target = labels == int(np.argmax(sizes))
    spacing = np.array([rng.uniform(1.0, 3.0), *(rng.uniform(0.7, 1.5),) * 2])
    axes = rng.permutation(3) if rng.random() < 0.3 else np.arange(3)
    return image.transpose(axes).copy(), target.transpose(axes).copy(), spacing[axes]
