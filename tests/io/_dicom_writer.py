"""Write DICOM series with pydicom from known volumes (test data with answers by construction)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

_CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"


def write_series(
    folder: Path,
    volume: np.ndarray,
    affine: np.ndarray,
    *,
    slope: float = 1.0,
    intercept: float = -1024.0,
    series_uid: str | None = None,
    description: str = "test series",
    number: int = 1,
    modality: str = "CT",
    seed: int = 0,
    prefix: str = "img",
) -> list[Path]:
    """One file per slice of ``volume`` ``(Z, Y, X)`` (stored values, int16), placed by the
    RAS ``affine`` (NIfTI voxel ``(i, j, k)`` -> world); file names and InstanceNumbers
    are shuffled so that only positions give the order."""
    import pydicom
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    folder.mkdir(parents=True, exist_ok=True)
    lps = np.diag([-1.0, -1.0, 1.0, 1.0]) @ np.asarray(affine, dtype=np.float64)
    dc, dr = np.linalg.norm(lps[:3, 0]), np.linalg.norm(lps[:3, 1])
    iop = [*(lps[:3, 0] / dc), *(lps[:3, 1] / dr)]
    series_uid = series_uid or generate_uid(entropy_srcs=[str(seed), description])
    study, frame = (
        generate_uid(entropy_srcs=[str(seed), "study"]),
        generate_uid(entropy_srcs=[str(seed), "frame"]),
    )
    rng = np.random.default_rng(seed)
    perm = rng.permutation(volume.shape[0])
    paths = []
    for k in range(volume.shape[0]):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = _CT_IMAGE
        meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[series_uid, str(k)])
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        path = folder / f"{prefix}{perm[k]:04d}.dcm"
        ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = _CT_IMAGE, meta.MediaStorageSOPInstanceUID
        ds.Modality, ds.SeriesDescription, ds.SeriesNumber = modality, description, number
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = (
            study,
            series_uid,
            frame,
        )
        ds.PatientName, ds.PatientID, ds.StudyDate, ds.StudyTime = (
            "Test^Phantom",
            "P1",
            "20260101",
            "120000",
        )
        ds.PatientBirthDate, ds.PatientSex, ds.AccessionNumber, ds.StudyID = "", "O", "A1", "1"
        ds.ReferringPhysicianName, ds.Manufacturer = "", "napari-seg tests"
        ds.InstanceNumber = int(perm[k]) + 1
        ds.ImagePositionPatient = [f"{v:.6f}" for v in lps[:3, 3] + k * lps[:3, 2]]
        ds.ImageOrientationPatient = [f"{v:.8f}" for v in iop]
        ds.PixelSpacing = [f"{dr:.6f}", f"{dc:.6f}"]
        ds.SliceThickness = f"{np.linalg.norm(lps[:3, 2]):.6f}"
        ds.Rows, ds.Columns = volume.shape[1], volume.shape[2]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = f"{slope:g}", f"{intercept:g}", "HU"
        ds.PixelData = np.ascontiguousarray(volume[k], dtype="<i2").tobytes()
        pydicom.dcmwrite(path, ds, enforce_file_format=True)
        paths.append(path)
    return paths
