"""``napari-seg segment``: every registry method (and, with a checkpoint, the U-Net) headless.

The method options are built from the registry's declarations
(:data:`napari_seg.segment.methods.METHODS`): the same names, defaults, ranges
and help as the widgets' controls.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from .._files import refuse_overwriting_inputs
from ..io import Geometry, load_volume, save_volume
from ..io.formats import holds_segments
from ..io.labeltable import LabelTable, table_for_volume
from ..segment.methods import CLEANUP, METHODS, SMOOTHING, Param, run_method
from ..volume import Volume, check_same_grid
from ._common import TerminalProgress, bounded, device_name, load_input

__all__ = ["add_method_options", "add_parser", "given", "registry_options", "run"]

UNET_OPTIONS = ("checkpoint", "device", "roi", "overlap", "sw_batch_size", "cpu_bf16")


def registry_options() -> dict[str, tuple[Param, list[str]]]:
    """Every registry parameter once, with the methods that declare it.

    Raises
    ------
    AssertionError
        Two methods declare the same name differently (one name, one meaning).
    """
    out: dict[str, tuple[Param, list[str]]] = {}
    for spec in METHODS.values():
        for p in spec.all_params:
            if p.name in out:
                assert out[p.name][0] == p, f"{p.name} is declared twice, differently"
                out[p.name][1].append(spec.name)
            else:
                out[p.name] = (p, [spec.name])
    return out


def _add_param(group, p: Param, methods: list[str]) -> None:
    where = "" if len(methods) > 3 else f" [{', '.join(methods)}]"
    unit = f" ({p.unit})" if p.unit else ""
    default = "" if p.default in (None, False) else f"; default {p.default}"
    text = f"{p.help.rstrip('.')}{unit}{default}{where}"
    if p.kind is bool:
        group.add_argument(p.flag, action="store_true", default=None, help=text)
    elif p.choices is not None:
        group.add_argument(p.flag, choices=p.choices, type=p.kind, default=None, help=text)
    else:
        meta = p.unit.upper().replace("³", "3") if p.unit else p.kind.__name__.upper()
        group.add_argument(p.flag, type=p.kind, default=None, metavar=meta, help=text)


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
    p.add_argument("--method", choices=(*METHODS, "unet"), default="otsu")
    options = registry_options()
    shared = {q.name for q in (*SMOOTHING, *CLEANUP)}
    groups: dict[str, Any] = {}
    for name, (param, methods) in options.items():
        if name in shared:
            continue
        title = " and ".join(METHODS[m].title for m in methods)
        group = groups.setdefault(title, p.add_argument_group(title))
        _add_param(group, param, methods)
    s = p.add_argument_group("smoothing first (threshold methods, k-means)")
    for param in SMOOTHING:
        _add_param(s, param, options[param.name][1])
    q = p.add_argument_group("clean-up (every method; applied in this order)")
    for param in CLEANUP:
        _add_param(q, param, options[param.name][1])
    u = p.add_argument_group("unet (a trained checkpoint)")
    u.add_argument("--checkpoint", type=Path, help=".safetensors (or .pt state dict)")
    u.add_argument(
        "--device", type=device_name, default=None, help="auto, cpu, cuda, cuda:N or mps"
    )
    u.add_argument(
        "--roi", type=bounded(int, 8, 1024), nargs=3, metavar=("Z", "Y", "X"), help="window size"
    )
    u.add_argument("--overlap", type=bounded(float, 0.0, 0.95), default=None)
    u.add_argument("--sw-batch-size", type=bounded(int, 1, 256), default=None)
    u.add_argument("--cpu-bf16", action="store_true", default=None, help="bf16 on the CPU")


def _same_grid(path: Path | None, like: Volume):
    if path is None:
        return None
    vol = load_volume(path)
    check_same_grid(vol, like, what=f"{path} and the input")
    return vol.data


def given(args: argparse.Namespace, names) -> dict[str, Any]:
    """The options among ``names`` the user gave (None = not given)."""
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def _unet(args: argparse.Namespace, image: np.ndarray, geometry: Geometry, bar):
    """The U-Net's labels and its checkpoint's label names as a segment table."""
    if args.checkpoint is None:
        raise ValueError("--method unet needs --checkpoint")
    from ..deep.cache import ModelCache  # torch is imported only for this method
    from ..deep.inference import predict

    model, meta, device = ModelCache(size=1).get(args.checkpoint, args.device or "auto")
    options = given(args, ("roi", "overlap", "sw_batch_size", "cpu_bf16"))
    if "roi" in options:
        options["roi_size"] = options.pop("roi")
    result = predict(image, geometry, model, meta, device=device, progress=bar, **options)
    for note in result.notes:
        print(f"note: {note}")
    names = {}
    for key, name in (meta.labels or {}).items():
        if str(key).isdigit() and int(key) != 0:
            names[int(key)] = {"name": str(name)}
    return result.labels, names


def run(args: argparse.Namespace) -> int:
    refuse_overwriting_inputs(
        args.out,
        [args.input, args.mask, args.markers, args.image, args.checkpoint],
        option="-o/--out",
    )
    unet = args.method == "unet"
    channel = None if unet else args.channel  # the network takes every channel
    loaded = load_input(args.input, case=args.case, channel=channel, series=args.series)
    source, geometry, name = loaded.data, loaded.geometry, loaded.name
    segments = loaded.segments  # names for .seg.nrrd/DICOM SEG: the input's or the U-Net's
    volume = Volume(source, geometry)  # options in mm convert through its unit
    inputs = {
        "mask": _same_grid(args.mask, volume),
        "markers": _same_grid(args.markers, volume),
        "image": _same_grid(args.image, volume),
    }
    cleanup = given(args, [q.name for q in CLEANUP])
    t0 = time.perf_counter()
    bar = TerminalProgress(args.method, enabled=not args.quiet)
    if unet:
        other = [
            f"--{k.replace('_', '-')}" for k in given(args, registry_options()) if k not in cleanup
        ]
        if other:
            raise ValueError(f"{', '.join(other)}: not for --method unet")
        labels, segments = _unet(args, source, geometry, bar)
        if cleanup:
            labels = run_method("cleanup", volume.like(labels), params=cleanup).data
    else:
        given_unet = [f"--{k.replace('_', '-')}" for k in given(args, UNET_OPTIONS)]
        if given_unet:
            raise ValueError(f"{', '.join(given_unet)}: only for --method unet")
        params = given(args, registry_options())
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
