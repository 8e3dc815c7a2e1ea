"""DICOM series read: ours (pydicom, sorted along the normal) against dcm2niix + nibabel.

Data: the synthetic CT at 300x512x512 (seed 0) written as 300 single-slice int16 files
(explicit VR little endian, shuffled file names), oblique by 12 degrees; and a real CT
slice that pydicom ships (``CT_small.dcm``, 128x128). Each side runs in a fresh
process; seconds are wall time, peak memory is the process's maximum resident set
(``wait4``), for the baseline the larger of dcm2niix's and the nibabel reader's.

Usage: ``python benchmarks/bench_dicom.py [--slices 300]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import machine, report

ROOT = Path(__file__).resolve().parents[1]
OURS = (
    "import sys, time; t = time.perf_counter(); from napari_seg.io.dicom import load_dicom; "
    "v = load_dicom(sys.argv[1]); print(time.perf_counter() - t, v.data.nbytes)"
)
NIBABEL = (
    "import sys, time, glob, numpy as np, nibabel as nib; t = time.perf_counter(); "
    "a = np.asanyarray(nib.load(glob.glob(sys.argv[1] + '/*.nii')[0]).dataobj); "
    "print(time.perf_counter() - t, a.nbytes)"
)


# A small launcher process: a child forked from this (large) process would inherit its
# resident high-water mark, which survives exec; one forked from the launcher starts small.
LAUNCH = (
    "import os, subprocess, sys, time; t = time.perf_counter(); "
    "p = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL); _, s, u = os.wait4(p.pid, 0); "
    "print('LAUNCH', s, time.perf_counter() - t, u.ru_maxrss, file=sys.stderr)"
)


def _run(argv: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and stdout of one child process."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH, *argv], capture_output=True, text=True, env=env
    )
    status, seconds, rss = done.stderr.split("LAUNCH")[-1].split()
    if int(status):
        raise RuntimeError(f"{argv[:3]} failed with status {status}")
    return float(seconds), int(rss) / 1024, done.stdout


def _compare(label: str, folder: Path, tmp: Path) -> None:
    out = tmp / f"nii-{folder.name}"
    out.mkdir()
    t_ours, m_ours, text = _run([sys.executable, "-c", OURS, str(folder)])
    nbytes = int(text.split()[1])
    dcm2niix = ["dcm2niix", "-z", "n", "-b", "n", "-f", "x", "-o", str(out), str(folder)]
    t_dcm, m_dcm, _ = _run(dcm2niix)
    t_nib, m_nib, _ = _run([sys.executable, "-c", NIBABEL, str(out)])
    report(label, t_ours, t_dcm + t_nib, note="(wall, process start and imports included)")
    print(
        f"{'  peak memory (max RSS)':<44} ours {m_ours:8.0f} MB   baseline "
        f"{max(m_dcm, m_nib):8.0f} MB   (dcm2niix {m_dcm:.0f}, nibabel {m_nib:.0f}; "
        f"array {nbytes / 2**20:.0f} MB)"
    )


def main() -> None:
    from scipy.spatial.transform import Rotation
    from tests.io._dicom_writer import write_series

    from napari_seg.data.synthetic import make_synthetic_ct

    parser = argparse.ArgumentParser()
    parser.add_argument("--slices", type=int, default=300)
    args = parser.parse_args()
    if shutil.which("dcm2niix") is None:
        sys.exit("dcm2niix is not installed (apt-get install dcm2niix)")
    print(f"# {machine()}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ct = make_synthetic_ct((args.slices, 512, 512), seed=0)
        affine = np.eye(4)
        tilt = Rotation.from_euler("x", 12, degrees=True).as_matrix()
        affine[:3, :3] = tilt @ np.diag([-0.7, -0.7, 1.0])
        t0 = time.perf_counter()
        write_series(tmp / "series", (ct.image + 1024).astype(np.int16), affine)
        size = sum(f.stat().st_size for f in (tmp / "series").iterdir()) / 2**20
        print(f"# wrote {args.slices} files, {size:.0f} MB, in {time.perf_counter() - t0:.1f} s")
        _compare(f"read {args.slices}x512x512 int16 DICOM series", tmp / "series", tmp)
        from pydicom.data import get_testdata_file

        (tmp / "real").mkdir()
        shutil.copy(get_testdata_file("CT_small.dcm"), tmp / "real")
        _compare("read real CT slice (pydicom CT_small.dcm)", tmp / "real", tmp)


if __name__ == "__main__":
    main()
