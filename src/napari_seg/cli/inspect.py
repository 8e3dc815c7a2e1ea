"""``napari-seg surfaces`` / ``stats`` / ``snapshot``: 3-D inspection of a labels file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .._files import refuse_overwriting_inputs
from .._inputs import InputFiles
from ..inspect.export import MESH_FORMATS, mesh_file_name
from ..inspect.limits import MAX_LABELS, check_label_count
from ..inspect.surfaces import SURFACE_PARAMS
from ..io import is_decathlon_path, load_decathlon, load_volume, volume_stem
from ..io.kinds import as_labels
from ..ops import get
from ..volume import Volume, check_same_grid
from ._common import TerminalProgress, bounded, label_list
from ._params import add_params


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "surfaces",
        help="write one mesh per label (STL/PLY/OBJ) in the file's world frame",
        description="Marching cubes per label through the file's full affine: vertices are "
        "(x, y, z) mm as the NIfTI affine maps voxels (RAS+), as 3D Slicer and ParaView read.",
    )
    p.add_argument("labels", type=Path, help="labels: NIfTI, NRRD, .seg.nrrd or DICOM SEG")
    p.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    # declared once, beside label_surfaces (the `surfaces` operation)
    add_params(p, get("surfaces").params, types={"label_ids": label_list})
    p.add_argument(
        "--format", choices=MESH_FORMATS, default="stl", help="mesh file format; default stl"
    )
    p.add_argument("--overwrite", action="store_true", help="replace mesh files that exist")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _max_labels(p, "surfaces")
    p.set_defaults(func=run_surfaces)

    p = sub.add_parser(
        "stats",
        help="per-label volume (mm³, mL), surface, centroid, extent, intensity statistics",
    )
    p.add_argument("labels", type=Path, help="labels: NIfTI, NRRD, .seg.nrrd or DICOM SEG")
    p.add_argument(
        "--image", type=Path,
        help="intensities on the same grid (HU for a CT): NIfTI, NRRD or a DICOM series",
    )  # fmt: skip
    p.add_argument("--series", help="DICOM series of --image when it holds several")
    add_params(p, get("stats").params)  # --surfaces/--no-surfaces (old: --no-surface)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--csv", type=Path, help="also write the table as CSV")
    _max_labels(p, "stats")
    p.set_defaults(func=run_stats)

    p = sub.add_parser(
        "snapshot",
        help="render a report picture: 3-D surfaces over the volume and three slice views",
        description="Needs a display (a virtual one works: xvfb-run -a napari-seg snapshot ...).",
    )
    p.add_argument("image", type=Path)
    p.add_argument("labels", type=Path)
    p.add_argument("-o", "--out", type=Path, required=True, help="output .png")
    p.add_argument("--turntable", type=Path, help="also a 360° turn: .gif, or .mp4 with ffmpeg")
    p.add_argument("--frames", type=bounded(int, 4, 720), default=36, help="turntable frames")
    p.add_argument(
        "--size",
        type=bounded(int, 200, 4000),
        nargs=2,
        default=(1200, 800),
        metavar=("W", "H"),
        help="picture size in pixels",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _max_labels(p, "snapshot")
    p.set_defaults(func=run_snapshot)


def _max_labels(p: argparse.ArgumentParser, command: str) -> None:
    default = MAX_LABELS[command]
    p.add_argument(
        "--max-labels",
        type=bounded(int, 1),
        default=default,
        metavar="N",
        help=f"refuse files with more label values (default {default:,})",
    )


def _labels(path: Path, max_labels: int):
    vol = load_volume(path)
    labels = as_labels(vol.data, path)
    check_label_count(labels, max_labels, what=str(path))
    names = {k: v["name"] for k, v in (vol.segments or {}).items() if k != 0}
    return labels, vol.geometry, names or label_names_near(path)


def _task_of(path: Path) -> Path | None:
    """The Decathlon task folder a labels file lies in (``TASK/labels*/x.nii.gz``), or None."""
    task = path.resolve().parent.parent
    if not path.resolve().parent.name.startswith("labels") or not is_decathlon_path(task):
        return None
    return task


def label_names_near(path: Path) -> dict[int, str]:
    """Label names from the ``dataset.json`` of the Decathlon task a labels file lies in."""
    task = _task_of(path)
    if task is None:
        return {}
    return {k: v for k, v in load_decathlon(task).labels.items() if k != 0}


def run_surfaces(args: argparse.Namespace) -> int:
    from ..inspect import label_surfaces, write_meshes
    from ..inspect.surfaces import label_boxes

    labels, geometry, names = _labels(args.labels, args.max_labels)
    if labels.ndim != 3:
        raise ValueError(f"{args.labels}: a 3-D labels file is needed, got shape {labels.shape}")
    boxes = label_boxes(labels)
    wanted = sorted(boxes) if args.label_ids is None else sorted(set(args.label_ids) & set(boxes))
    if not wanted:
        raise ValueError(
            f"{args.labels}: no label to mesh" + (" among --label-ids" * bool(args.label_ids))
        )
    missing = sorted(set(args.label_ids or ()) - set(boxes))
    if missing:
        ids = ",".join(map(str, missing))
        print(f"napari-seg: note: --label-ids {ids}: not in {args.labels.name} (skipped)",
              file=sys.stderr)  # fmt: skip
    stem = volume_stem(args.labels)
    _check_mesh_files(args, [mesh_file_name(stem, v, names.get(v, ""), fmt=args.format)
                             for v in wanted])  # fmt: skip
    bar = TerminalProgress("surfaces", enabled=not args.quiet)
    meshes = label_surfaces(
        labels,
        geometry,
        label_ids=wanted,
        smooth_passes=SURFACE_PARAMS[0].default
        if args.smooth_passes is None
        else args.smooth_passes,
        faces=args.faces,
        boxes=boxes,
        progress=bar,
    )
    paths = write_meshes(meshes, args.out, stem=stem, fmt=args.format, names=names)
    for path, (value, mesh) in zip(paths, sorted(meshes.items()), strict=True):
        print(f"{path}: label {value}, {len(mesh.faces):,} faces, {mesh.volume_mm3 / 1000:.2f} mL")
    return 0


def _check_mesh_files(args: argparse.Namespace, names: list[str]) -> None:
    """Before any meshing: no mesh file may be an input, nor replace a file unasked."""
    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"-o/--out {args.out}: a file, not a folder")
    inputs = InputFiles().add_all([args.labels, _task_of(args.labels)])
    for name in names:
        inputs.check_output(args.out / name, option="-o/--out")
    there = [name for name in names if (args.out / name).exists()]
    if there and not args.overwrite:
        more = f" and {len(there) - 1} more" if len(there) > 1 else ""
        raise ValueError(
            f"-o/--out {args.out}: {there[0]}{more} exist already; add --overwrite to replace them"
        )


def run_stats(args: argparse.Namespace) -> int:
    from ..inspect import STAT_COLUMNS, label_statistics
    from ..metrics import jsonable, to_csv

    if args.csv is not None:
        refuse_overwriting_inputs(
            args.csv, [args.labels, args.image, _task_of(args.labels)], option="--csv"
        )
    labels, geometry, names = _labels(args.labels, args.max_labels)
    image = None
    if args.image is not None:
        vol = load_volume(args.image, series=args.series)
        labels_volume = Volume(labels, geometry)
        check_same_grid(vol, labels_volume, what=f"--image {args.image} and the labels")
        image = vol.data
    rows = label_statistics(
        labels,
        geometry,
        image=image,
        label_names=names,
        surfaces=args.surfaces is not False,
    )
    if args.csv is not None:
        to_csv(rows, args.csv, columns=list(STAT_COLUMNS))
    if args.json:
        print(json.dumps(jsonable(rows), indent=2, allow_nan=False))
        return 0
    _print_table(rows)
    return 0


def _print_table(rows) -> None:
    from ..inspect.stats import SUMMARY_COLUMNS

    cols = [c for c in SUMMARY_COLUMNS if rows and c in rows[0] and c != "name"]
    print("  ".join(f"{c:>12}" for c in cols))
    for r in rows:
        print(
            "  ".join(f"{r[c]:>12.4g}" if isinstance(r[c], float) else f"{r[c]:>12}" for c in cols)
        )
    if not rows:
        print("(no label)", file=sys.stderr)


def run_snapshot(args: argparse.Namespace) -> int:
    from .._napari._snapshot import render_snapshot

    for out in (args.out, args.turntable):
        if out is not None:
            refuse_overwriting_inputs(
                out, [args.image, args.labels, _task_of(args.labels)], option="-o/--turntable"
            )
    _labels(args.labels, args.max_labels)
    written = render_snapshot(
        args.image,
        args.labels,
        args.out,
        turntable=args.turntable,
        frames=args.frames,
        size=tuple(args.size),
        progress=TerminalProgress("surfaces", enabled=not args.quiet),
    )
    for path in written:
        print(path)
    return 0
