"""Objectives beyond lucent's, composed with lucent's `Objective` algebra.

An objective is a function of a layer accessor `T`. These give every batch element its
own target in one tensor operation (a batch of 64 channels costs one gather, not 64
Python calls): channel means, centre neurons, negatives, two-channel interpolation
weights, whole-layer dreaming, and a diversity term inside each group of elements.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from lucent.optvis.objectives import Objective

from renderer.plan import BatchPlan


def channel_means(activations: torch.Tensor) -> torch.Tensor:
    """Mean activation of every channel of every element: (N, C, H, W) or (N, C) → (N, C)."""
    return activations.mean(dim=(2, 3)) if activations.dim() == 4 else activations


def target_values(activations: torch.Tensor, plan: BatchPlan) -> torch.Tensor:
    """What each element maximizes, (N,): its weighted channel(s), neuron or whole layer."""
    means = channel_means(activations)
    per_channel = means
    if activations.dim() == 4:
        height, width = activations.shape[2:]
        centre = activations[:, :, height // 2, width // 2]
        per_channel = torch.where(plan.neuron[:, None], centre, means)
    a = per_channel.gather(1, plan.channel_a[:, None])[:, 0]
    b = per_channel.gather(1, plan.channel_b[:, None])[:, 0]
    values = plan.weight_a * a + plan.weight_b * b
    if plan.whole_layer.any():
        energy = activations.flatten(1).pow(2).mean(dim=1)
        values = torch.where(plan.whole_layer, energy, values)
    return values


def group_similarity(activations: torch.Tensor, plan: BatchPlan, members=None) -> torch.Tensor:
    """Per element (N,): mean cosine similarity of its Gram matrix to those of the other
    members of its group (`members`, default: the diversity groups); 0 when alone."""
    members = plan.diverse if members is None else members
    features = activations.flatten(2) if activations.dim() == 4 else activations[:, :, None]
    gram = features @ features.transpose(1, 2) / features.shape[2]
    flat = F.normalize(gram.flatten(1), dim=1)
    similarity = flat @ flat.T
    pairs = (plan.group[:, None] == plan.group[None, :]) & members[:, None] & members[None, :]
    pairs &= ~torch.eye(plan.size, dtype=torch.bool, device=pairs.device)
    return (similarity * pairs).sum(dim=1) / pairs.sum(dim=1).clamp_min(1)


def batch_targets(layer: str, plan: BatchPlan, diversity: float = 1.0) -> Objective:
    """Every element maximizes its own target; diversity groups also push apart.

    The diversity weight is relative to the mean target, so it means the same on any
    layer of any network.
    """

    def inner(T) -> torch.Tensor:
        activations = T(layer)
        values = target_values(activations, plan)
        loss = -values.sum()
        if plan.diverse.any():
            scale = values.detach().abs().mean() * plan.size
            loss = loss + diversity * scale * group_similarity(activations, plan).mean()
        return loss

    return Objective(inner, name=f"{layer}:batch", description="per-element targets")
