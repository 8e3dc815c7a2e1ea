"""One optimisation step and the model placement shared by training and fine-tuning."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psutil
import torch
from monai.inferers import sliding_window_inference
from monai.metrics import DiceMetric
from monai.networks.utils import one_hot

from .._errors import one_line

__all__ = [
    "VAL_OVERLAP",
    "TrainingError",
    "check_step",
    "loader_errors",
    "peak_mb",
    "place_model",
    "train_step",
    "validate",
]

#: Sliding-window overlap of validation; recorded in checkpoints as the overlap "as trained".
VAL_OVERLAP = 0.25


class TrainingError(ValueError):
    """A training or fine-tune that cannot go on (its loss or its data failed)."""


def check_step(
    epoch: int,
    n: int,
    loss: float,
    *,
    expected: int | None = None,
    errors: list[BaseException] | None = None,
) -> None:
    """Stop a run whose loss is not finite, or whose loader ended early (``expected`` steps).

    A data-loader thread that dies (out of memory) ends the loop without an error, which
    would look like a finished epoch with loss 0 and write an untrained checkpoint.
    ``errors`` are the exceptions :func:`loader_errors` caught in such threads: the
    first one is named (and chained, for ``--debug``).
    """
    if not math.isfinite(loss):
        raise TrainingError(
            f"epoch {epoch + 1}: the loss became {loss} at step {n}; stopped, nothing saved "
            "for this epoch (lower --lr, or check the images for NaN)"
        )
    if expected is not None and n < expected:
        cause = errors[0] if errors else None
        text = "" if cause is None else one_line(cause)
        memory = cause is None or isinstance(cause, MemoryError) or "allocate" in text
        reason = "out of memory?" if cause is None else "out of memory" if memory else text
        raise TrainingError(
            f"epoch {epoch + 1}: the data loader stopped after {n} of {expected} batches "
            f"({reason}); lower --batch-size, --samples or --roi-size"
        ) from cause


@contextmanager
def loader_errors() -> Iterator[list[BaseException]]:
    """Catch the exceptions of threads that die inside the block (a data loader's).

    Their tracebacks (and MONAI's dump of a batch it failed to collate) stay off the
    terminal; the list is handed to :func:`check_step`, which names the first in its
    one line. A thread error that did not stop the loader goes to the usual hook when
    the block ends.
    """
    caught, errors = [], []

    def hook(args) -> None:
        caught.append(args)
        if args.exc_value is not None:
            errors.append(args.exc_value)

    previous, threading.excepthook = threading.excepthook, hook
    dump = logging.getLogger("dev_collate")  # MONAI logs a failed batch's tensors (pages)
    quiet, dump.disabled = dump.disabled, True
    try:
        yield errors
    finally:
        threading.excepthook, dump.disabled = previous, quiet
    for args in caught:  # the loader ran to the end: not ours to hide
        previous(args)


def place_model(model: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """Move to ``device``; on the CPU use channels-last 3-D (1.6x faster steps, same math)."""
    model = model.to(device)
    return model.to(memory_format=torch.channels_last_3d) if device.type == "cpu" else model


def train_step(net, opt, loss_fn, scaler, batch, device: torch.device, *, amp: bool) -> float:
    """One optimisation step on a batch ``{"image", "label"}``; returns the loss."""
    fmt = torch.channels_last_3d if device.type == "cpu" else torch.contiguous_format
    x = batch["image"].to(device).contiguous(memory_format=fmt)
    y = batch["label"].to(device)
    opt.zero_grad(set_to_none=True)
    with torch.autocast(device.type, enabled=amp):
        loss = loss_fn(net(x), y)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    return float(loss.detach())


def validate(model, loader, roi, device, amp) -> tuple[float, list[float], list[bool]]:
    """Mean validation Dice, each foreground class's Dice, and whether the model predicts it."""
    metric = DiceMetric(include_background=False, reduction="mean")
    predicted = None
    model.eval()
    with torch.inference_mode(), torch.autocast(device.type, enabled=amp):
        for batch in loader:
            x, y = batch["image"].to(device), batch["label"].to(device)
            logits = sliding_window_inference(x, roi, 4, model, overlap=VAL_OVERLAP)
            k = logits.shape[1]
            pred = one_hot(logits.argmax(1, keepdim=True), k)
            metric(pred, one_hot(y.long(), k))
            seen = pred.sum(dim=(0, *range(2, pred.ndim)))[1:] > 0
            predicted = seen if predicted is None else predicted | seen
    model.train()
    per_class = metric.aggregate(reduction="mean_batch").reshape(-1)
    flags = [] if predicted is None else [bool(v) for v in predicted.tolist()]
    return float(metric.aggregate().item()), [float(v) for v in per_class.tolist()], flags


def peak_mb(device: torch.device) -> float:
    """Peak memory of the run so far in MiB: CUDA allocations, else the process RSS."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return psutil.Process().memory_info().rss / 2**20
