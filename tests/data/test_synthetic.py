from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from napari_seg.data.synthetic import HU, make_synthetic_ct


def test_default_sample_properties():
    ct = make_synthetic_ct()
    assert ct.image.shape == (96, 192, 192)
    assert ct.image.dtype == np.int16
    assert ct.spacing == (2.5, 0.8, 0.8)
    assert set(np.unique(ct.spleen)) == {0, 1}
    assert ct.lesions.max() == 4  # two touching pairs


def _robust_mean(image, mask, iterations=2):
    core = ndi.binary_erosion(mask, iterations=iterations)
    return float(np.median(image[core]))


@pytest.mark.parametrize("seed", [0, 7])
def test_tissue_hu_ranges(seed):
    ct = make_synthetic_ct((48, 96, 96), seed=seed)
    img = ct.image
    spleen = _robust_mean(img, ct.spleen > 0)
    assert 100 <= spleen <= 130
    assert np.median(img[:2, :3, :3]) < -900  # air in the corner
    assert (img > 400).sum() > 0  # bone present
    lesion = _robust_mean(img, ct.lesions > 0, iterations=1)
    assert lesion < spleen - 40  # hypodense lesions
    # noise: residual of a flat region (spleen core) has sigma 15..25 HU
    core = ndi.binary_erosion(ct.spleen > 0, iterations=2)
    assert 12 <= img[core].std() <= 30
    # fat ring below 0, soft tissue 30..60
    assert -150 < np.median(img[(img > -300) & (img < -30)]) < -50


def test_same_seed_same_volume_other_seed_differs():
    a = make_synthetic_ct((24, 48, 48), seed=5)
    b = make_synthetic_ct((24, 48, 48), seed=5)
    c = make_synthetic_ct((24, 48, 48), seed=6)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.spleen, b.spleen)
    assert not np.array_equal(a.image, c.image)


def test_lesion_pairs_touch():
    ct = make_synthetic_ct((48, 96, 96), seed=2)
    for first in (1, 3):
        grown = ndi.binary_dilation(ct.lesions == first)
        assert np.any(grown & (ct.lesions == first + 1)), "lesion pair should touch"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"shape": (4, 64, 64)},
        {"shape": (16, 16)},
        {"spacing": (0, 1, 1)},
        {"spacing": (1, float("nan"), 1)},
        {"noise_hu": -1},
    ],
)
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        make_synthetic_ct(**kwargs)


def test_hu_table_is_ordered_sensibly():
    assert HU["air"] < HU["fat"] < HU["soft_tissue"] < HU["liver"] < HU["spleen"] < HU["bone"]


def _world_centroid(ct, mask) -> np.ndarray:
    """Centroid of ``mask`` (Z, Y, X) in world RAS mm through the sample's own geometry."""
    z, y, x = np.argwhere(mask).mean(axis=0)
    return (ct.geometry.affine @ [x, y, z, 1.0])[:3]


def test_sample_anatomy_is_true_in_world_ras():

    ct = make_synthetic_ct((48, 96, 96), noise_hu=0.0, seed=0)
    spleen = _world_centroid(ct, ct.spleen > 0)
    liver = _world_centroid(ct, ct.image == HU["liver"])
    spine = _world_centroid(ct, ct.image > HU["marrow"] + 100)
    aorta = _world_centroid(ct, ct.image == HU["aorta"])
    kidney = _world_centroid(ct, ct.image == HU["kidney"])
    assert spleen[0] < -10 and liver[0] > 10  # R coordinate: spleen left, liver right
    assert spine[1] < aorta[1] < 0  # A coordinate: the spine behind the aorta, both posterior
    assert kidney[1] < 0 and kidney[2] < liver[2]  # kidneys posterior, below the liver
    assert abs(_world_centroid(ct, ct.image > -2000)).max() < 5  # the grid is centred


def test_sample_geometry_is_lps_storage():

    ct = make_synthetic_ct((16, 32, 32), spacing=(2.0, 0.5, 0.7))
    np.testing.assert_allclose(np.diag(ct.geometry.affine)[:3], (-0.7, -0.5, 2.0))
    assert ct.geometry.spacing == (2.0, 0.5, 0.7)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"spacing": (0, 1, 1)}, "spacing must be"), ({"shape": (0, 64, 64)}, "shape must be")],
)
def test_synthetic_task_checks_sizes_before_writing_anything(tmp_path, kwargs, match):
    """--spacing 0 1 1 said 'affine is singular' and left empty task folders behind."""
    from napari_seg.data.synthetic_task import make_synthetic_task

    with pytest.raises(ValueError, match=match):
        make_synthetic_task(tmp_path / "task", cases=1, test_cases=0, **kwargs)
    assert not (tmp_path / "task").exists()


def test_synthetic_task_too_large_is_refused_before_allocating(tmp_path):
    """--shape 100000 100000 1000 tried to allocate 36 TiB (after making the folders)."""
    from napari_seg._memory import MemoryBoundError
    from napari_seg.data.synthetic_task import make_synthetic_task

    with pytest.raises(MemoryBoundError, match="shape"):
        make_synthetic_task(tmp_path / "task", cases=1, shape=(100000, 100000, 1000))
    assert not (tmp_path / "task").exists()
