"""Measuring film frames with the network itself."""

import av
import numpy as np
import torch

from renderer.cinema.params import noise_images
from renderer.figures import channel_baseline
from renderer.layers import capture, forward_until

SIZE = (64, 48)


def film(*shots, **overrides) -> dict:
    """A tiny film spec on efficientnet-lite0 (64×48, 4 fps, few steps)."""
    return {
        "network": "efficientnet-lite0",
        "size": list(SIZE),
        "fps": 4,
        "first_steps": 48,
        "steps": 4,
        "shots": list(shots),
        **overrides,
    }


def decode(path) -> list[np.ndarray]:
    """Every frame of a video file, as (H, W, 3) uint8 arrays."""
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def channel_means(network, layer_name: str, frames: list[np.ndarray]) -> torch.Tensor:
    """(N, C) mean activation of every channel of `layer_name` on each frame."""
    layer = network.layer(layer_name)
    batch = torch.stack([torch.from_numpy(f).permute(2, 0, 1).float() / 255 for f in frames])
    with torch.no_grad(), capture(network.model, {layer.name: layer.module}, layer.name) as acts:
        forward_until(network.model, network.preprocess(batch))
    return acts[layer.name].mean(dim=(2, 3))


def rank_of(network, layer_name: str, channel: int, frame: np.ndarray) -> int:
    """1 when `frame` excites `channel` more, relative to its usual range on noise, than
    any other channel of the layer (as the figures of a still)."""
    height, width = frame.shape[:2]
    starts = noise_images("fourier", 1000, 8, height, width, "cpu")
    starts = [(s.permute(1, 2, 0).numpy() * 255).astype(np.uint8) for s in starts]
    mean, spread = channel_baseline(channel_means(network, layer_name, starts))
    z = (channel_means(network, layer_name, [frame])[0] - mean) / spread
    return int((z > z[channel]).sum()) + 1


def mean_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean() / 255)


def detail_energy(frame: np.ndarray) -> float:
    """Mean squared response of a Laplacian filter on the frame's grey levels: the energy
    of its finest detail (a blur lowers it, sharpening raises it)."""
    grey = frame.astype(np.float32).mean(axis=-1) / 255
    laplacian = (
        4 * grey[1:-1, 1:-1] - grey[:-2, 1:-1] - grey[2:, 1:-1] - grey[1:-1, :-2] - grey[1:-1, 2:]
    )
    return float((laplacian**2).mean())
