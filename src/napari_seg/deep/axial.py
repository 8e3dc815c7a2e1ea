"""A 3-D U-Net with position-sensitive axial self-attention in its coarse levels.

After Axial-DeepLab (Wang et al., ECCV 2020): a 3-D self-attention is factorised
into three 1-D attentions, along depth, then height, then width. Each one is
position-sensitive: learned relative-position embeddings enter the queries'
and keys' similarities and the values,

    y_o = sum_p softmax_p(q_o.k_p + q_o.r^q_(p-o) + k_p.r^k_(p-o)) (v_p + r^v_(p-o)),

with p running over the whole axis through o. After the three sub-layers every
voxel sees every other voxel of the feature map. MONAI conventions: channel-first
tensors ``(B, C, D, H, W)``, ``spatial_dims=3``; the convolutional parts are
MONAI's ``ResidualUnit`` and ``Convolution``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from monai.networks.blocks import Convolution, ResidualUnit
from torch import nn

__all__ = ["AxialAttention", "AxialBlock", "AxialUNet"]


class AxialAttention(nn.Module):
    """Multi-head self-attention along one spatial axis, with relative positions.

    Parameters
    ----------
    channels : int
        Feature channels (divisible by ``heads``).
    heads : int
        Attention heads.
    axis : {2, 3, 4}
        The attended axis of a ``(B, C, D, H, W)`` tensor (2: D, 3: H, 4: W).
    span : int
        Longest relative distance with its own embedding; farther pairs share the
        embedding of distance ``span - 1`` (axes up to ``span`` long are exact).
    """

    def __init__(self, channels: int, heads: int, axis: int, span: int) -> None:
        super().__init__()
        if channels % heads:
            raise ValueError(
                f"axial attention: {channels} channels do not split into {heads} heads"
            )
        if axis not in (2, 3, 4):
            raise ValueError(f"axial attention: axis {axis} is not 2, 3 or 4 (D, H, W)")
        self.heads, self.axis, self.span = heads, axis, max(int(span), 1)
        self.dim = channels // heads
        self.qkv = nn.Conv1d(channels, 3 * channels, 1, bias=False)
        # relative-position tables for q, k and v: one row per distance -(span-1)..span-1
        self.rel = nn.Parameter(torch.randn(3, 2 * self.span - 1, self.dim) * self.dim**-0.5)

    def _relative(self, length: int, device: torch.device) -> torch.Tensor:
        pos = torch.arange(length, device=device)
        dist = (pos[None, :] - pos[:, None]).clamp(-(self.span - 1), self.span - 1)
        return self.rel[:, dist + self.span - 1]  # (3, L, L, dim): [i, j] is p=j seen from o=i

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, D, H, W)`` in, same shape out."""
        others = [a for a in (2, 3, 4) if a != self.axis]
        moved = x.permute(0, *others, 1, self.axis)  # (B, o1, o2, C, L)
        b, o1, o2, c, length = moved.shape
        flat = moved.reshape(b * o1 * o2, c, length)
        q, k, v = self.qkv(flat).reshape(-1, 3, self.heads, self.dim, length).unbind(1)
        rq, rk, rv = self._relative(length, x.device).unbind(0)
        logits = (
            torch.einsum("nhdi,nhdj->nhij", q, k)
            + torch.einsum("nhdi,ijd->nhij", q, rq)
            + torch.einsum("nhdj,ijd->nhij", k, rk)
        ) / math.sqrt(self.dim)
        attn = logits.softmax(dim=-1)
        out = torch.einsum("nhij,nhdj->nhdi", attn, v) + torch.einsum("nhij,ijd->nhdi", attn, rv)
        out = out.reshape(b, o1, o2, c, length)
        inverse = [0] * 5
        for i, a in enumerate((0, *others, 1, self.axis)):
            inverse[a] = i
        return out.permute(*inverse).contiguous()


