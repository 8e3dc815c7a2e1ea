"""Training windows: generated scenes, or objects of a labelled Decathlon task.

Each sample is ``(image, target, spacing)`` on one working window: the image
already normalised as the network sees it, the target a boolean mask, the
spacing the window's voxel size in mm. Task windows are cut exactly as
:func:`napari_seg.prompt.segment` cuts them (same window placement and
resampling), around an object at a random zoom, so some objects are partly
outside (as when the user's first click starts zoomed in).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage as ndi

from .clicks import deepest_point
from .model import normalise, resample
from .scenes import make_scene
from .window import place_window

__all__ = ["GeneratedSource", "MixedSource", "TaskSource", "augment", "synthetic_ct_volumes"]

Sample = tuple[np.ndarray, np.ndarray, np.ndarray]


def augment(rng: np.random.Generator, sample: Sample) -> Sample:
    """Random flips and an intensity sign change (the clicks are simulated afterwards)."""
    image, target, spacing = sample
    for axis in range(3):
        if rng.random() < 0.5:
            image, target = np.flip(image, axis), np.flip(target, axis)
    if rng.random() < 0.3:
        image = -image
    return np.ascontiguousarray(image), np.ascontiguousarray(target), spacing


@dataclass
class GeneratedSource:
    """Generated scenes (:func:`make_scene`), a pool refreshed by ``fresh`` scenes per batch."""

    crop: int = 64
    pool_size: int = 48
    fresh: int = 2
    pool: list[Sample] = field(default_factory=list)

    def reset(self) -> None:
        self.pool = []

    def batch(self, rng: np.random.Generator, n: int) -> list[Sample]:
        for _ in range(self.fresh if len(self.pool) >= n else n):
            im, tg, sp = make_scene(rng, crop=self.crop)
            self.pool.append((normalise(im), tg, sp))
        del self.pool[: max(len(self.pool) - self.pool_size, 0)]
        picks = rng.choice(len(self.pool), size=n, replace=len(self.pool) < n)
        return [augment(rng, self.pool[int(i)]) for i in picks]


@dataclass
class TaskSource:
    """Objects of labelled volumes: each label value, or each connected component of it.

    Parameters
    ----------
    volumes : list of (image, labels, spacing)
        ``(Z, Y, X)`` arrays and voxel sizes in mm.
    crop, base_mm : int, float
        The model's window size and finest working spacing.
    class_agnostic : bool
        Every connected component is a target (else every label value as a whole).
    """

    volumes: list[tuple[np.ndarray, np.ndarray, tuple[float, float, float]]]
    crop: int = 64
    base_mm: float = 1.0
    class_agnostic: bool = True
    objects: list[tuple[int, np.ndarray]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for v, (_, lab, _) in enumerate(self.volumes):
            for value in np.unique(lab)[1:]:
                mask = lab == value
                if self.class_agnostic:
                    comp, n = ndi.label(mask)
                    sizes = np.bincount(comp.ravel())
                    self.objects += [(v, comp == k) for k in range(1, n + 1) if sizes[k] >= 8]
                else:
                    self.objects.append((v, mask))
        if not self.objects:
            raise ValueError("no labelled object to train on (all labels empty)")

    def reset(self) -> None:
        pass

    def sample(self, rng: np.random.Generator) -> Sample:
        v, mask = self.objects[int(rng.integers(len(self.objects)))]
        image, _, spacing = self.volumes[v]
        click = deepest_point(mask, spacing=spacing, rng=rng, depth=0.5)
        idx = [
            np.flatnonzero(mask.any(axis=tuple(a for a in range(3) if a != ax))) for ax in range(3)
        ]
        extent = np.array([[i[0] for i in idx], [i[-1] for i in idx]], float)
        fill = rng.uniform(0.35, 1.2)
        win = place_window(
            image.shape,
            spacing,
            np.array([click]),
            crop=self.crop,
            base_mm=self.base_mm,
            fill=fill,
            extent=extent,
        )
        img = normalise(resample(win.extract(image), self.crop))
        tgt = resample(win.extract(mask.astype(np.float32), pad="constant"), self.crop) > 0.5
        return img, tgt, win.working_spacing

    def batch(self, rng: np.random.Generator, n: int) -> list[Sample]:
        return [augment(rng, self.sample(rng)) for _ in range(n)]


def load_task_volumes(task_dir: str | os.PathLike[str], names: list[str] | None = None):
    """``(image, labels, spacing)`` of a Decathlon task's labelled cases (first channel)."""
    from ..io import load_decathlon

    task = load_decathlon(task_dir)
    out = []
    for case in task.training:
        if case.label is None or (names is not None and case.name not in names):
            continue
        loaded = task.load_case(case)
        vol = loaded.channels[0]
        out.append((vol.data, np.asarray(loaded.label.data), vol.geometry.spacing))
    return out


@dataclass
class MixedSource:
    """Each window from ``second`` with probability ``p``, else from ``first``."""

    first: GeneratedSource
    second: TaskSource
    p: float = 0.25

    def reset(self) -> None:
        self.first.reset()

    def batch(self, rng: np.random.Generator, n: int) -> list[Sample]:
        k = int((rng.random(n) < self.p).sum())
        return (
            self.first.batch(rng, n - k) + self.second.batch(rng, k)
            if k < n
            else self.second.batch(rng, n)
        )


def synthetic_ct_volumes(n: int, *, seed: int):
    """``n`` synthetic CTs (:func:`napari_seg.data.make_synthetic_ct`) at random spacings,
    labelled spleen (1) and lesions (2..): generated organs and lesions, no real scan."""
    from ..data.synthetic import make_synthetic_ct

    rng = np.random.default_rng([seed, 7])
    out = []
    for i in range(n):
        dz, dxy = float(rng.uniform(1.5, 5.0)), float(rng.uniform(0.7, 1.6))
        shape = (int(200 / dz), int(300 / dxy) // 2 * 2, int(300 / dxy) // 2 * 2)
        ct = make_synthetic_ct(
            shape, spacing=(dz, dxy, dxy), seed=seed * 1000 + i, noise_hu=float(rng.uniform(5, 40))
        )
        lab = ct.spleen.astype(np.int16)
        lab[ct.lesions > 0] = ct.lesions[ct.lesions > 0] + 1
        out.append((ct.image, lab, ct.spacing))
    return out
