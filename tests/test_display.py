"""Clinical display conventions (core, no napari): orientation, edge letters, readout, settings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from napari_seg.display import edge_letters, format_position, screen_orientation
from napari_seg.settings import Settings, load_settings, save_settings, update_settings

S, A, R = 0, 1, 2
DEFAULT = ("towards", "down", "right")


def _handedness(orientation, displayed=(S, A, R)) -> int:
    """+1 for a view that is a rotation of the patient, -1 for a mirror image.

    The patient's (R, A, S) frame is right-handed, and so is the screen's (right, up,
    towards the viewer); in 2-D the depth axis is the slice axis.
    """
    axes = list(displayed) if len(displayed) == 3 else [3 - sum(displayed), *displayed]
    signs = {"towards": 1, "away": -1, "up": 1, "down": -1, "right": 1, "left": -1}
    screen = np.zeros((3, 3))  # rows: towards, up, right; columns: R, A, S
    for row, (axis, direction) in enumerate(zip(axes, orientation, strict=True)):
        screen[row, 2 - axis] = signs[direction]
    return int(np.sign(np.linalg.det(screen[::-1])))  # rows right, up, towards


@pytest.mark.parametrize(
    ("plane", "convention", "letters"),
    [
        ((A, R), "radiological", {"top": "A", "bottom": "P", "left": "R", "right": "L"}),
        ((S, R), "radiological", {"top": "S", "bottom": "I", "left": "R", "right": "L"}),
        ((S, A), "radiological", {"top": "S", "bottom": "I", "left": "A", "right": "P"}),
        ((A, R), "neurological", {"top": "A", "bottom": "P", "left": "L", "right": "R"}),
        ((S, R), "neurological", {"top": "S", "bottom": "I", "left": "L", "right": "R"}),
        ((S, A), "neurological", {"top": "S", "bottom": "I", "left": "A", "right": "P"}),
    ],
)
def test_planes_read_as_slicer_shows_them(plane, convention, letters):
    orientation = screen_orientation(plane, convention=convention)
    assert edge_letters(plane, orientation[1:]) == letters
    assert _handedness(orientation, plane) == 1  # never a mirror image of the patient


def test_transposed_plane_keeps_positive_ends_up_and_left():
    orientation = screen_orientation((R, A))  # the user swapped the displayed axes
    assert edge_letters((R, A), orientation[1:]) == {
        "top": "R", "bottom": "L", "left": "A", "right": "P"
    }  # fmt: skip
    assert _handedness(orientation, (R, A)) == 1


def test_3d_orientations_are_rotations():
    for convention in ("radiological", "neurological"):
        assert _handedness(screen_orientation((S, A, R), convention=convention)) == 1
    assert screen_orientation((S, A, R)) == ("away", "up", "left")  # from the feet
    assert screen_orientation((S, A, R), convention="neurological")[0] == "towards"  # the head


def test_napari_default_is_a_mirror_of_an_ras_world():
    """Why the depth is not a parity against napari's default: that one is a mirror."""
    assert _handedness(DEFAULT) == -1


def test_axes_without_anatomy_keep_napari_default():
    assert screen_orientation((None, None)) == DEFAULT
    assert edge_letters((None, None), ("down", "right")) == {}
    # a time axis shown against an anatomical one: only the anatomical edge is lettered
    assert edge_letters((None, R), ("down", "left")) == {"left": "R", "right": "L"}


def test_bad_display_arguments():
    with pytest.raises(ValueError, match="display convention"):
        screen_orientation((A, R), convention="upside-down")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="2 or 3"):
        screen_orientation((A,))
    with pytest.raises(ValueError, match="finite"):
        format_position((np.nan, 0, 0))


def test_position_readout():
    assert format_position((12.34, -40.06, 55.0)) == "R 12.3  A -40.1  S 55.0 mm"
    assert format_position((1, 2, 3), unit="µm", value="7 HU") == "R 1.0  A 2.0  S 3.0 µm  |  7 HU"


def test_settings_kept_between_sessions(tmp_path, monkeypatch):
    monkeypatch.setenv("NAPARI_SEG_CONFIG_DIR", str(tmp_path))
    assert load_settings() == Settings()  # nothing saved yet
    update_settings(display_convention="neurological", orientation_markers=False)
    assert load_settings() == Settings("neurological", False, True)
    saved = json.loads((tmp_path / "settings.json").read_text())
    assert saved["display_convention"] == "neurological"


@pytest.mark.parametrize(
    "text", ["{", "[]", '{"display_convention": "sideways"}', '{"orientation_markers": "yes"}']
)
def test_damaged_settings_give_defaults(tmp_path, monkeypatch, text):
    monkeypatch.setenv("NAPARI_SEG_CONFIG_DIR", str(tmp_path))
    (tmp_path / "settings.json").write_text(text)
    assert load_settings() == Settings()


def test_invalid_settings_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("NAPARI_SEG_CONFIG_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="display_convention"):
        save_settings(Settings(display_convention="sideways"))
