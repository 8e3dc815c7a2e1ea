"""axialunet: each axial sub-layer attends along exactly its axis; checkpoints round-trip."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from napari_seg.deep.axial import AxialAttention, AxialBlock
from napari_seg.deep.checkpoint import CheckpointMeta, load_checkpoint, save_checkpoint
from napari_seg.deep.inference import predict
from napari_seg.io import Geometry

SHAPE = (5, 6, 7)  # D, H, W all different, so a wrong axis cannot pass by symmetry
CENTRE = (2, 3, 4)


def _influence(layer: torch.nn.Module) -> np.ndarray:
    """Which input voxels change the output at CENTRE: |d out[CENTRE] / d x| > 0."""
    torch.manual_seed(0)
    x = torch.randn(1, 4, *SHAPE, requires_grad=True)
    layer(x)[0, :, CENTRE[0], CENTRE[1], CENTRE[2]].sum().backward()
    return (x.grad.abs().sum(1)[0] > 0).numpy()


@pytest.mark.parametrize("axis", [2, 3, 4])
def test_one_axial_layer_sees_exactly_the_line_along_its_axis(axis):
    layer = AxialAttention(4, heads=2, axis=axis, span=8)
    expected = np.zeros(SHAPE, bool)
    index = list(CENTRE)
    index[axis - 2] = slice(None)
    expected[tuple(index)] = True
    assert np.array_equal(_influence(layer), expected)


def test_the_three_layers_together_see_the_whole_volume():
    block = AxialBlock(4, heads=2, spans=(8, 8, 8))
    assert _influence(block.attend).all()  # D, H, W in turn (no norm layer spreading it)
    first_two = torch.nn.Sequential(*list(block.attend)[:2])
    seen = _influence(first_two)  # D then H: the plane through CENTRE at its W
    assert seen[:, :, CENTRE[2]].all() and seen.sum() == SHAPE[0] * SHAPE[1]


def test_relative_positions_make_it_position_sensitive():
    layer = AxialAttention(4, heads=1, axis=4, span=8)
    with torch.no_grad():
        layer.qkv.weight.zero_()  # no content: only the position tables can vary the output
        layer.rel.normal_()
    x = torch.ones(1, 4, 1, 1, 6)
    out = layer(x)[0, :, 0, 0]
    assert not torch.allclose(out[:, 0], out[:, 3])


def test_axialunet_checkpoint_round_trip_and_inference(tmp_path):
    meta = CheckpointMeta(
        network="axialunet",
        config="fast",
        overrides={"img_size": [16, 32, 32]},
        target_spacing=None,
        roi_size=(16, 32, 32),
    )
    torch.manual_seed(1)
    model = meta.build()
    path = save_checkpoint(model, meta, tmp_path / "axial.safetensors")
    loaded, back = load_checkpoint(path)
    assert back == meta
    a, b = model.state_dict(), loaded.state_dict()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    image = np.random.default_rng(0).normal(size=(20, 40, 36)).astype(np.float32)
    out = predict(image, Geometry.from_spacing((2.0, 1.0, 1.0)), loaded, back)
    assert out.labels.shape == image.shape
    x = torch.randn(1, 1, 16, 32, 32)
    with torch.inference_mode():
        assert torch.allclose(model.eval()(x), loaded(x))


def test_axialunet_fine_tunes_on_a_correction(tmp_path):
    from napari_seg.data.synthetic import make_synthetic_ct
    from napari_seg.deep.finetune import finetune

    meta = CheckpointMeta(
        network="axialunet", config="fast", overrides={"img_size": [16, 32, 32]},
        target_spacing=(5.0, 3.2, 3.2), roi_size=(16, 32, 32),
    )  # fmt: skip
    torch.manual_seed(0)
    path = save_checkpoint(meta.build(), meta, tmp_path / "axial.safetensors")
    ct = make_synthetic_ct((24, 48, 48), spacing=(5.0, 3.2, 3.2), seed=0)
    geo = Geometry.from_spacing(ct.spacing)
    result = finetune(path, ct.image, ct.spleen.astype(np.uint8), geo, steps=2, device="cpu")
    _, back = load_checkpoint(result.checkpoint)
    assert back.network == "axialunet" and len(result.losses) == 2
