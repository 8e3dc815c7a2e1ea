"""Deep learning: networks, the checkpoint format, inference and training (torch + MONAI).

The public names below are imported on first use, so ``import napari_seg.deep`` (and
reading NIfTI files) never imports torch::

    from napari_seg.deep import predict, train, finetune, load_checkpoint
    model, meta = load_checkpoint("spleen.safetensors")
    labels = predict(image, geometry, model, meta).labels

``finetune``, ``train`` and ``pretrain`` are modules that can also be called as their
function (``napari_seg.deep.finetune(checkpoint, image, labels, geometry)``).
"""

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "CheckpointError": ("checkpoint", "CheckpointError"),
        "CheckpointMeta": ("checkpoint", "CheckpointMeta"),
        "FinetuneResult": ("finetune", "FinetuneResult"),
        "ModelCache": ("cache", "ModelCache"),
        "Prediction": ("inference", "Prediction"),
        "Protocol": ("config", "Protocol"),
        "TrainConfig": ("config", "TrainConfig"),
        "TrainResult": ("train", "TrainResult"),
        "compare_models": ("compare", "compare_models"),
        "cpu_recipe": ("config", "cpu_recipe"),
        "finetune": ("finetune", None),
        "load_checkpoint": ("checkpoint", "load_checkpoint"),
        "predict": ("inference", "predict"),
        "pretrain": ("pretrain", None),
        "save_checkpoint": ("checkpoint", "save_checkpoint"),
        "select_device": ("device", "select_device"),
        "train": ("train", None),
    },
)
