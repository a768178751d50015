"""Temporal networks: a pretrained image network's features per frame, then convolutions
across time (and space), then a head; its atlas layers are those that see several frames.

A clip enters as (N, 3, T, H, W) in [0, 1] (`Network.preprocess` normalizes it). Each
frame goes through the base network up to its layer `cut` (frozen: ImageNet features); the
frames' features are stacked along time and pass through `temporal1`, `temporal2`
(Conv3d 3×3×3, BatchNorm, ReLU; halving space each) whose outputs (N, C, T, h, w) are the
atlas layers of kind "clip", then means over time in a 2×2 grid of the frame and the `logits`.
`save_temporal` writes one checkpoint; `load_network(name, weights=FILE, arch="temporal")`
reads it back.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from renderer.errors import RendererError, WeightsUnavailable
from renderer.layers import LayerInfo, StopForward, capture
from renderer.networks.trained import read_checkpoint
from renderer.zoo import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    RANDOM_WEIGHTS,
    Network,
    file_hash,
    load_network,
    register_architecture,
)

TEMPORAL_ARCH = "temporal"
CHECKPOINT_FORMAT = "neural-atlas-temporal/1"
CHECKPOINT_KEYS = ("format", "base", "cut", "widths", "frames", "labels", "input_size")
DEFAULT_CUT = "block0"  # lite0: 16 channels at half the input's side
DEFAULT_WIDTHS = (48, 64)
CLIP_KIND = "clip"
TEMPORAL_LAYERS = ("temporal1", "temporal2")
POOL_GRID = 2  # the head reads each temporal2 channel's mean in a 2×2 grid


class TemporalNet(nn.Module):
    """Per-frame base features → temporal convolutions → mean → linear head."""

    def __init__(self, base: Network, cut: str, widths: tuple[int, ...], classes: int):
        super().__init__()
        layer = base.layer(cut)
        if layer.kind != "conv":
            raise RendererError(f"the cut layer {cut!r} of {base.name} is not a convolution")
        self.base = base.model
        self.cut_module = layer.module
        blocks, width = [], layer.channels
        for out in widths:
            blocks.append(
                nn.Sequential(
                    nn.Conv3d(width, out, 3, stride=(1, 2, 2), padding=1, bias=False),
                    nn.GroupNorm(8, out),
                    nn.ReLU(inplace=False),
                )
            )
            width = out
        self.temporal1, self.temporal2 = blocks
        # Halves of the frame stay apart: a zoom in moves the left half left and the right
        # half right, which a mean over the whole frame could not tell from a zoom out.
        self.pool = nn.AdaptiveAvgPool3d((1, POOL_GRID, POOL_GRID))
        self.logits = nn.Linear(width * POOL_GRID * POOL_GRID, classes)

    def frame_features(self, clips: torch.Tensor) -> torch.Tensor:
        """(N, 3, T, H, W) normalized → (N, C, T, h, w): the base's cut layer per frame."""
        count, _, frames, height, width = clips.shape
        flat = clips.transpose(1, 2).reshape(count * frames, 3, height, width)
        with capture(self.base, {"cut": self.cut_module}, stop_after="cut") as outputs:
            try:
                self.base(flat)
            except StopForward:
                pass
        features = outputs["cut"]
        return features.reshape(count, frames, *features.shape[1:]).transpose(1, 2)

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        x = self.temporal2(self.temporal1(self.frame_features(clips)))
        return self.logits(self.pool(x).flatten(1))

    def learnable(self) -> list[nn.Parameter]:
        """What training changes: the temporal blocks and the head (the base is frozen)."""
        return [p for name, p in self.named_parameters() if not name.startswith("base.")]

    def train(self, mode: bool = True) -> TemporalNet:
        """The frozen base stays in eval mode (its BatchNorm keeps ImageNet statistics)."""
        super().train(mode)
        self.base.eval()
        return self


def clip_normalizer(mean=IMAGENET_MEAN, std=IMAGENET_STD):
    """Map clips (N, 3, T, H, W) in [0, 1] to the base's input scale."""
    mean_t = torch.tensor(mean).view(1, 3, 1, 1, 1)
    std_t = torch.tensor(std).view(1, 3, 1, 1, 1)

    def preprocess(clips: torch.Tensor) -> torch.Tensor:
        return (clips - mean_t.to(clips.device, clips.dtype)) / std_t.to(clips.device, clips.dtype)

    return preprocess


