"""Figures stored beside a still: objective values and the target's rank in its layer.

Rank compares the still's channel means z-scored per channel against the same channels on
unoptimized starting images: 1 means the still excites its own channel more, relative to
each channel's usual range, than any other channel of the layer (for a `negative` still:
suppresses it more than any other).
"""

from __future__ import annotations

import torch

from renderer.objectives import channel_means, group_similarity, target_values
from renderer.plan import BatchPlan

BASELINE_IMAGES = 8


def channel_baseline(start_means: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and spread of (N, C) channel means on starting images."""
    mean = start_means.mean(dim=0)
    spread = start_means.std(dim=0, unbiased=False)
    floor = spread.mean() * 1e-2 + 1e-6  # near-constant channels must not dominate the ranking
    return mean, spread.clamp_min(floor)


def still_figures(
    final_activations: torch.Tensor, plan: BatchPlan, baseline: tuple[torch.Tensor, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Per element (N,): objective, channel A and B means, z-score and rank of channel A,
    and the mean Gram similarity to the other images of its set."""
    means = channel_means(final_activations).float()
    zscores = (means - baseline[0]) / baseline[1]
    sign = torch.where(plan.weight_a < 0, -1.0, 1.0)[:, None]
    own_z = zscores.gather(1, plan.channel_a[:, None])
    ones = torch.ones_like(plan.diverse)
    return {
        "objective": target_values(final_activations.float(), plan),
        "objective_a": means.gather(1, plan.channel_a[:, None])[:, 0],
        "objective_b": means.gather(1, plan.channel_b[:, None])[:, 0],
        "zscore": own_z[:, 0],
        "rank": (sign * zscores > sign * own_z).sum(dim=1) + 1,
        "similarity": group_similarity(final_activations.float(), plan, members=ones),
    }
