"""Objectives beyond lucent's, composed with lucent's `Objective` algebra.

An objective is a function of a layer accessor `T`; these ones give every batch element
its own target in one tensor operation, so a batch of 64 channels costs one gather,
not 64 Python calls.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from lucent.optvis.objectives import Objective


def channel_means(activations: torch.Tensor) -> torch.Tensor:
    """Mean activation of every channel of every element: (N, C, H, W) or (N, C) → (N, C)."""
    return activations.mean(dim=(2, 3)) if activations.dim() == 4 else activations


def batch_channels(layer: str, channels: Sequence[int]) -> Objective:
    """Element i maximizes the mean of channel `channels[i]` of `layer` (lucent's sign: a loss)."""
    index = torch.as_tensor(list(channels), dtype=torch.long)

    def inner(T) -> torch.Tensor:
        means = channel_means(T(layer))
        own = means.gather(1, index.to(means.device)[:, None])
        return -own.sum()

    return Objective(inner, name=f"{layer}:{list(channels)}", description="per-element channel")
