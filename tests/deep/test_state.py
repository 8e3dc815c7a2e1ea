"""``last.pt``: what a resumed run reads back (weights-only loading)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from napari_seg.deep.state import load_state, save_state  # noqa: E402


def test_numpy_numbers_do_not_break_resuming(tmp_path):
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu", enabled=False)
    history = [{"step": 1, "val_dice": 0.5}]
    save_state(tmp_path / "last.pt", model, opt, scaler, np.int64(7), history, np.float64(0.75))
    restored, epoch, best = load_state(tmp_path / "last.pt", model, opt, scaler)
    assert (restored, epoch, best) == (history, 7, 0.75)
    assert type(epoch) is int and type(best) is float
