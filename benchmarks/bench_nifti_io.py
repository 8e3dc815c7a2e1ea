"""NIfTI read/write: ours (ISA-L gzip, no copies) against plain nibabel, same process.

Read: a 200x512x512 int16 CT .nii.gz (written by nibabel at its default level).
Write: the spleen labels as uint8 .nii.gz.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import nibabel as nib
import numpy as np
from _common import best_of, large_ct, machine, peak_bytes, report

from napari_seg.io import load_nifti, save_nifti


def main() -> None:
    ct = large_ct()
    geo = ct.geometry
    print(f"# {machine()}; volume {ct.image.shape} int16 = {ct.image.nbytes / 1e6:.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "ct.nii.gz"
        nib.save(nib.Nifti1Image(ct.image.T, geo.affine), src)
        print(f"# file {src.stat().st_size / 1e6:.0f} MB on disk")

        def ours_read():
            return load_nifti(src).data

        def nib_read():
            return np.asanyarray(nib.load(src).dataobj)

        t_ours, a = best_of(ours_read)
        t_nib, b = best_of(nib_read)
        assert np.array_equal(a, b.T)
        report("read 200x512x512 int16 .nii.gz", t_ours, t_nib)
        p_ours, p_nib = peak_bytes(ours_read), peak_bytes(nib_read)
        print(
            f"{'peak memory / array size':<44} ours {p_ours / ct.image.nbytes:8.2f} x    "
            f"baseline {p_nib / ct.image.nbytes:8.2f} x"
        )

        out_ours, out_nib = Path(tmp) / "ours.nii.gz", Path(tmp) / "nib.nii.gz"
        t_w_ours, _ = best_of(lambda: save_nifti(ct.spleen, geo, out_ours, kind="labels"))
        t_w_nib, _ = best_of(lambda: nib.save(nib.Nifti1Image(ct.spleen.T, geo.affine), out_nib))
        report(
            "write 200x512x512 uint8 labels .nii.gz",
            t_w_ours,
            t_w_nib,
            note=f"(MB on disk {out_ours.stat().st_size / 1e6:.1f} vs "
            f"{out_nib.stat().st_size / 1e6:.1f})",
        )
        assert np.array_equal(load_nifti(out_ours).data, ct.spleen)


if __name__ == "__main__":
    main()
