"""Clinical display conventions: screen directions, edge letters and the position readout.

World space is RAS+ in mm, and napari's world axes are the RAS axes reversed:
``(z, y, x) = (S, A, R)``. No napari import here; :mod:`napari_seg._napari._anatomy`
applies the results to a viewer's camera and canvas.

Conventions (as 3D Slicer and ITK-SNAP show them):

* **radiological** (default): axial with anterior up and the patient's right on the
  screen's left (seen from the feet); coronal with superior up and the patient's right
  on the left (seen from the front); sagittal with superior up and anterior on the left.
* **neurological**: the same, but the patient's right on the screen's right in the
  axial and coronal planes (seen from the head and from behind).

Any displayed plane follows one rule, so a rolled or transposed view stays anatomical:
the vertical screen axis points towards the positive (S, A or R) end, the horizontal
one towards the left (towards the right for R in the neurological convention), and the
depth axis is chosen so that the 3-D view is a rotation of the patient, never a mirror
image.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

__all__ = [
    "CONVENTIONS",
    "Convention",
    "edge_letters",
    "format_position",
    "screen_orientation",
]

Convention = Literal["radiological", "neurological"]
CONVENTIONS: tuple[Convention, ...] = ("radiological", "neurological")

#: Letter of the positive end of each napari world axis of an anatomical layer, and its opposite.
_POSITIVE = ("S", "A", "R")
_NEGATIVE = ("I", "P", "L")
#: napari's own default orientation: (depth, vertical, horizontal).
_DEFAULT = ("towards", "down", "right")


def _check(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ValueError(f"display convention must be one of {CONVENTIONS}, got {convention!r}")


def screen_orientation(
    displayed: Sequence[int | None], *, convention: Convention = "radiological"
) -> tuple[str, str, str]:
    """napari camera orientation ``(depth, vertical, horizontal)`` for the displayed axes.

    Parameters
    ----------
    displayed : sequence of int or None, length 2 or 3
        For each displayed world axis in napari's order (2-D: vertical, horizontal;
        3-D: depth, vertical, horizontal), its anatomical axis (0 = S, 1 = A, 2 = R) or
        None when it has no anatomical meaning (time, a plain array's axis).
    convention : {"radiological", "neurological"}
        The display convention.

    Returns
    -------
    tuple of str
        ``(depth, vertical, horizontal)`` for ``camera.orientation``; in 2-D the last
        two are ``camera.orientation2d`` and the depth keeps the view right-handed.
        Axes without anatomical meaning keep napari's default direction.

    Examples
    --------
    >>> screen_orientation((1, 2))  # axial plane seen from the feet: anterior up, right left
    ('away', 'up', 'left')
    >>> screen_orientation((1, 2), convention="neurological")  # seen from the head
    ('towards', 'up', 'right')
    """
    _check(convention)
    if len(displayed) not in (2, 3):
        raise ValueError(f"need 2 or 3 displayed axes, got {len(displayed)}")
    vertical, horizontal = displayed[-2:]
    v = "up" if vertical is not None else _DEFAULT[1]
    if horizontal is None:
        h = _DEFAULT[2]
    else:
        h = "right" if (convention == "neurological" and horizontal == 2) else "left"
    return (_depth(displayed, v, h), v, h)


def _depth(displayed: Sequence[int | None], vertical: str, horizontal: str) -> str:
    """The depth direction that makes the view a rotation of the patient (RAS+ is right-handed).

    The screen frame (right, up, towards the viewer) is right-handed, so the map from
    the patient's (R, A, S) axes to it must have determinant +1. napari's own default
    (towards, down, right) is a mirror image of an RAS+ world, so the depth cannot be
    read off a parity against it. In 2-D the depth axis is the slice axis.
    """
    axes = list(displayed)
    if len(axes) == 2 and None not in axes and axes[0] != axes[1]:
        axes = [3 - sum(axes), *axes]  # type: ignore[arg-type]  # the slice axis: 0+1+2 = 3
    if None in axes or len(set(axes)) != 3:
        return _DEFAULT[0]  # no anatomical frame to keep
    depth, vert, horiz = axes
    screen = np.zeros((3, 3))  # rows: right, up, towards; columns: R, A, S
    screen[0, 2 - horiz] = 1.0 if horizontal == "right" else -1.0
    screen[1, 2 - vert] = 1.0 if vertical == "up" else -1.0
    screen[2, 2 - depth] = 1.0
    return "towards" if np.linalg.det(screen) > 0 else "away"


def edge_letters(displayed: Sequence[int | None], orientation2d: Sequence[str]) -> dict[str, str]:
    """Letters at the canvas edges for a 2-D view, e.g. ``{"top": "A", "left": "R", ...}``.

    Parameters
    ----------
    displayed : sequence of int or None, length 2
        Anatomical axis (0 = S, 1 = A, 2 = R) of the vertical and horizontal screen
        axes, or None.
    orientation2d : sequence of str, length 2
        The camera's ``orientation2d`` (``"up"``/``"down"``, ``"left"``/``"right"``).

    Returns
    -------
    dict
        Keys ``top``, ``bottom``, ``left``, ``right``; an edge whose axis has no
        anatomical meaning is left out.
    """
    vertical, horizontal = displayed
    letters: dict[str, str] = {}
    if vertical is not None:
        near, far = _POSITIVE[vertical], _NEGATIVE[vertical]
        up = str(orientation2d[0]) == "up"
        letters["top"], letters["bottom"] = (near, far) if up else (far, near)
    if horizontal is not None:
        near, far = _POSITIVE[horizontal], _NEGATIVE[horizontal]
        left = str(orientation2d[1]) == "left"
        letters["left"], letters["right"] = (near, far) if left else (far, near)
    return letters


def format_position(ras: Sequence[float], *, unit: str = "mm", value: str | None = None) -> str:
    """A world position as clinicians read it: ``"R 12.3  A -40.1  S 55.0 mm"``.

    Parameters
    ----------
    ras : sequence of 3 floats
        World position ``(R, A, S)`` in ``unit``.
    unit : str
        Unit of the coordinates (``"mm"``, ``"µm"``).
    value : str, optional
        The value under the cursor, already formatted (``"45 HU"``); appended after ``|``.
    """
    r, a, s = (float(c) for c in ras)
    if not np.all(np.isfinite((r, a, s))):
        raise ValueError(f"position must be finite, got {tuple(ras)}")
    text = f"R {r:.1f}  A {a:.1f}  S {s:.1f} {unit}"
    return f"{text}  |  {value}" if value else text
