"""A batch plan: the specs of one batch, expanded into batch elements.

Most specs are one element. A `diversity` or `interpolate` spec is a group of `count`
elements optimized together; a dream spec's element starts from its photograph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from PIL import Image

from renderer.errors import SpecError
from renderer.spec import PHOTO_OBJECTIVES, RenderSpec
from renderer.zoo import Network

SEED_STRIDE = 7919  # element i of a spec gets seed + i * SEED_STRIDE


@dataclass
class BatchPlan:
    """Per-element tensors (on the network's device) and which spec owns which elements."""

    specs: list[RenderSpec]
    slices: list[slice]
    seeds: list[int]
    channel_a: torch.Tensor
    channel_b: torch.Tensor
    weight_a: torch.Tensor
    weight_b: torch.Tensor
    neuron: torch.Tensor  # bool: centre position instead of the channel mean
    whole_layer: torch.Tensor  # bool: dream on the whole layer
    group: torch.Tensor  # elements of one diversity / interpolation set share a group id
    diverse: torch.Tensor  # bool: element takes part in a diversity penalty
    aligned: torch.Tensor  # bool: interpolation frame sharing its set's low-res tensor
    photos: list[Image.Image | None]

    @property
    def size(self) -> int:
        return len(self.seeds)


def plan_batch(
    network: Network, specs: Sequence[RenderSpec], photos: Mapping[str, Image.Image] | None
) -> BatchPlan:
    """Expand `specs` into batch elements, checking each against the network."""
    rows, slices = [], []
    for group, spec in enumerate(specs):
        _check_against_network(network, spec, photos)
        start = len(rows)
        rows += [_element(spec, i, group, photos) for i in range(spec.count)]
        slices.append(slice(start, len(rows)))
    device = network.device

    def column(key, dtype):
        return torch.tensor([row[key] for row in rows], dtype=dtype, device=device)

    return BatchPlan(
        specs=list(specs),
        slices=slices,
        seeds=[row["seed"] for row in rows],
        channel_a=column("a", torch.long),
        channel_b=column("b", torch.long),
        weight_a=column("wa", torch.float32),
        weight_b=column("wb", torch.float32),
        neuron=column("neuron", torch.bool),
        whole_layer=column("whole", torch.bool),
        group=column("group", torch.long),
        diverse=column("diverse", torch.bool),
        aligned=column("aligned", torch.bool),
        photos=[row["photo"] for row in rows],
    )


def _element(spec: RenderSpec, i: int, group: int, photos) -> dict:
    t = i / (spec.count - 1) if spec.objective == "interpolate" else 0.0
    return {
        "seed": spec.seed + i * SEED_STRIDE,
        "a": spec.channel,
        "b": spec.channel_b if spec.channel_b is not None else spec.channel,
        "wa": -1.0 if spec.objective == "negative" else 1.0 - t,
        "wb": t,
        "neuron": spec.objective == "neuron",
        "whole": spec.objective == "dream-layer",
        "group": group,
        "diverse": spec.objective == "diversity",
        "aligned": spec.objective == "interpolate",
        "photo": photos[spec.photo] if spec.objective in PHOTO_OBJECTIVES else None,
    }


def _check_against_network(network: Network, spec: RenderSpec, photos) -> None:
    if spec.network != network.name:
        raise SpecError("network", f"spec is for {spec.network!r}, network is {network.name!r}")
    layer = network.layer(spec.layer)
    for field in ("channel", "channel_b"):
        value = getattr(spec, field)
        if value is not None and value >= layer.channels:
            raise SpecError(
                field, f"layer {layer.name!r} has {layer.channels} channels, got {value}"
            )
    if spec.objective == "neuron" and layer.kind != "conv":
        raise SpecError("objective", f"neuron needs a spatial layer; {layer.name!r} is not")
    if spec.objective in PHOTO_OBJECTIVES and spec.photo not in (photos or {}):
        raise SpecError("photo", f"photograph {spec.photo[:12]}… was not given to the renderer")
