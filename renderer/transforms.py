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


def robustness_transform(
    images: torch.Tensor, seeds: torch.Tensor, step: int, min_side: int = 0
) -> torch.Tensor:
    """Pad with grey, then jitter, scale and rotate each element by its own random draw.

    The warp samples its output at `min_side` pixels on the shorter side when the padded
    image is smaller (see `upsample_to`), in the same bilinear pass.
    """
    batch, _, height, width = images.shape
    padded = F.pad(images, (PAD, PAD, PAD, PAD), value=0.5)
    size = height + 2 * PAD
    out_height, out_width = upsampled_shape(size, width + 2 * PAD, min_side)
    draws = [hashed_uniform(seeds, step, stream) for stream in range(4)]
    scale = SCALE_RANGE[0] + (SCALE_RANGE[1] - SCALE_RANGE[0]) * draws[0]
    angle = (draws[1] * 2 - 1) * math.radians(ROTATE_DEGREES)
    shift = (torch.stack(draws[2:], dim=1) * 2 - 1) * (2 * JITTER / size)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    ).to(images.dtype)
    grid = F.affine_grid(theta, [batch, 3, out_height, out_width], align_corners=False)
    return F.grid_sample(padded, grid, padding_mode="border", align_corners=False)


def upsampled_shape(height: int, width: int, min_side: int) -> tuple[int, int]:
    """(height, width) scaled up, aspect kept, so the shorter side is at least `min_side`."""
    shorter = min(height, width)
    if shorter >= min_side:
        return height, width
    return round(height * min_side / shorter), round(width * min_side / shorter)


def upsample_to(images: torch.Tensor, min_side: int) -> torch.Tensor:
    """Images smaller than a network's input, enlarged to it (bilinear, aspect kept).

    A network recognises objects at the scale it was trained on: a 128 px still fed as
    it is shows its objects at about half that scale (lucent does the same, silently).
    """
    shape = upsampled_shape(images.shape[-2], images.shape[-1], min_side)
    if shape == tuple(images.shape[-2:]):
        return images
    return F.interpolate(images, size=shape, mode="bilinear", align_corners=False)


def apply_transforms(
    kind: str, images: torch.Tensor, seeds: torch.Tensor, step: int, min_side: int = 0
) -> torch.Tensor:
    """The transform set a spec names: "standard" or "none"; the result is at least
    `min_side` pixels on its shorter side."""
    if kind == "none":
        return upsample_to(images, min_side)
    return robustness_transform(images, seeds, step, min_side)


def random_backgrounds(seeds: torch.Tensor, step: int, size: int) -> torch.Tensor:
    """A random flat colour per element and step, for optimizing transparency."""
    colour = torch.stack([hashed_uniform(seeds, step, 10 + c) for c in range(3)], dim=1)
    return colour[:, :, None, None].expand(-1, -1, size, size)
