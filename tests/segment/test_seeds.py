"""Seed balls: ``--seed-radius-mm`` grows ``--markers`` (it was accepted and ignored)."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seg.cli import main
from napari_seg.io import Geometry, load_nifti, save_nifti
from napari_seg.segment import SegmentationError, grow_markers
from napari_seg.segment.methods import run_method

SPACING = (2.0, 1.0, 1.0)


def test_one_voxel_grows_into_the_ball_of_its_radius_in_mm():
    seeds = np.zeros((7, 11, 11), np.uint8)
    seeds[3, 5, 5] = 4
    grown = grow_markers(seeds, radius_mm=2.0, spacing=SPACING)
    # (2 dz)² + dy² + dx² <= 4: 13 voxels in the seed's slice, 1 above, 1 below
    assert (grown == 4).sum() == 15 and set(np.unique(grown)) == {0, 4}
    assert grown[3, 5, 3] == 4 and grown[3, 5, 2] == 0 and grown[4, 5, 5] == 4
    assert grown[2:5, 3:8, 3:8].sum() == 15 * 4
    assert np.array_equal(grow_markers(seeds, radius_mm=0.0, spacing=SPACING), seeds)


def test_nearest_seed_wins_and_drawn_seeds_are_kept():
    seeds = np.zeros((1, 1, 12), np.int32)
    seeds[0, 0, 2], seeds[0, 0, 7] = 2, 1
    grown = grow_markers(seeds, radius_mm=4.0)
    assert grown[0, 0].tolist() == [2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
    with pytest.raises(SegmentationError, match="seed radius"):
        grow_markers(seeds, radius_mm=-1.0)


def test_radius_without_seeds_is_refused():
    mask = np.ones((4, 8, 8), np.uint8)
    with pytest.raises(SegmentationError, match="--markers"):
        run_method("watershed", mask, spacing=SPACING, params={"seed_radius_mm": 3.0})


@pytest.fixture
def bar(tmp_path):
    """A 3x3x40 mask, an intensity edge at x = 10, seed 1 at x = 5 and seed 2 at x = 30."""
    geo = Geometry.from_spacing(SPACING)
    mask = np.ones((3, 3, 40), np.uint8)
    image = np.broadcast_to(np.where(np.arange(40) < 10, 0.0, 100.0), mask.shape)
    image = image.astype(np.float32)
    seeds = np.zeros(mask.shape, np.uint8)
    seeds[1, 1, 5], seeds[1, 1, 30] = 1, 2
    files = {
        name: save_nifti(a, geo, tmp_path / f"{name}.nii.gz", kind=kind)
        for name, a, kind in (
            ("mask", mask, "labels"),
            ("image", image, "image"),
            ("seeds", seeds, "labels"),
        )
    }
    return files, mask, image, seeds


def test_cli_seed_radius_grows_the_markers(bar, tmp_path, capsys):
    files, mask, image, seeds = bar
    argv = ["segment", str(files["mask"]), "--method", "watershed", "--markers",
            str(files["seeds"]), "--image", str(files["image"]), "--sigma-mm", "0"]  # fmt: skip
    assert main([*argv, "-o", str(tmp_path / "plain.nii.gz")]) == 0
    assert main([*argv, "--seed-radius-mm", "8", "-o", str(tmp_path / "ball.nii.gz")]) == 0
    plain = load_nifti(tmp_path / "plain.nii.gz").data
    ball = load_nifti(tmp_path / "ball.nii.gz").data
    assert (plain[1, 1] == 1).sum() == 10  # split at the intensity edge
    # seed 1's 8 mm ball reaches past the edge (to x = 13): the two balls then share the
    # flat plateau beyond it
    assert (ball[1, 1] == 1).sum() == 18
    grown = grow_markers(seeds, radius_mm=8.0, spacing=SPACING)
    api = run_method("watershed", mask, spacing=SPACING, markers=grown, image=image,
                     params={"sigma_mm": 0.0})  # fmt: skip
    assert np.array_equal(ball, api)
    assert main(["segment", str(files["mask"]), "--method", "watershed",
                 "--seed-radius-mm", "3", "-o", str(tmp_path / "x.nii.gz")]) == 2  # fmt: skip
    assert "--markers" in capsys.readouterr().err
