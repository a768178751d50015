"""Random transforms for transformation robustness, drawn per batch element on the device.

Lucid's standard set (pad, jitter, scale, rotate, jitter) becomes one pad and one affine
warp per element. The random numbers come from a counter-based hash of (seed, step), so
they cost no host work, need no device transfer, and a still does not depend on its
batch neighbours.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

PAD = 12
JITTER = 12  # pixels: Lucid's jitter(8) then jitter(4), combined
SCALE_RANGE = (0.9, 1.1)
ROTATE_DEGREES = 10.0
_MASK_53 = (1 << 53) - 1


def hashed_uniform(seeds: torch.Tensor, step: int, stream: int) -> torch.Tensor:
    """Uniform numbers in [0, 1), one per seed, a pure function of (seed, step, stream)."""
    x = seeds.to(torch.int64) * 0x9E3779B1 + step * 0x85EBCA77 + stream * 0xC2B2AE3D
    for multiplier in (0x7FEB352D, 0x846CA68B, 0x5BD1E995):
        x = (x ^ ((x >> 16) & 0xFFFFFFFFFFFF)) * multiplier
        x = x & _MASK_53
    return (x & 0xFFFFFF).to(torch.float32) / float(1 << 24)


def robustness_transform(images: torch.Tensor, seeds: torch.Tensor, step: int) -> torch.Tensor:
    """Pad with grey, then jitter, scale and rotate each element by its own random draw."""
    batch, _, height, width = images.shape
    padded = F.pad(images, (PAD, PAD, PAD, PAD), value=0.5)
    size = height + 2 * PAD
    draws = [hashed_uniform(seeds, step, stream) for stream in range(4)]
    scale = SCALE_RANGE[0] + (SCALE_RANGE[1] - SCALE_RANGE[0]) * draws[0]
    angle = (draws[1] * 2 - 1) * math.radians(ROTATE_DEGREES)
    shift = (torch.stack(draws[2:], dim=1) * 2 - 1) * (2 * JITTER / size)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    ).to(images.dtype)
    grid = F.affine_grid(theta, [batch, 3, size, width + 2 * PAD], align_corners=False)
    return F.grid_sample(padded, grid, padding_mode="border", align_corners=False)


def apply_transforms(
    kind: str, images: torch.Tensor, seeds: torch.Tensor, step: int
) -> torch.Tensor:
    """The transform set a spec names: "standard" or "none"."""
    if kind == "none":
        return images
    return robustness_transform(images, seeds, step)


def random_backgrounds(seeds: torch.Tensor, step: int, size: int) -> torch.Tensor:
    """A random flat colour per element and step, for optimizing transparency."""
    colour = torch.stack([hashed_uniform(seeds, step, 10 + c) for c in range(3)], dim=1)
    return colour[:, :, None, None].expand(-1, -1, size, size)
