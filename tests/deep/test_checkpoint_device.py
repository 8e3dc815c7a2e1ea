from __future__ import annotations

import pickle

import pytest
import torch

from napari_seg.deep.cache import ModelCache
from napari_seg.deep.checkpoint import (
    CheckpointError,
    CheckpointMeta,
    load_checkpoint,
    load_weights,
    save_checkpoint,
)
from napari_seg.deep.device import DeviceError, select_device
from napari_seg.deep.networks import NETWORKS, NetworkError, build_network, count_parameters


def test_roundtrip_keeps_weights_and_meta(tmp_path):
    meta = CheckpointMeta(network="unet", config="fast", labels={"0": "bg", "1": "organ"})
    model = meta.build()
    path = save_checkpoint(model, meta, tmp_path / "m.safetensors")
    loaded, back = load_checkpoint(path)
    assert back == meta
    for (k, a), (_, b) in zip(
        model.state_dict().items(), loaded.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), k
    assert not loaded.training


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))  # would create the marker file when unpickled


def test_pickle_payload_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "PWNED"
    path = tmp_path / "evil.pt"
    with open(path, "wb") as f:
        torch.save({"state_dict": {"w": torch.zeros(1)}, "x": _Payload(marker)}, f)
    assert not marker.exists()
    with pytest.raises(CheckpointError, match="refused"):
        load_checkpoint(path)
    assert not marker.exists()
    raw = tmp_path / "raw.pt"
    raw.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(CheckpointError):
        load_checkpoint(raw)
    assert not marker.exists()


def test_plain_state_dict_with_sidecar_json(tmp_path):
    meta = CheckpointMeta(network="unet", config="fast")
    model = meta.build()
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    (tmp_path / "model.pt.json").write_text(meta.to_json())
    loaded, back = load_checkpoint(path)
    assert back.config == "fast" and count_parameters(loaded) == count_parameters(model)


def test_wrong_keys_or_shapes_leave_the_model_unchanged(tmp_path):
    model = build_network("unet", config="fast")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    bad = {k: torch.ones_like(v) for k, v in model.state_dict().items()}
    first = next(iter(bad))
    bad[first] = torch.ones(3, 3)
    with pytest.raises(CheckpointError, match="shape mismatch"):
        load_weights(model, bad, tmp_path / "x")
    bad = {k: torch.ones_like(v) for k, v in model.state_dict().items()}
    bad.pop(first)
    bad["extra.weight"] = torch.ones(1)
    with pytest.raises(CheckpointError, match="missing"):
        load_weights(model, bad, tmp_path / "x")
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k])


def test_unknown_network_config_or_keyword():
    with pytest.raises(NetworkError, match="unknown network"):
        build_network("resnet9000")
    with pytest.raises(NetworkError, match="config"):
        build_network("unet", config="huge")
    with pytest.raises(NetworkError, match="does not take"):
        build_network("unet", config="fast", overrides={"__class__": "os.system"})
    with pytest.raises(CheckpointError, match="unknown metadata"):
        CheckpointMeta.from_json('{"network": "unet", "exec": "rm -rf /"}')


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_every_registered_network_runs_forward_in_fast_config(name):
    model = build_network(name, config="fast", in_channels=2, out_channels=3).eval()
    x = torch.zeros(1, 2, 32, 32, 32)
    with torch.inference_mode():
        assert model(x).shape == (1, 3, 32, 32, 32)


def test_select_device_with_mocked_availability(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert select_device("auto").type == "cpu"
    with pytest.raises(DeviceError, match="CUDA is not available"):
        select_device("cuda")
    with pytest.raises(DeviceError, match="MPS"):
        select_device("mps")
    with pytest.raises(DeviceError, match="unknown device"):
        select_device("tpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert select_device("auto").type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert select_device("auto").type == "cuda"
    assert select_device("cuda:0") == torch.device("cuda:0")
    with pytest.raises(DeviceError, match="only 1"):
        select_device("cuda:3")


def test_model_cache_loads_once_per_checkpoint_and_device(tmp_path):
    meta = CheckpointMeta(network="unet", config="fast")
    path = save_checkpoint(meta.build(), meta, tmp_path / "c.safetensors")
    cache = ModelCache(size=2)
    m1, _, _ = cache.get(path, "cpu")
    m2, _, _ = cache.get(path, "cpu")
    assert m1 is m2 and cache.loads == 1
    with pytest.raises(CheckpointError):
        cache.get(tmp_path / "missing.safetensors", "cpu")
    assert cache.loads == 1


def test_metadata_asking_for_a_huge_network_is_refused_before_allocating(tmp_path):
    """Metadata is checked against the weights on torch's meta device: a 49 TB network
    described by a small file costs nothing to refuse."""
    import time

    from safetensors.torch import save_file

    from napari_seg.deep.checkpoint import CheckpointError, CheckpointMeta, load_checkpoint

    small = build_network("unet", config="standard")
    huge = CheckpointMeta(
        network="unet",
        config="standard",
        overrides={"channels": [16_384, 32_768, 65_536, 131_072, 262_144]},
    )
    path = tmp_path / "bomb.safetensors"
    state = {k: v.contiguous() for k, v in small.state_dict().items()}
    save_file(state, str(path), metadata={"napari_seg": huge.to_json()})
    t0 = time.perf_counter()
    with pytest.raises(CheckpointError, match="do not fit"):
        load_checkpoint(path)
    assert time.perf_counter() - t0 < 10  # generous: building it for real would not finish


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("roi_size", [0, 16, 16], "roi_size"),
        ("target_spacing", [0, 1, 1], "target_spacing"),
        ("intensity_window", [5, 5], "intensity_window"),
        ("in_channels", 10_000, "channels"),
    ],
)
def test_metadata_values_are_bounded(key, value, message):
    import json

    from napari_seg.deep.checkpoint import CheckpointError, CheckpointMeta

    text = json.dumps({"network": "unet", key: value})
    with pytest.raises(CheckpointError, match=message):
        CheckpointMeta.from_json(text)
