"""Label editing for interactive correction (numpy in, numpy out; no napari).

Every function takes labels in napari order ``(z, y, x)`` and ``spacing`` in mm,
and returns a new array (never editing its input); long ones take
``progress``/``should_stop``. The napari adapter writes the result back as one
undo step, honouring ``preserve_labels`` and locked labels (:func:`protect`).
"""

from .interpolate import interpolate_slices, signed_distance_mm

__all__ = ["interpolate_slices", "signed_distance_mm"]
