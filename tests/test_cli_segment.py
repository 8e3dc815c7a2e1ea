from __future__ import annotations

import numpy as np
import pytest

from napari_seg.cli import main
from napari_seg.data.synthetic import make_synthetic_ct
from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.io import Geometry, load_nifti, save_nifti
from tests._geometry import ORIENTATIONS


@pytest.fixture(scope="module")
def ct_file(tmp_path_factory):
    ct = make_synthetic_ct((24, 48, 48), seed=4)
    folder = tmp_path_factory.mktemp("cli")
    geo = Geometry(ORIENTATIONS[11])  # a flipped, permuted grid
    image = save_nifti(ct.image, geo, folder / "ct.nii.gz", kind="image")
    mask = save_nifti(ct.lesions > 0, geo, folder / "lesions.nii.gz")
    return image, mask, geo


@pytest.mark.parametrize(
    "extra",
    [
        ["--method", "otsu", "--largest"],
        ["--method", "manual", "--preset", "bone", "--min-voxels", "5"],
        ["--method", "manual", "--low", "100", "--high", "150", "--fill-holes"],
        ["--method", "manual", "--low", "100", "--smooth", "median", "--smooth-mm", "1.6"],
        ["--method", "multiotsu", "--classes", "4"],
        ["--method", "li"],
        ["--method", "yen"],
        ["--method", "triangle"],
        ["--method", "mean", "--components"],
        ["--method", "kmeans", "--k", "4", "--seed", "1"],
        ["--method", "canny", "--sigma-mm", "1.5"],
        ["--method", "canny", "--mode", "slices"],
        ["--method", "kmeans", "--k", "5", "--low", "0", "--high", "250", "--select-near", "120"],
        ["--method", "otsu", "--open-mm", "1.0", "--close-mm", "1.0"],
    ],
)
def test_segment_keeps_input_geometry(ct_file, tmp_path, extra, capsys):
    image, _, geo = ct_file
    out = tmp_path / "labels.nii.gz"
    assert main(["segment", str(image), "-o", str(out), "--quiet", *extra]) == 0
    vol = load_nifti(out)
    assert vol.data.shape == load_nifti(image).data.shape
    assert np.max(np.abs(vol.geometry.affine - geo.affine)) < 1e-5
    assert vol.data.max() >= 1
    assert "->" in capsys.readouterr().out


def test_watershed_with_mask_and_markers(ct_file, tmp_path):
    image, mask, geo = ct_file
    out = tmp_path / "ws.nii.gz"
    assert (
        main(
            [
                "segment",
                str(mask),
                "-o",
                str(out),
                "--method",
                "watershed",
                "--min-distance-mm",
                "6",
                "--quiet",
            ]
        )
        == 0
    )
    split = load_nifti(out).data
    lesions = load_nifti(mask).data
    assert split.max() >= 2 and not split[lesions == 0].any()
    markers = save_nifti(np.where(split == 1, 1, 0).astype(np.uint8), geo, tmp_path / "m.nii.gz")
    assert (
        main(
            [
                "segment",
                str(mask),
                "-o",
                str(out),
                "--method",
                "watershed",
                "--image",
                str(image),
                "--markers",
                str(markers),
                "--quiet",
            ]
        )
        == 0
    )
    assert set(np.unique(load_nifti(out).data)) <= {0, 1}


def test_decathlon_case_input(tmp_path):
    task = make_synthetic_task(tmp_path / "Task93", cases=2, test_cases=0, shape=(12, 24, 24))
    out = tmp_path / "o.nii.gz"
    assert main(["segment", str(task), "--case", "synthetic_1", "-o", str(out), "--quiet"]) == 0
    ref = load_nifti(task / "imagesTr" / "synthetic_1.nii.gz")
    assert np.allclose(load_nifti(out).geometry.affine, ref.geometry.affine)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--method", "manual"], "needs a low and/or a high bound"),
        (["--channel", "3"], "channel"),
        (["--method", "otsu", "--k", "3"], "--k does not apply to method 'otsu'"),
        (["--method", "otsu", "--checkpoint", "x.pt"], "only for --method unet"),
        (["--method", "kmeans", "--k", "99"], "--k: 99 is outside [2, 64]"),
        (
            ["--method", "manual", "--low", "5", "--open-mm", "1e4"],
            "--open-mm: 10000.0 is outside",
        ),
    ],
)
def test_errors_are_reported_not_raised(ct_file, tmp_path, argv, message, capsys):
    image, _, _ = ct_file
    try:  # an option out of its declared range stops argparse (exit 2, one line)
        status = main(["segment", str(image), "-o", str(tmp_path / "x.nii.gz"), *argv])
    except SystemExit as stop:
        status = stop.code
    assert status == 2
    err = capsys.readouterr().err
    assert message in err and "error" in err


def test_task_without_case_and_mismatched_mask(ct_file, tmp_path, capsys):
    task = make_synthetic_task(tmp_path / "Task94", cases=1, test_cases=0, shape=(12, 24, 24))
    assert main(["segment", str(task), "-o", str(tmp_path / "x.nii.gz")]) == 2
    assert "--case" in capsys.readouterr().err
    image, _, _ = ct_file
    other = save_nifti(np.ones((2, 2, 2), np.uint8), Geometry(np.eye(4)), tmp_path / "m.nii")
    assert (
        main(["segment", str(image), "-o", str(tmp_path / "x.nii.gz"), "--mask", str(other)]) == 2
    )
    assert "shape" in capsys.readouterr().err


def test_an_input_is_never_overwritten(ct_file, tmp_path, capsys):
    image, mask, _ = ct_file
    before = image.read_bytes()
    assert main(["segment", str(image), "-o", str(image), "--quiet"]) == 2
    assert image.read_bytes() == before
    link = tmp_path / "link.nii.gz"
    link.symlink_to(image)  # the same file under another name
    assert main(["segment", str(image), "-o", str(link), "--quiet"]) == 2
    assert "this is the input file" in capsys.readouterr().err
    assert main(["evaluate", str(mask), str(mask), "--csv", str(mask)]) == 2
    assert image.read_bytes() == before


def test_errors_are_one_line_and_debug_shows_the_traceback(ct_file, tmp_path, capsys):
    image, _, _ = ct_file
    assert main(["segment", str(image), "-o", str(tmp_path / "x.nii.gz"), "--k", "3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    with pytest.raises(Exception, match="does not apply"):
        main(["--debug", "segment", str(image), "-o", str(tmp_path / "x.nii.gz"), "--k", "3"])


@pytest.mark.parametrize("command", ["segment", "segment-batch"])
def test_classical_options_are_refused_with_the_unet(tmp_path, capsys, command):
    """--low with --method unet used to be ignored without a word."""
    image = tmp_path / "ct.nii.gz"
    ckpt = tmp_path / "m.safetensors"
    ckpt.write_bytes(b"x")
    save_nifti(np.zeros((4, 5, 6), np.int16), Geometry(np.eye(4)), image)
    target = str(tmp_path / "out.nii.gz") if command == "segment" else str(tmp_path / "out")
    argv = [
        command,
        str(image if command == "segment" else tmp_path),
        "-o",
        target,
        "--method",
        "unet",
        "--checkpoint",
        str(ckpt),
        "--low",
        "100",
    ]
    assert main(argv) == 2
    assert "--low: not for --method unet" in capsys.readouterr().err
