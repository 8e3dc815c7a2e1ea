"""k-means (k=4) of a 200x512x512 CT (52M voxels): ours vs plain full-data Lloyd iterations.

Ours: exact 1-D k-means on the integer histogram (every voxel counts), then one
digitize pass; for float volumes, a 1M-voxel seeded sample. Baseline: Lloyd's
algorithm on all voxels in float32 numpy (distances to every centre), same
k-means++ start, until the centres stop moving.
"""

from __future__ import annotations

import numpy as np
from _common import best_of, large_ct, machine, report

from napari_seg.segment.kmeans import kmeans, kmeans_centers

K = 4


def baseline(image: np.ndarray, start: np.ndarray, max_iter: int = 50):
    x = image.reshape(-1).astype(np.float32)
    c = start.astype(np.float32)
    for _ in range(max_iter):
        idx = np.argmin(np.abs(x[:, None] - c[None, :]), axis=1)
        new = np.array([x[idx == j].mean() for j in range(K)], dtype=np.float32)
        if np.allclose(new, c, atol=1e-3):
            break
        c = new
    return np.sort(c)


def main() -> None:
    image = large_ct().image
    print(f"# {machine()}; volume {image.shape} {image.dtype}")
    t_ours, _ = best_of(lambda: kmeans(image, K, seed=0), repeat=2)
    centres = kmeans_centers(image, K, seed=0)
    t_float, _ = best_of(lambda: kmeans(image.astype(np.float32), K, seed=0), repeat=1)
    t_base, base_centres = best_of(lambda: baseline(image, centres + 25.0), repeat=1)
    report("k-means k=4, int16 (exact, histogram)", t_ours, t_base)
    report("k-means k=4, float32 (1M-voxel sample)", t_float, t_base)
    print(f"# centres ours {np.round(centres, 1)}  baseline {np.round(base_centres, 1)}")


if __name__ == "__main__":
    main()