def build_temporal(
    name: str,
    base: str,
    labels: list[str],
    frames: int,
    input_size: int,
    cut: str = DEFAULT_CUT,
    widths: tuple[int, ...] = DEFAULT_WIDTHS,
    device: str | torch.device = "cpu",
    base_weights: str | None = None,
    weight_hash: str = "untrained",
) -> Network:
    """A temporal network on `base` (its own weights, or `base_weights`), a new head."""
    if len(widths) != len(TEMPORAL_LAYERS):
        raise RendererError(f"a temporal network has {len(TEMPORAL_LAYERS)} temporal layers")
    base_network = load_network(base, weights=base_weights, device="cpu")
    for parameter in base_network.model.parameters():
        parameter.requires_grad_(False)
    model = TemporalNet(base_network, cut, tuple(widths), len(labels)).to(device).eval()
    network = Network(
        name,
        model,
        clip_normalizer(),
        [],
        list(labels),
        weight_hash,
        input_size,
        extra={"base": base, "cut": cut, "widths": list(widths), "frames": frames},
    )
    network.layers = clip_layers(network)
    return network


def clip_layers(network: Network) -> list[LayerInfo]:
    """The atlas layers, read by a dry pass: temporal layers (N, C, T, h, w) and logits."""
    size, frames = network.input_size, network.extra["frames"]
    names = {name: name for name in (*TEMPORAL_LAYERS, "logits")}
    with torch.no_grad(), capture(network.model, names) as outputs:
        network.model(torch.zeros(1, 3, frames, size, size, device=network.device))
    return [
        LayerInfo(name, name, outputs[name].shape[1], CLIP_KIND if name != "logits" else "logits")
        for name in names
    ]


def is_temporal(network: Network) -> bool:
    return "frames" in network.extra


def save_temporal(path: str | Path, network: Network) -> None:
    """Write the checkpoint atomically: the temporal blocks and head, and what rebuilds the
    rest (the base network's name and cut layer)."""
    from renderer.cinema.encode import write_atomically

    state = {k: v.detach().cpu() for k, v in network.model.state_dict().items()}
    checkpoint = {
        "format": CHECKPOINT_FORMAT,
        "base": network.extra["base"],
        "cut": network.extra["cut"],
        "widths": list(network.extra["widths"]),
        "frames": int(network.extra["frames"]),
        "labels": list(network.labels),
        "input_size": int(network.input_size),
        "state_dict": {k: v for k, v in state.items() if not k.startswith("base.")},
    }
    write_atomically(Path(path), lambda temporary: torch.save(checkpoint, temporary))


def read_temporal_checkpoint(path: str | Path) -> dict:
    return read_checkpoint(path, "temporal", CHECKPOINT_FORMAT, (*CHECKPOINT_KEYS, "state_dict"))


@register_architecture(TEMPORAL_ARCH)
def load_temporal(
    name: str, arch: str, weights: str | None, labels: str | None, device: torch.device
) -> Network:
    """A temporal network from its checkpoint (which carries the labels)."""
    if not weights or weights == RANDOM_WEIGHTS:
        raise WeightsUnavailable(f"temporal network {name!r} needs its weights file")
    checkpoint = read_temporal_checkpoint(weights)
    network = build_temporal(
        name,
        checkpoint["base"],
        checkpoint["labels"],
        checkpoint["frames"],
        checkpoint["input_size"],
        cut=checkpoint["cut"],
        widths=tuple(checkpoint["widths"]),
        device=device,
        weight_hash=file_hash(weights),
    )
    missing, unexpected = network.model.load_state_dict(checkpoint["state_dict"], strict=False)
    wrong = [key for key in missing if not key.startswith("base.")] + list(unexpected)
    if wrong:
        raise WeightsUnavailable(f"{weights!r} does not fit its temporal network: {wrong[:5]}")
    for parameter in network.model.parameters():
        parameter.requires_grad_(False)
    return network
