"""Docks under hostile files: a checkpoint header is the file's word, never a crash (§5)."""

from __future__ import annotations

import pytest

from .test_training import _checkpoint, _edit_header


@pytest.mark.parametrize(
    "training",
    [{"val_overlap": "abc"}, {"val_overlap": 1e308}, [1, 2]],
)
def test_unet_dock_reads_a_hostile_header_into_a_status_line(
    make_napari_viewer, tmp_path, training
):
    pytest.importorskip("napari")
    path = _edit_header(_checkpoint(tmp_path / "m.safetensors"), training=training)
    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget("napari-seg", "U-Net")
    widget.checkpoint.value = path  # was EmitLoopError (ValueError/AttributeError in a slot)
    if isinstance(training, dict):
        assert "checkpoint header not used" in widget.status.value
