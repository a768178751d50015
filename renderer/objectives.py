"""Objectives beyond lucent's, composed with lucent's `Objective` algebra.

An objective is a function of a layer accessor `T`. These give every batch element its
own target in one tensor operation (a batch of 64 channels costs one gather, not 64
Python calls): channel means, centre neurons, negatives, two-channel interpolation
weights, whole-layer dreaming, and a diversity term inside each group of elements.

What the optimizer raises is a channel's activity above its usual level (`excess`), not
its plain mean: in a dense layer such as EfficientNet's stem (biases near the middle of
ReLU6's range) an edge detector's mean moves only with the image's mean colour, so its
stills were flat colour fields; its excess rewards the places where it fires.

The excess is rectified (activity below the level counts a tenth) for pattern channels
only. A colour channel (one a flat field of some colour drives nearly as hard as any
pattern, see `is_colour_channel`) is raised on its plain mean above the level: rectified, it
paid for contrast, and its stills grew the starting image's faint low-frequency blotches
into regions of its colour and of the complement.
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
    """What each element's figures report, (N,): its weighted channel mean(s), neuron or
    whole-layer energy."""
    return _weighted_targets(activations, plan, lambda maps, channel, sign: maps * sign)


EXCESS_SLOPE = 0.1  # weight of activity below the usual level (0 would stall grey starts)
COLOUR_CHANNEL = 0.3  # flat-field share of the strongest response from which a channel
# is a colour channel: EfficientNet-Lite0's stem has edge channels at 0.00–0.01, its
# colour and darkness channels at 0.34–1.00; block4 and deeper stay below 0.15 (sampled)


def is_colour_channel(flat_share: float) -> bool:
    """Whether a channel whose strongest response to a flat colour field is `flat_share`
    of its strongest response to any pattern (NaN: unknown, a silent unit) is a colour
    channel, raised on its plain mean rather than rectified."""
    return flat_share >= COLOUR_CHANNEL


def excess_values(
    activations: torch.Tensor, plan: BatchPlan, levels: torch.Tensor, colour: torch.Tensor
) -> torch.Tensor:
    """What each element's optimization raises, (N,): its channel's activity beyond the
    channel's usual level `levels` (C,), as a mean over positions (the centre position
    for a neuron), leaky rectified at the level (`EXCESS_SLOPE`) unless the channel is a
    colour channel (`colour`, (C,) bool); below the level for a negative weight.
    Whole-layer dreams raise the layer's energy as in `target_values`.
    """

    def excess(maps: torch.Tensor, channel: torch.Tensor, sign: torch.Tensor) -> torch.Tensor:
        level = levels[channel].view(sign.shape)
        above = (maps - level) * sign
        return torch.where(
            colour[channel].view(sign.shape), above, F.leaky_relu(above, EXCESS_SLOPE)
        )

    return _weighted_targets(activations, plan, excess)


def _weighted_targets(activations: torch.Tensor, plan: BatchPlan, response) -> torch.Tensor:
    """Σ |weight| × `response(maps, channel, sign of weight)` over positions, for channels
    A and B of every element; the layer's energy for whole-layer elements."""
    values = torch.zeros(plan.size, device=activations.device)
    for channel, weight in ((plan.channel_a, plan.weight_a), (plan.channel_b, plan.weight_b)):
        maps = _channel_maps(activations, channel)
        sign = torch.sign(weight).view((-1,) + (1,) * (maps.dim() - 1))
        values = values + weight.abs() * _over_positions(response(maps, channel, sign), plan)
    if plan.whole_layer.any():
        energy = activations.flatten(1).pow(2).mean(dim=1)
        values = torch.where(plan.whole_layer, energy, values)
    return values


def _channel_maps(activations: torch.Tensor, channels: torch.Tensor) -> torch.Tensor:
    """Each element's own channel: (N, H, W) of (N, C, H, W), or (N,) of (N, C)."""
    index = channels.view(-1, 1, *[1] * (activations.dim() - 2))
    index = index.expand(-1, 1, *activations.shape[2:])
    return activations.gather(1, index)[:, 0]


def _over_positions(maps: torch.Tensor, plan: BatchPlan) -> torch.Tensor:
    """(N, H, W) → (N,): the mean, or the centre for neuron elements; (N,) as it is."""
    if maps.dim() == 1:
        return maps
    height, width = maps.shape[1:]
    return torch.where(plan.neuron, maps[:, height // 2, width // 2], maps.mean(dim=(1, 2)))


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


def batch_targets(
    layer: str, plan: BatchPlan, levels: torch.Tensor, colour: torch.Tensor, diversity: float = 1.0
) -> Objective:
    """Every element raises its own target above its channel's usual level (`levels`;
    `colour` marks colour channels, see `excess_values`); diversity groups also push apart.

    The diversity weight is relative to the mean target, so it means the same on any
    layer of any network.
    """

    def inner(T) -> torch.Tensor:
        activations = T(layer)
        values = excess_values(activations, plan, levels, colour)
        loss = -values.sum()
        if plan.diverse.any():
            scale = values.detach().abs().mean() * plan.size
            loss = loss + diversity * scale * group_similarity(activations, plan).mean()
        return loss

    return Objective(inner, name=f"{layer}:batch", description="per-element targets")


def direction_cossim(
    layer: str, directions: torch.Tensor, cossim_pow: float = 4.0, floor: float = 0.1
) -> Objective:
    """Element n raises the layer along `directions[n]` (N, C) at every position, as
    Activation Atlas renders its cells: the dot product with the unit direction times the
    cosine similarity (at least `floor`) to the power `cossim_pow`, averaged over
    positions. The cosine keeps the image on the direction itself, not on whatever
    activation is largest along it."""
    unit = F.normalize(directions.float(), dim=1)

    def inner(T) -> torch.Tensor:
        activations = T(layer).float()
        if activations.dim() == 2:
            activations = activations[:, :, None, None]
        dot = torch.einsum("nchw,nc->nhw", activations, unit)
        cosine = dot / (activations.norm(dim=1) + 1e-4)
        return -(dot * cosine.clamp_min(floor) ** cossim_pow).mean(dim=(1, 2)).sum()

    return Objective(inner, name=f"{layer}:directions", description="direction × cosine^pow")
