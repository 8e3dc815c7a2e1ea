"""Train widget: train one network (or compare several) on a Decathlon task, with live curves."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import napari
from magicgui.widgets import (
    CheckBox,
    ComboBox,
    FileEdit,
    FloatSpinBox,
    LineEdit,
    TextEdit,
)
from superqt.utils import ensure_main_thread

from ...deep.config import NETWORK_NAMES, DataConfig, Protocol, TrainConfig, model_names
from ...ops import get
from .._band_plot import BandPlot
from .._controls import control_for, set_tooltips
from .._curves import CurvePlot, import_plotting
from .._docks import DockFrame
from .._registry import trained_checkpoints
from .._tasks import reports_errors


class TrainWidget(DockFrame):
    """Dock widget: pick a task and a model; loss and validation Dice update every epoch."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(viewer, run="Train")
        self.task = FileEdit(mode="d", label="task folder")
        self.out = FileEdit(mode="d", label="output folder")
        self.model = ComboBox(choices=NETWORK_NAMES, value="unet", label="model")
        self.compare = CheckBox(value=False, text="compare several models")
        self.models = LineEdit(value="unet,axialunet", label="models")
        self.arm = ComboBox(choices=("budget", "steps"), value="budget", label="arm")
        self.budget = FloatSpinBox(value=60.0, min=1.0, max=1e7, step=10.0, label="budget")
        self.seeds = LineEdit(value=",".join(map(str, Protocol().seeds)), label="seeds")
        self.match_size = CheckBox(value=False, text="add a size-matched U-Net")
        t = TrainConfig()  # the CLI's defaults, from the same dataclass
        train = get("train")  # limits, defaults and tooltips as `napari-seg train` declares
        self.size = control_for(train.param("size"))
        self.epochs = control_for(train.param("epochs"))
        folds = (*(str(k) for k in range(t.n_folds)), "all")
        self.fold = ComboBox(choices=folds, value=str(t.fold), label="fold")
        self.lr = control_for(train.param("lr"))
        self.lr.label = "learning rate"
        self.device = ComboBox(
            choices=("auto", "cpu", "cuda", "mps"), value=t.device, label="device"
        )
        self.roi = control_for(train.param("roi_size"))
        self.spacing = control_for(train.param("spacing"))
        self.lay_out(
            [self.task, self.out, self.model, self.compare, self.models, self.arm, self.budget,
             self.seeds, self.match_size, self.size, self.epochs, self.fold, self.lr, self.device,
             self.roi, self.spacing]
        )  # fmt: skip
        self.plot, self.bands = CurvePlot(viewer), BandPlot(viewer)
        self.report = TextEdit(value="")  # the comparison's table and verdict, when it ends
        self.report.native.setReadOnly(True)
        for w in (self.plot.widget, self.bands.widget, self.report.native):
            self.native.layout().addWidget(w)
        set_tooltips(
            self,
            {
                "task": "A Decathlon task folder (dataset.json, imagesTr/, labelsTr/).",
                "out": "Receives best.safetensors, last.pt and metrics.json.",
                "model": "The network from the registry.",
                "compare": "Compare models under one protocol: same split, data, loss and "
                "budget, several seeds, paired statistics against the U-Net.",
                "models": "Comma-separated model names to compare.",
                "arm": "budget: equal training seconds per run (1 thread); steps: equal "
                "optimizer steps.",
                "budget": "Seconds of training (budget arm) or optimizer steps (steps arm).",
                "seeds": "Comma-separated seeds; every model runs each one.",
                "match_size": "Also train a U-Net within 15 % of the challenger's parameters.",
                "fold": "Validation fold of the labelled cases; all: train and validate on "
                "every case (a task with one labelled case needs it).",
                "device": "auto: CUDA, then Apple MPS, then the CPU.",
                "run_button": "Train in the background; curves update every epoch.",
                "cancel_button": "Stop after the current iteration.",
            },
        )
        self.compare.changed.connect(self._show_relevant)
        self.task.changed.connect(self._task_chosen)
        self._show_relevant()

    def _show_relevant(self) -> None:
        on = self.compare.value
        for w in (self.models, self.arm, self.budget, self.seeds, self.match_size, self.report):
            w.visible = on
        self.model.visible = self.epochs.visible = not on
        self.plot.widget.setVisible(not on)
        self.bands.widget.setVisible(on)
        self.run_button.text = "Compare" if on else "Train"

    def protocol(self) -> Protocol:
        """The comparison protocol the controls describe."""
        try:
            seeds = tuple(int(v) for v in self.seeds.value.split(",") if v.strip())
        except ValueError:
            raise ValueError(f"seeds: {self.seeds.value!r} is not a list like 0,1,2") from None
        budget = self.budget.value
        arm = {"steps": int(budget)} if self.arm.value == "steps" else {"budget_s": budget}
        return Protocol(seeds=seeds, match_size=self.match_size.value, **arm)

    def _task_chosen(self, *_: object) -> None:
        """A task with fewer than two labelled cases can only train with fold "all"."""
        labels = Path(self.task.value) / "labelsTr"
        if not labels.is_dir():
            return
        names = [p.name for p in labels.iterdir() if not p.name.startswith("._")]
        if len([n for n in names if n.endswith((".nii", ".nii.gz"))]) < 2:
            self.fold.value = "all"

    def config_for(self, model: str) -> TrainConfig:
        roi, spacing = self.roi.value, self.spacing.value  # ranges from the declarations
        return TrainConfig(
            model=model,
            size=self.size.value,
            epochs=self.epochs.value,
            fold="all" if self.fold.value == "all" else int(self.fold.value),
            lr=self.lr.value,
            device=self.device.value,
            data=DataConfig(roi=roi, target_spacing=spacing),
        )

    @reports_errors
    def run(self, *_: object) -> None:
        """Train (or compare) in a worker; curves update as epochs finish."""
        task, out = Path(self.task.value), Path(self.out.value)
        if not (task / "dataset.json").is_file():
            raise ValueError(
                f"choose a Decathlon task folder (with dataset.json); {task} is not one"
            )
        if out.exists() and not out.is_dir():
            raise ValueError(f"the output folder {out} is a file")
        self.plot.clear()
        if self.compare.value:
            names, protocol = model_names(self.models.value), self.protocol()
            protocol.arms()
            self.bands.clear()
            self.report.value = ""
            cfg = self.config_for(names[0])
            fn = partial(_compare_models, task, out, names, cfg, protocol, on_point=self._point)
            self.start(fn, description="compare", on_result=self._compared)
        else:
            name = self.model.value
            fn = partial(
                _train, task, out, self.config_for(name), on_epoch=lambda r: self._record(name, r)
            )
            self.start(fn, description=f"train {name}", on_result=self._trained)

    @ensure_main_thread
    def _record(self, model: str, record: dict) -> None:
        self.plot.add(model, record)

    @ensure_main_thread
    def _point(self, job, point: dict) -> None:
        self.bands.add_point(job.label, job.cfg.seed, point)

    @property
    def axes(self):
        return self.plot.axes

    @property
    def figure(self):
        return self.plot.figure

    def _trained(self, result) -> str:
        if result.best_checkpoint is None:
            return "done (no checkpoint: no validation ran)"
        trained_checkpoints.add(result.best_checkpoint)
        return f"best checkpoint: {result.best_checkpoint}"

    def _compared(self, content: dict) -> str:
        out = Path(self.out.value)
        for row in next(iter(content["arms"].values()))["models"].values():
            trained_checkpoints.add(Path(row["per_run"][0]["checkpoint"]))  # first seed's net
        self.report.native.setMarkdown((out / "compare.md").read_text(encoding="utf-8"))
        verdicts = [c["verdict"] for arm in content["arms"].values() for c in arm["comparisons"]]
        return "; ".join(verdicts) or f"wrote {out / 'compare.md'}"


def _train(*args, **kwargs):
    """Runs in the worker: torch, MONAI and matplotlib load there, not when the dock opens."""
    from ...deep.train import train

    import_plotting()
    return train(*args, **kwargs)


def _compare_models(*args, **kwargs):
    from ...deep.compare import compare_models

    import_plotting()
    return compare_models(*args, **kwargs)
