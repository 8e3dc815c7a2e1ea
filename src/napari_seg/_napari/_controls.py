"""magicgui controls built from the registry's parameter declarations.

Each :class:`~napari_seg.segment.params.Param` becomes one control with its
label (name and unit), range, step, default and tooltip (the help text), so a
widget cannot drift from the command line.
"""

from __future__ import annotations

import math
from typing import Any

from magicgui.widgets import CheckBox, ComboBox, Container, FloatSpinBox, SpinBox, Widget
from qtpy.QtWidgets import QSizePolicy, QWidget

from ..segment.params import Param

__all__ = [
    "NumberTuple",
    "OptionalNumber",
    "control_for",
    "full_width",
    "label_cell",
    "set_tooltips",
]

_BIG = 1e9


class OptionalNumber(Container):
    """A tick box and a spin box: the value is None while unticked (an open bound).

    Whole-number parameters get an integer spin box and value.
    """

    def __init__(self, param: Param, *, start: float) -> None:
        self.enabled_box = CheckBox(value=param.default is not None, text="")
        self._kind = int if param.kind is int else float
        lo = param.low if param.low is not None else -_BIG
        hi = param.high if param.high is not None else _BIG
        if self._kind is int:
            self.number: Widget = SpinBox(
                value=int(start), min=int(lo), max=int(min(hi, 2**31 - 1)),
                step=int(param.step or 1),
            )  # fmt: skip
        else:
            self.number = FloatSpinBox(value=start, min=lo, max=hi, step=param.step or 1.0)
        super().__init__(
            widgets=[self.enabled_box, self.number], layout="horizontal", labels=False
        )
        self.margins = (0, 0, 0, 0)
        self.number.enabled = self.enabled_box.value
        self.enabled_box.changed.connect(lambda v: setattr(self.number, "enabled", v))

    @property
    def value(self) -> float | None:  # type: ignore[override]
        return self._kind(self.number.value) if self.enabled_box.value else None

    @value.setter
    def value(self, v: float | None) -> None:
        self.enabled_box.value = v is not None
        if v is not None:
            self.number.value = v


class NumberTuple(Container):
    """``param.count`` spin boxes in a row, for a fixed-length value such as ``(z, y, x)``.

    Each box has the declared range; the value is a tuple of ``param.kind``.
    """

    def __init__(self, param: Param) -> None:
        self._kind = int if param.kind is int else float
        self.boxes = [_spin_box(param, v) for v in param.default]
        super().__init__(widgets=self.boxes, layout="horizontal", labels=False)
        self.margins = (0, 0, 0, 0)

    @property
    def value(self) -> tuple:  # type: ignore[override]
        return tuple(self._kind(b.value) for b in self.boxes)

    @value.setter
    def value(self, values) -> None:
        if isinstance(values, str):  # "16, 32, 32", as typed in the old text field
            values = [v for v in values.replace(",", " ").split() if v]
        if len(values) != len(self.boxes):
            raise ValueError(f"expected {len(self.boxes)} values, got {values!r}")
        for box, v in zip(self.boxes, values, strict=True):
            box.value = self._kind(v)


#: Starting numbers for optional values (shown greyed out until ticked).
_STARTS = {
    "low": 100.0,
    "high": 300.0,
    "select_near": 120.0,
    "edge_low": 0.7,
    "edge_high": 0.9,
    "seed_radius_mm": 5.0,
    "faces": 20000.0,
}


def _spin_box(param: Param, value: Any, **common: Any) -> Widget:
    """An int or float spin box with the declared range and step."""
    cls = SpinBox if param.kind is int else FloatSpinBox
    lo = param.low if param.low is not None else -_BIG
    hi = param.high if param.high is not None else _BIG
    extra = {"step": param.step} if param.step and cls is FloatSpinBox else {}
    w = cls(value=value, min=lo, max=min(hi, 2**31 - 1), **extra, **common)
    if cls is FloatSpinBox and 0 < lo < 1:  # enough decimals for the bound (lr >= 1e-6)
        w.native.setDecimals(max(w.native.decimals(), math.ceil(-math.log10(lo))))
        w.min, w.value = lo, value
    return w


def control_for(param: Param) -> Widget:
    """The magicgui control for ``param``, with label, range and tooltip."""
    common: dict[str, Any] = {"label": param.label, "name": param.name}
    if param.kind is bool:
        w: Widget = CheckBox(value=bool(param.default), text=param.label, name=param.name)
    elif param.choices is not None:
        choices = ((None,) if param.optional else ()) + tuple(param.choices)
        w = ComboBox(choices=choices, value=param.default, **common)
    elif param.optional:
        w = OptionalNumber(param, start=_STARTS.get(param.name, param.low or 0.0))
        w.name, w.label = param.name, param.label
    elif param.count:
        w = NumberTuple(param)
        w.name, w.label = param.name, param.label
    else:
        w = _spin_box(param, param.default, **common)
    unit = f" ({param.unit})" if param.unit else ""
    w.tooltip = f"{param.help}{unit} [{param.flag}]"
    return w


def set_tooltips(owner: object, tips: dict[str, str]) -> None:
    """Give the controls ``owner.<name>`` their tooltips (controls not from the registry)."""
    for name, text in tips.items():
        getattr(owner, name).tooltip = text


def label_cell(widget: Widget) -> QWidget | None:
    """The label cell magicgui put beside ``widget`` in a labelled container, if any."""
    row = widget.native.parentWidget()
    layout = row.layout() if row is not None else None
    if layout is None or layout.count() != 2 or layout.itemAt(1).widget() is not widget.native:
        return None
    return layout.itemAt(0).widget()


def full_width(*widgets: Widget) -> None:
    """Give unlabelled widgets (tables, status lines) the label column too.

    A labelled magicgui container puts every widget beside a label cell, an empty
    one included, so a table or a status line would start a label's width in.
    Widgets not (yet) in a labelled container are left as they are.
    """
    for widget in widgets:
        cell = label_cell(widget)
        if cell is not None and not widget.label:
            cell.hide()
            # a status line would otherwise shrink to its text and sit in the middle
            widget.native.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
