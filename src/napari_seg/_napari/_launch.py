"""Open the demo's results in a napari viewer (``napari-seg demo --gui``)."""

from __future__ import annotations

from pathlib import Path

import napari

from ..cli.demo import DemoRow
from ..io import load_nifti


def show_demo(out_dir: Path, rows: list[DemoRow]) -> napari.Viewer:
    """Show the demo image, ground truths and each method's labels; blocks until closed."""
    viewer = napari.Viewer(title="napari-seg demo")
    image = load_nifti(out_dir / "image.nii.gz")
    viewer.add_image(
        image.data,
        name="synthetic CT",
        contrast_limits=(-160, 240),
        **image.geometry.layer_kwargs(),
    )
    for name, path in [("spleen ground truth", out_dir / "spleen_gt.nii.gz")] + [
        (r.method, r.path) for r in rows if r.path is not None
    ]:
        vol = load_nifti(path)
        viewer.add_labels(vol.data, name=name, opacity=0.5, **vol.geometry.layer_kwargs())
    viewer.dims.ndisplay = 3
    napari.run()
    return viewer
