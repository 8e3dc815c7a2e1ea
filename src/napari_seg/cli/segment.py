"""``napari-seg segment``: every registry method and the U-Net, headless.

The options are built from the operations' declarations (:mod:`napari_seg.ops`:
the methods and the ``unet`` operation): the same names, defaults, ranges and help
as the widgets' controls.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from .._files import refuse_overwriting_inputs
from ..io import load_volume, save_volume
from ..io.formats import holds_segments
from ..io.labeltable import LabelTable, table_for_volume
from ..ops import get
from ..segment.methods import CLEANUP, METHODS, SMOOTHING, Param, run_method
from ..segment.registry import check_segment_options
from ..volume import Volume, check_same_grid
from ._common import TerminalProgress, device_name, load_input
from ._params import add_param, add_params, given_params, note_renamed

__all__ = ["add_method_options", "add_parser", "given", "registry_options", "run", "same_grid"]

#: The U-Net's options (its registered operation's, and the checkpoint file).
UNET_OPTIONS = ("checkpoint", *(p.name for p in get("unet").params))


def registry_options() -> dict[str, tuple[Param, list[str]]]:
    """Every parameter of ``segment`` once (methods and the U-Net), with who declares it.

    Raises
    ------
    AssertionError
        Two operations declare the same name differently (one name, one meaning).
    """
    out: dict[str, tuple[Param, list[str]]] = {}
    for op in (*METHODS.values(), get("unet")):
        for p in op.all_params:
            if p.name in out:
                assert out[p.name][0] == p, f"{p.name} is declared twice, differently"
                out[p.name][1].append(op.name)
            else:
                out[p.name] = (p, [op.name])
    return out


def _method_name(text: str) -> str:
    """An argparse ``type`` for ``--method``: old names map to the new one, with a note."""
    if text in (*METHODS, "unet"):
        return text
    for spec in METHODS.values():
        if text in spec.aliases:
            note_renamed(f"--method {text}", f"--method {spec.name}")
            return spec.name
    return text  # argparse's choices refuse it


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "segment",
        help="segment a volume (NIfTI, NRRD, DICOM series) or a Decathlon case into labels",
        description="Segment INPUT (a NIfTI or NRRD file, a DICOM series folder, DICOMDIR "
        "or one file of the series, or a Decathlon task folder with --case) and write labels "
        "with the input's geometry; the output's name picks its format. For watershed and "
        "cleanup, INPUT is the mask/labels file (as in the widgets).",
    )
    p.add_argument(
        "input", type=Path, help="NIfTI/NRRD file, DICOM folder or file, or Decathlon task"
    )
    p.add_argument(
        "-o", "--out", type=Path, required=True,
        help="output .nii.gz/.nii/.nrrd/.nhdr, .seg.nrrd (3D Slicer segmentation) or .dcm "
        "(DICOM SEG; INPUT must be a DICOM series)",
    )  # fmt: skip
    p.add_argument("--case", help="case name, when INPUT is a Decathlon task")
    p.add_argument(
        "--series", help="DICOM series when INPUT holds several: index, UID or description"
    )
    p.add_argument("--channel", type=int, default=0, help="channel of a 4-D/multi-modal image")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    io = p.add_argument_group("other inputs (volume files on INPUT's grid)")
    io.add_argument("--mask", type=Path, help="ROI: non-zero = inside (threshold, k-means)")
    io.add_argument("--markers", type=Path, help="seed labels: seeded watershed")
    io.add_argument("--image", type=Path, help="intensities a seeded watershed grows over")
    add_method_options(p)
    p.set_defaults(func=run)


def add_method_options(p: argparse.ArgumentParser) -> None:
    """``--method`` and every method's options, from the registry; the U-Net's own group."""
    p.add_argument(
        "--method",
        type=_method_name,
        choices=(*METHODS, "unet"),
        default="otsu",
        help="the method (default otsu); threshold is the old name of manual",
    )
    options = registry_options()
    shared = {q.name for q in (*SMOOTHING, *CLEANUP)}
    groups: dict[str, Any] = {}
    unet = get("unet")
    for name, (param, methods) in options.items():
        if name in shared or methods == ["unet"]:
            continue
        title = " and ".join(METHODS[m].title for m in methods)
        group = groups.setdefault(title, p.add_argument_group(title))
        add_param(group, param, where=_where(methods))
    s = p.add_argument_group("smoothing first (threshold methods, k-means)")
    for param in SMOOTHING:
        add_param(s, param, where=_where(options[param.name][1]))
    q = p.add_argument_group("clean-up (every method and the U-Net; applied in this order)")
    for param in CLEANUP:
        add_param(q, param)
    u = p.add_argument_group("unet (a trained checkpoint)")
    u.add_argument("--checkpoint", type=Path, help=".safetensors (or .pt state dict)")
    add_params(u, unet.params, types={"device": device_name})


def _where(methods: list[str]) -> str:
    return "" if len(methods) > 3 else f" [{', '.join(methods)}]"


def same_grid(path: Path | None, like: Volume):
    """The array at ``path`` (None: None), refused unless it lies on ``like``'s grid."""
    if path is None:
        return None
    vol = load_volume(path)
    check_same_grid(vol, like, what=f"{path} and the input")
    return vol.data


