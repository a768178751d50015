"""Figures stored beside a still: the objective value and the target's rank in its layer.

Rank compares the still's channel means z-scored per channel against the same channels on
unoptimized starting images: 1 means the still excites its own channel more, relative to
each channel's usual range, than any other channel of the layer.
"""

from __future__ import annotations

import torch

from renderer.objectives import channel_means

BASELINE_IMAGES = 8


def channel_baseline(start_means: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and spread of (N, C) channel means on starting images."""
    mean = start_means.mean(dim=0)
    spread = start_means.std(dim=0, unbiased=False)
    floor = spread.mean() * 1e-2 + 1e-6  # near-constant channels must not dominate the ranking
    return mean, spread.clamp_min(floor)


def still_figures(
    final_activations: torch.Tensor,
    channels: torch.Tensor,
    baseline: tuple[torch.Tensor, torch.Tensor],
) -> dict[str, torch.Tensor]:
    """Objective, z-score and rank of each element's own channel, as tensors (N,)."""
    means = channel_means(final_activations).float()
    zscores = (means - baseline[0]) / baseline[1]
    index = channels[:, None]
    own_z = zscores.gather(1, index)
    return {
        "objective": means.gather(1, index)[:, 0],
        "zscore": own_z[:, 0],
        "rank": (zscores > own_z).sum(dim=1) + 1,
    }
