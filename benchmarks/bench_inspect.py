"""Label surfaces and per-label statistics on a 200x512x512 volume.

Surfaces: the spleen of the 200x512x512 synthetic CT. Ours:
``napari_seg.inspect.label_surfaces`` (marching cubes on the label's box, through the
affine, 15 Taubin passes); baseline in the same process: scikit-image
``marching_cubes`` on the whole volume's spleen mask (raw, no smoothing).

Statistics: 14 ellipsoid "organs" (sizes 2-700 mL) in a 200x512x512 uint8 volume with an
int16 image. Ours: ``label_statistics`` without and with meshes; baseline:
``skimage.measure.regionprops_table`` (area, centroid, bbox, mean/min/max intensity).

    .venv/bin/python benchmarks/bench_inspect.py
"""

from __future__ import annotations

import numpy as np
from _common import best_of, large_ct, machine
from skimage.measure import marching_cubes, regionprops_table

from napari_seg.inspect import label_statistics, label_surfaces
from napari_seg.io import Geometry


def organs(shape=(200, 512, 512), n=14, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lab = np.zeros(shape, np.uint8)
    z, y, x = np.ogrid[: shape[0], : shape[1], : shape[2]]
    for value in range(1, n + 1):
        r = rng.uniform([4, 8, 8], [30, 90, 90])
        c = rng.uniform(r + 1, np.array(shape) - r - 1)
        box = tuple(slice(int(ci - ri), int(ci + ri) + 1) for ci, ri in zip(c, r, strict=True))
        zz, yy, xx = z[box[0]], y[:, box[1]], x[:, :, box[2]]
        inside = ((zz - c[0]) / r[0]) ** 2 + ((yy - c[1]) / r[1]) ** 2 + (
            (xx - c[2]) / r[2]
        ) ** 2 <= 1
        lab[box][inside] = value
    return lab


def main() -> None:
    ct = large_ct()
    geometry = Geometry.from_spacing((2.5, 0.8, 0.8))
    spleen = (ct.spleen != 0).view(np.uint8)
    t_ours, meshes = best_of(lambda: label_surfaces(spleen, geometry))
    t_base, (_, f, _, _) = best_of(lambda: marching_cubes(spleen, 0.5, spacing=(2.5, 0.8, 0.8)))
    mesh = meshes[1]
    voxels = spleen.sum() * 2.5 * 0.8 * 0.8
    print(machine())
    print(f"surfaces, spleen of 200x512x512 ({spleen.sum():,} voxels)")
    print(
        f"  ours     {t_ours:.3f} s  {len(mesh.faces):,} faces, "
        f"volume {mesh.volume_mm3 / voxels:.4f} x voxels"
    )
    print(f"  baseline {t_base:.3f} s  {len(f):,} faces (whole-volume marching_cubes, raw)")
    print(f"  ratio    {t_base / t_ours:.1f}x")

    lab = organs()
    image = ct.image
    t_ns, rows = best_of(lambda: label_statistics(lab, geometry, image=image, surfaces=False))
    t_s, _ = best_of(lambda: label_statistics(lab, geometry, image=image))
    props = (
        "label",
        "area",
        "centroid",
        "bbox",
        "intensity_mean",
        "intensity_min",
        "intensity_max",
    )
    t_rp, table = best_of(lambda: regionprops_table(lab, image, properties=props))
    assert [r["voxels"] for r in rows] == list(table["area"].astype(int))
    assert np.allclose([r["mean"] for r in rows], table["intensity_mean"])
    print(f"statistics, 14 labels on 200x512x512 ({(lab > 0).mean():.1%} labelled)")
    print(f"  ours     {t_ns:.3f} s (no meshes)   {t_s:.3f} s (with meshes: surface, sphericity)")
    print(f"  baseline {t_rp:.3f} s (regionprops_table: area, centroid, bbox, intensity)")
    print(f"  ratio    {t_rp / t_ns:.1f}x (no meshes), {t_rp / t_s:.1f}x (with meshes)")


if __name__ == "__main__":
    main()