def given(args: argparse.Namespace, names) -> dict[str, Any]:
    """The options among ``names`` the user gave (None = not given)."""
    return given_params(args, names)


def _unet(args: argparse.Namespace, volume: Volume, cleanup: dict, bar):
    """The ``unet`` operation's labels and its checkpoint's label names as a segment table."""
    if args.checkpoint is None:
        raise ValueError("--method unet needs --checkpoint")
    from ..deep.segment_unet import segment_unet  # torch is imported only for this method

    options = given(args, [p.name for p in get("unet").params])
    result = segment_unet(volume, args.checkpoint, cleanup=cleanup, progress=bar, **options)
    for note in result.notes:
        print(f"note: {note}")
    return result.labels, {v: {"name": n} for v, n in result.label_names.items()}


def run(args: argparse.Namespace) -> int:
    refuse_overwriting_inputs(
        args.out,
        [args.input, args.mask, args.markers, args.image, args.checkpoint],
        option="-o/--out",
    )
    unet_options = given(args, UNET_OPTIONS)
    params = {k: v for k, v in given(args, registry_options()).items() if k not in unet_options}
    check_segment_options(args.method, params, unet_options)  # before reading; as segment-batch's
    unet = args.method == "unet"
    channel = None if unet else args.channel  # the network takes every channel
    loaded = load_input(args.input, case=args.case, channel=channel, series=args.series)
    source, geometry, name = loaded.data, loaded.geometry, loaded.name
    segments = loaded.segments  # names for .seg.nrrd/DICOM SEG: the input's or the U-Net's
    volume = Volume(source, geometry)  # options in mm convert through its unit
    inputs = {
        "mask": same_grid(args.mask, volume),
        "markers": same_grid(args.markers, volume),
        "image": same_grid(args.image, volume),
    }
    cleanup = given(args, [q.name for q in CLEANUP])
    t0 = time.perf_counter()
    bar = TerminalProgress(args.method, enabled=not args.quiet)
    if unet:
        labels, segments = _unet(args, volume, cleanup, bar)
    else:
        used = {k: v for k, v in inputs.items() if v is not None}
        if "mask" in used:
            used["mask"] = used["mask"] != 0
        labels = run_method(args.method, volume, params=params, progress=bar, **used).data
    table = _output_table(args)
    if table is not None and not segments:
        segments = table.to_dict()
    out = save_volume(
        labels, geometry, args.out, kind="labels", segments=segments, source=loaded.source
    )
    if table is not None and not holds_segments(out):  # names and colours beside the labels
        print(f"label table -> {table.write(table.sidecar_for(out))}")
    n = len(np.unique(labels)) - (1 if (labels == 0).any() else 0)
    print(f"{name}: {args.method} -> {out} ({n} label value(s), {time.perf_counter() - t0:.2f} s)")
    return 0


def _output_table(args: argparse.Namespace) -> LabelTable | None:
    """The output's label table where it is known: the input's, for a method that keeps
    label values (clean-up without ``--components``); the checkpoint's classes for the U-Net."""
    if args.method == "unet":
        from ..deep.config import checkpoint_info  # reads the header only, no torch

        labels = (checkpoint_info(args.checkpoint) or {}).get("labels") or {}
        names = {int(v): str(n) for v, n in labels.items() if str(v).isdigit()}
        return LabelTable.from_names(names) if names else None
    spec = METHODS[args.method]
    if spec.keeps_ids and not getattr(args, "components", False) and args.input.is_file():
        return table_for_volume(args.input)
    return None
