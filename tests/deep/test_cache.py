"""One model cache with a pluggable key: file stat (docks, commands) or SHA-256 (batch)."""

from __future__ import annotations

import os
import shutil

import pytest

torch = pytest.importorskip("torch")

from napari_seg.deep.cache import ModelCache, content_key, file_key  # noqa: E402
from napari_seg.deep.checkpoint import CheckpointMeta, save_checkpoint  # noqa: E402


@pytest.fixture
def ckpts(tmp_path):
    meta = CheckpointMeta(network="unet", config="fast")
    torch.manual_seed(0)
    a = save_checkpoint(meta.build(), meta, tmp_path / "a.safetensors")
    torch.manual_seed(1)
    b = save_checkpoint(meta.build(), meta, tmp_path / "b.safetensors")
    return a, b


def test_content_key_shares_copies_and_sees_a_replaced_file(ckpts, tmp_path):
    a, b = ckpts
    copy = shutil.copy(a, tmp_path / "copy.safetensors")
    by_file, by_content = ModelCache(size=4), ModelCache(size=4, key=content_key)
    for cache in (by_file, by_content):
        cache.get(a, "cpu")
        cache.get(copy, "cpu")
    assert (by_file.loads, by_content.loads) == (2, 1)
    # same size and mtime, other bytes: only the content key notices
    stat = os.stat(a)
    shutil.copy(b, a)
    os.utime(a, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert file_key(a) == file_key(a) and os.stat(a).st_size == stat.st_size
    old, _, _ = by_file.get(a, "cpu")
    new, _, _ = by_content.get(a, "cpu")
    assert by_file.loads == 2 and by_content.loads == 2
    assert not torch.equal(next(old.parameters()), next(new.parameters()))


def test_least_recently_used_goes_first(ckpts):
    a, b = ckpts
    cache = ModelCache(size=1)
    cache.get(a, "cpu")
    cache.get(b, "cpu")
    cache.get(a, "cpu")
    assert cache.loads == 3
    with pytest.raises(ValueError, match="at least 1"):
        ModelCache(size=0)


def test_batch_workers_use_the_one_cache_with_the_content_key():
    from napari_seg.batch import case

    assert isinstance(case._MODELS, ModelCache) and case._MODELS.key is content_key
    assert case.model_loads() == case._MODELS.loads


def test_batch_case_loads_the_unet_once(ckpts, tmp_path):
    import numpy as np

    from napari_seg.batch import case
    from napari_seg.io import Geometry, load_nifti, save_nifti

    meta = CheckpointMeta(network="unet", config="fast", roi_size=(16, 16, 16))
    path = save_checkpoint(meta.build(), meta, tmp_path / "small.safetensors")
    image = save_nifti(np.zeros((8, 16, 16), np.float32), Geometry(np.eye(4)), tmp_path / "i.nii")
    before = case.model_loads()
    for n in range(2):
        out = tmp_path / f"out{n}.nii.gz"
        info = case.segment_case(
            image, out, method="unet", unet={"checkpoint": path, "device": "cpu"}
        )
        assert load_nifti(out).data.shape == (8, 16, 16)
    assert info["model_loads"] == case.model_loads() == before + 1
