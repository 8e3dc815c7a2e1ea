"""A small registry of MONAI 3-D segmentation networks, each with "fast" and "standard" configs.

Networks are built from a name plus plain keyword values (ints, floats,
strings, lists) checked against the registry: a checkpoint's JSON can choose a
network and its sizes, but never names a class or code to run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from monai.networks import nets

from .axial import AxialUNet

__all__ = ["NETWORKS", "NetworkError", "NetworkSpec", "build_network", "count_parameters"]


class NetworkError(ValueError):
    """Unknown network name, config, or keyword."""


@dataclass(frozen=True)
class NetworkSpec:
    """How to build one architecture: its MONAI class and preset keyword sets."""

    factory: Callable[..., torch.nn.Module]
    configs: dict[str, dict[str, Any]]
    allowed: frozenset[str] = field(default_factory=frozenset)


NETWORKS: dict[str, NetworkSpec] = {
    # MONAI's spleen tutorial U-Net: channels 16..256, strides 2, 2 residual units, batch norm
    "unet": NetworkSpec(
        nets.UNet,
        {
            "standard": {
                "channels": [16, 32, 64, 128, 256],
                "strides": [2, 2, 2, 2],
                "num_res_units": 2,
                "norm": "batch",
            },
            "fast": {
                "channels": [8, 16, 32],
                "strides": [2, 2],
                "num_res_units": 1,
                "norm": "batch",
            },
        },
        frozenset(
            {
                "channels",
                "strides",
                "num_res_units",
                "norm",
                "dropout",
                "kernel_size",
                "up_kernel_size",
                "act",
            }
        ),
    ),
    "segresnet": NetworkSpec(
        nets.SegResNet,
        {
            "standard": {"init_filters": 16, "blocks_down": [1, 2, 2, 4], "blocks_up": [1, 1, 1]},
            "fast": {"init_filters": 8, "blocks_down": [1, 1, 1], "blocks_up": [1, 1]},
        },
        frozenset({"init_filters", "blocks_down", "blocks_up", "dropout_prob", "norm"}),
    ),
    "attentionunet": NetworkSpec(
        nets.AttentionUnet,
        {
            "standard": {"channels": [16, 32, 64, 128, 256], "strides": [2, 2, 2, 2]},
            "fast": {"channels": [8, 16, 32], "strides": [2, 2]},
        },
        frozenset({"channels", "strides", "kernel_size", "up_kernel_size", "dropout"}),
    ),
    # a U-Net with position-sensitive axial attention (Axial-DeepLab) in the coarse levels
    "axialunet": NetworkSpec(
        AxialUNet,
        {
            "standard": {
                "channels": [16, 32, 64, 128, 256],
                "strides": [2, 2, 2, 2],
                "num_res_units": 2,
                "heads": 4,
                "attention_levels": 2,
                "img_size": [96, 96, 96],
            },
            "fast": {
                "channels": [8, 16, 32],
                "strides": [2, 2],
                "num_res_units": 1,
                "heads": 2,
                "attention_levels": 1,
                "img_size": [32, 32, 32],
            },
        },
        frozenset(
            {
                "channels",
                "strides",
                "num_res_units",
                "heads",
                "attention_levels",
                "img_size",
                "norm",
            }
        ),
    ),
    "basicunet": NetworkSpec(
        nets.BasicUNet,
        {
            "standard": {"features": [32, 32, 64, 128, 256, 32]},
            "fast": {"features": [8, 8, 16, 32, 64, 8]},
        },
        frozenset({"features", "act", "norm", "dropout", "upsample"}),
    ),
    "unetr": NetworkSpec(
        nets.UNETR,
        {
            "standard": {
                "img_size": [96, 96, 96],
                "feature_size": 16,
                "hidden_size": 768,
                "mlp_dim": 3072,
                "num_heads": 12,
            },
            "fast": {
                "img_size": [32, 32, 32],
                "feature_size": 8,
                "hidden_size": 96,
                "mlp_dim": 192,
                "num_heads": 4,
            },
        },
        frozenset(
            {
                "img_size",
                "feature_size",
                "hidden_size",
                "mlp_dim",
                "num_heads",
                "dropout_rate",
                "norm_name",
            }
        ),
    ),
}


def build_network(
    name: str,
    *,
    in_channels: int = 1,
    out_channels: int = 2,
    config: str = "standard",
    overrides: dict[str, Any] | None = None,
) -> torch.nn.Module:
    """Build a registered 3-D network.

    Parameters
    ----------
    name : str
        A key of :data:`NETWORKS` (``unet``, ``segresnet``, ``attentionunet``,
        ``axialunet``, ``basicunet``, ``unetr``).
    in_channels, out_channels : int
        Image channels (modalities) and classes (including background).
    config : {"standard", "fast"}
        Preset sizes; "fast" is small enough for CPU tests.
    overrides : dict, optional
        Plain values replacing preset keywords; only the keys the registry
        allows for this network are accepted.

    Raises
    ------
    NetworkError
        Unknown name, config or keyword, or a keyword value that is not plain data.
    """
    spec = NETWORKS.get(name)
    if spec is None:
        raise NetworkError(f"unknown network {name!r}; choose one of {sorted(NETWORKS)}")
    if config not in spec.configs:
        raise NetworkError(f"unknown config {config!r} for {name}; choose {sorted(spec.configs)}")
    kwargs = dict(spec.configs[config])
    for key, value in (overrides or {}).items():
        if key not in spec.allowed:
            raise NetworkError(f"{name} does not take {key!r} (allowed: {sorted(spec.allowed)})")
        if not _plain(value):
            raise NetworkError(f"{name}.{key} must be plain data, got {type(value).__name__}")
        kwargs[key] = value
    return spec.factory(
        spatial_dims=3, in_channels=in_channels, out_channels=out_channels, **kwargs
    )


def _plain(value: Any) -> bool:
    if isinstance(value, bool | int | float | str) or value is None:
        return True
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return False


def count_parameters(model: torch.nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
