"""A tiny checkpoint trained for a few steps on the synthetic sample (CPU, seconds)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from napari_seg.data.spleen import SPLEEN_LABELS  # noqa: E402
from napari_seg.data.synthetic import make_synthetic_ct  # noqa: E402
from napari_seg.deep.checkpoint import CheckpointMeta, save_checkpoint  # noqa: E402
from napari_seg.deep.preprocess import to_network_frame  # noqa: E402

TINY = CheckpointMeta(
    network="unet",
    config="fast",
    labels=dict(SPLEEN_LABELS),
    intensity_window=(-57.0, 164.0),
    target_spacing=(5.0, 3.2, 3.2),
    roi_size=(32, 32, 32),
    orientation="RAS",
    training={"purpose": "napari-seg tests", "steps": 60},
)


def train_tiny(steps: int = 60, seed: int = 0):
    torch.manual_seed(seed)
    ct = make_synthetic_ct((48, 96, 96), spacing=(5.0, 1.6, 1.6), seed=seed)
    geo = ct.geometry
    kw = {
        "orientation": TINY.orientation,
        "target_spacing": TINY.target_spacing,
        "device": torch.device("cpu"),
    }
    x, _ = to_network_frame(ct.image[None], geo, window=TINY.intensity_window, **kw)
    y, _ = to_network_frame(ct.spleen[None].astype(np.float32), geo, window=None, **kw)
    y = (y > 0.5).long()
    model = TINY.build()
    from monai.losses import DiceCELoss

    loss_fn = DiceCELoss(to_onehot_y=True, softmax=True)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return model.eval(), ct, geo


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    model, ct, geo = train_tiny()
    path = tmp_path_factory.mktemp("ckpt") / "tiny.safetensors"
    save_checkpoint(model, TINY, path)
    return path, ct, geo