class AxialBlock(nn.Module):
    """Residual block: 1x1x1 conv, attention along D, H, W in turn, 1x1x1 conv, plus input."""

    def __init__(self, channels: int, heads: int, spans: Sequence[int]) -> None:
        super().__init__()
        self.pre = nn.Sequential(
            nn.Conv3d(channels, channels, 1, bias=False), nn.GroupNorm(1, channels)
        )
        self.attend = nn.Sequential(
            *(
                AxialAttention(channels, heads, axis, span)
                for axis, span in zip((2, 3, 4), spans, strict=True)
            )
        )
        self.post = nn.Sequential(nn.GroupNorm(1, channels), nn.Conv3d(channels, channels, 1))
        self.act = nn.PReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(x + self.post(self.attend(self.pre(x))))


class AxialUNet(nn.Module):
    """U-Net whose coarsest ``attention_levels`` levels add an :class:`AxialBlock`.

    Parameters
    ----------
    spatial_dims : int
        Must be 3 (MONAI's keyword, kept for a uniform registry).
    in_channels, out_channels : int
        Image channels and classes (background included).
    channels : sequence of int
        Features per level, finest first.
    strides : sequence of int
        Downsampling factor between consecutive levels (``len(channels) - 1`` values).
    num_res_units : int
        Sub-units of each MONAI ``ResidualUnit``.
    heads : int
        Attention heads of every axial layer.
    attention_levels : int
        How many of the coarsest levels (the bottleneck first) carry axial attention.
    img_size : sequence of int
        Training patch ``(D, H, W)``; sets each level's relative-position span.
    norm : str
        MONAI norm name of the convolutional units.
    """

    def __init__(
        self,
        spatial_dims: int = 3,
        in_channels: int = 1,
        out_channels: int = 2,
        channels: Sequence[int] = (8, 16, 32),
        strides: Sequence[int] = (2, 2),
        num_res_units: int = 1,
        heads: int = 2,
        attention_levels: int = 1,
        img_size: Sequence[int] = (32, 32, 32),
        norm: str = "batch",
    ) -> None:
        super().__init__()
        if spatial_dims != 3:
            raise ValueError("axialunet is 3-D: spatial_dims must be 3")
        if len(strides) != len(channels) - 1 or len(img_size) != 3:
            raise ValueError(
                "axialunet: need len(strides) == len(channels) - 1 and 3 img_size values"
            )
        if not 0 <= attention_levels <= len(channels):
            raise ValueError(f"axialunet: attention_levels must be 0..{len(channels)}")
        unit = dict(spatial_dims=3, subunits=max(num_res_units, 1), norm=norm)
        self.down = nn.ModuleList()
        self.attn = nn.ModuleList()
        scale = 1
        for i, c in enumerate(channels):
            stride = 1 if i == 0 else strides[i - 1]
            scale *= stride
            self.down.append(
                ResidualUnit(
                    in_channels=in_channels if i == 0 else channels[i - 1],
                    out_channels=c,
                    strides=stride,
                    **unit,
                )
            )
            coarse = i >= len(channels) - attention_levels
            spans = [max(1, math.ceil(s / scale)) for s in img_size]
            self.attn.append(AxialBlock(c, heads, spans) if coarse else nn.Identity())
        self.up = nn.ModuleList()
        self.merge = nn.ModuleList()
        for i in range(len(channels) - 2, -1, -1):
            self.up.append(
                Convolution(
                    3,
                    channels[i + 1],
                    channels[i],
                    strides=strides[i],
                    kernel_size=3,
                    is_transposed=True,
                    norm=norm,
                )
            )
            self.merge.append(
                ResidualUnit(
                    in_channels=2 * channels[i], out_channels=channels[i], strides=1, **unit
                )
            )
        self.head = Convolution(3, channels[0], out_channels, kernel_size=1, conv_only=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, in_channels, D, H, W)`` to logits ``(B, out_channels, D, H, W)``."""
        skips = []
        for down, attn in zip(self.down, self.attn, strict=True):
            x = attn(down(x))
            skips.append(x)
        x = skips.pop()
        for up, merge in zip(self.up, self.merge, strict=True):
            skip = skips.pop()
            x = up(x)
            if x.shape[2:] != skip.shape[2:]:  # odd sizes: crop the transposed conv's output
                x = x[..., : skip.shape[2], : skip.shape[3], : skip.shape[4]]
            x = merge(torch.cat([x, skip], dim=1))
        return self.head(x)
