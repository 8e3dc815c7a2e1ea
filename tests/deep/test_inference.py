from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from napari_seg.data.spleen import spleen_unet
from napari_seg.deep.checkpoint import CheckpointMeta, load_checkpoint
from napari_seg.deep.inference import InferenceError, count_windows, predict
from napari_seg.deep.preprocess import from_network_frame, to_network_frame
from napari_seg.io import Geometry
from napari_seg.metrics import overlap_metrics
from napari_seg.progress import Cancelled
from tests._geometry import ORIENTATIONS


def test_tiny_checkpoint_segments_the_spleen(tiny_checkpoint):
    path, ct, geo = tiny_checkpoint
    model, meta = load_checkpoint(path)
    seen = []
    result = predict(
        ct.image,
        geo,
        model,
        meta,
        overlap=0.25,
        progress=lambda d, t: seen.append((d, t)),
        probabilities=True,
        largest=True,
    )
    assert result.labels.shape == ct.image.shape and result.labels.dtype == np.uint8
    dice = overlap_metrics(result.labels, ct.spleen)["labels"]["1"]["dice"]
    assert dice > 0.7
    assert result.probabilities.shape == (2, *ct.image.shape)
    np.testing.assert_allclose(result.probabilities.sum(axis=0), 1.0, atol=1e-4)
    assert seen[-1][0] == seen[-1][1] and len(seen) == seen[-1][1]


@pytest.mark.parametrize("index", [0, 7, 23, 41])
def test_network_frame_roundtrip_in_any_orientation(index):
    geo = Geometry(ORIENTATIONS[index])
    rng = np.random.default_rng(index)
    labels = rng.integers(0, 3, (6, 7, 8))
    onehot = np.eye(3, dtype=np.float32)[labels].transpose(3, 0, 1, 2)
    x, frame = to_network_frame(
        onehot,
        geo,
        orientation="RAS",
        target_spacing=None,
        window=None,
        device=torch.device("cpu"),
    )
    back = from_network_frame(x, frame)
    assert np.array_equal(back.argmax(axis=0), labels)


def test_reorientation_puts_the_image_in_ras(tmp_path):
    # an LPS grid: the network must see the same anatomy as for the RAS grid
    data = np.arange(2 * 3 * 4, dtype=np.float32).reshape(1, 2, 3, 4)
    ras = Geometry(np.diag([1.0, 1.0, 1.0, 1.0]))
    lps_affine = np.diag([-1.0, -1.0, 1.0, 1.0])
    lps = Geometry(lps_affine)
    flipped = data[:, :, ::-1, ::-1].copy()  # the same world content stored LPS
    kw = {
        "orientation": "RAS",
        "target_spacing": None,
        "window": None,
        "device": torch.device("cpu"),
    }
    a, _ = to_network_frame(data, ras, **kw)
    b, _ = to_network_frame(flipped, lps, **kw)
    assert torch.equal(a, b)


def test_image_smaller_than_roi_is_padded(tiny_checkpoint):
    path, _, _ = tiny_checkpoint
    model, meta = load_checkpoint(path)
    small = np.full((5, 9, 11), -1000, np.int16)
    geo = Geometry.from_spacing((5.0, 3.2, 3.2))
    out = predict(small, geo, model, meta, roi_size=(32, 32, 32))
    assert out.labels.shape == (5, 9, 11)


def test_channel_mismatch_is_a_clear_error(tiny_checkpoint):
    path, ct, geo = tiny_checkpoint
    model, meta = load_checkpoint(path)
    with pytest.raises(InferenceError, match="2 channel"):
        predict(np.stack([ct.image, ct.image]), geo, model, meta)


def test_cancel_stops_within_one_window_batch(tiny_checkpoint):
    path, ct, geo = tiny_checkpoint
    model, meta = load_checkpoint(path)
    calls = []

    class Counting(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            calls.append(x.shape[0])
            return self.inner(x)

    n = count_windows((48, 48, 48), (16, 16, 16), 0.5)
    assert n > 8
    stop_after = 2
    with pytest.raises(Cancelled):
        predict(
            ct.image,
            geo,
            Counting(model),
            meta,
            roi_size=(16, 16, 16),
            sw_batch_size=2,
            should_stop=lambda: len(calls) >= stop_after,
        )
    assert len(calls) == stop_after


def test_out_of_memory_falls_back_to_smaller_batches(tiny_checkpoint):
    path, ct, geo = tiny_checkpoint
    model, meta = load_checkpoint(path)

    class OOMAboveOne(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            if x.shape[0] > 1:
                raise torch.cuda.OutOfMemoryError("simulated")
            return self.inner(x)

    out = predict(ct.image, geo, OOMAboveOne(model), meta, sw_batch_size=4, overlap=0.25)
    assert len(out.notes) == 2 and "out of memory" in out.notes[0]
    ref = predict(ct.image, geo, model, meta, sw_batch_size=1, overlap=0.25)
    assert np.array_equal(out.labels, ref.labels)


def test_count_windows_matches_monai():
    """Our progress total equals the number of windows MONAI's own inferer evaluates."""
    from monai.inferers import sliding_window_inference

    for shape, roi, ov in itertools.product(
        [(40, 50, 60), (10, 10, 10), (16, 33, 70)], [(16, 32, 32), (8, 8, 8)], [0.0, 0.25, 0.5]
    ):
        calls = []

        def predictor(batch, calls=calls):
            calls.append(batch.shape[0])
            return batch

        sliding_window_inference(torch.zeros(1, 1, *shape), roi, 1, predictor, overlap=ov)
        assert count_windows(shape, roi, ov) == len(calls), (shape, roi, ov)


def test_default_meta_is_generic_and_the_spleen_unet_is_sample_data(tmp_path):
    generic = CheckpointMeta()
    assert generic.intensity_window is None and generic.target_spacing is None
    assert generic.labels == {"0": "background", "1": "foreground"}
    meta = CheckpointMeta(**spleen_unet())
    model = meta.build()
    assert meta.intensity_window == (-57.0, 164.0) and meta.labels["1"] == "spleen"
    first = next(m for m in model.modules() if isinstance(m, torch.nn.Conv3d))
    assert first.out_channels == 16
    # a plain state dict (MONAI's model-zoo model.pt) is still read as the spleen U-Net,
    # its sidecar overriding key by key
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    assert load_checkpoint(path)[1].intensity_window == (-57.0, 164.0)
    (tmp_path / "model.pt.json").write_text('{"roi_size": [64, 64, 64]}')
    loaded = load_checkpoint(path)[1]
    assert loaded.roi_size == (64, 64, 64) and loaded.target_spacing == (2.0, 1.5, 1.5)


def test_old_largest_component_keyword_warns_and_works():
    import inspect

    from napari_seg.deep.inference import _renamed

    assert "largest" in inspect.signature(predict).parameters  # the clean-up's name
    assert _renamed(False, None) is False
    with pytest.warns(DeprecationWarning, match="'largest_component' is renamed 'largest'"):
        assert _renamed(False, True) is True
