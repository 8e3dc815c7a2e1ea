"""The memory a training needs, estimated before any data is loaded, refused when it cannot fit.

Two sizes grow with the options:

* one case resampled to ``--spacing`` (from the headers): ``voxels x 4 bytes x
  (channels + label) x`` :data:`RESAMPLE_COPIES` (the resampling holds input and output);
* one optimisation step: the network's activations for ``--batch-size x --samples``
  crops of ``--roi-size`` (counted by running the network on the ``meta`` device, so the
  class count and the architecture are in it), kept for the backward pass and their
  gradients, plus weights, gradients and the optimizer's two moments.

A size that does not fit the free memory (or the GPU's) is refused in one line
naming the options, instead of a SIGABRT or the OOM killer half-way through.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch

from .._memory import MemoryBoundError, available_bytes
from ..io import DecathlonError
from ..io.validate import read_header
from .networks import build_network

__all__ = ["MAX_CLASSES", "check_label_values", "check_training_memory", "step_bytes"]

#: Output channels a training may build (label values 0..MAX_CLASSES-1).
MAX_CLASSES = 256

#: Arrays of one resampled case alive at once while it is prepared.
RESAMPLE_COPIES = 3
#: Activations are kept for the backward pass and get a gradient of the same size.
ACTIVATION_COPIES = 2
#: Weights, their gradients and the optimizer's two moments.
PARAMETER_COPIES = 4
#: Share of the free memory a training may plan to use.
FRACTION = 0.8


def step_bytes(
    model: str, size: str, in_channels: int, out_channels: int, roi, crops: int, overrides=None
) -> int | None:
    """Bytes of one optimisation step on ``crops`` crops of ``roi`` (None if it cannot tell)."""
    counted = [0]

    def count(_module, _inputs, output) -> None:
        if isinstance(output, torch.Tensor):
            counted[0] += output.numel()

    try:
        with torch.device("meta"):
            net = build_network(
                model,
                in_channels=in_channels,
                out_channels=out_channels,
                config=size,
                overrides=overrides,
            )
            leaves = [m for m in net.modules() if not list(m.children())]
            hooks = [m.register_forward_hook(count) for m in leaves]
            with torch.no_grad():
                net(torch.empty((1, in_channels, *roi)))
    except Exception:
        return None
    for h in hooks:
        h.remove()
    params = sum(p.numel() for p in net.parameters())
    return 4 * (ACTIVATION_COPIES * counted[0] * crops + PARAMETER_COPIES * params)


def check_label_values(task) -> None:
    """Refuse ``dataset.json`` labels whose largest value would need too many output channels."""
    top = max(task.labels)
    if top >= MAX_CLASSES:  # one output channel per value up to the largest
        raise DecathlonError(
            task.root,
            f"dataset.json 'labels' go up to {top}: the network would need {top + 1:,} output "
            f"channels; number the labels 0..N-1 (at most {MAX_CLASSES})",
        )


def _free(device: torch.device) -> int:
    if device.type == "cuda":
        return int(torch.cuda.mem_get_info(device)[0])
    return available_bytes()


def check_training_memory(cases, cfg, meta, device: torch.device) -> None:
    """Raise :class:`MemoryBoundError` naming the options when the training cannot fit."""
    data = cfg.data
    host = available_bytes()
    for c in cases:
        h = read_header(Path(c.image))
        dims, zooms = h.get_data_shape(), h.get_zooms()[:3]
        voxels = math.prod(
            max(1.0, d * z / t)
            for d, z, t in zip(dims[:3], zooms, data.target_spacing[::-1], strict=True)
        )
        channels = dims[3] if len(dims) > 3 else 1
        need = int(voxels * 4 * (channels + 1) * RESAMPLE_COPIES)
        if need > FRACTION * host:
            spacing = " ".join(f"{s:g}" for s in data.target_spacing)
            raise MemoryBoundError(
                f"--spacing {spacing}: case {c.name} resampled to {voxels:,.0f} voxels", need, host
            )
    crops = data.batch_size * data.samples_per_volume
    need = step_bytes(
        meta.network,
        meta.config,
        meta.in_channels,
        meta.out_channels,
        data.roi,
        crops,
        meta.overrides,
    )
    free = _free(device)
    if need is not None and need > FRACTION * free:
        roi = " ".join(str(r) for r in data.roi)
        raise MemoryBoundError(
            f"--roi-size {roi}, --batch-size {data.batch_size}, --samples "
            f"{data.samples_per_volume} ({crops} crops a step, {meta.out_channels} classes, "
            f"--model {meta.network} --size {meta.config}): one training step",
            need,
            free,
        )
