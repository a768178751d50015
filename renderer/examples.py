"""Dataset examples: which images excite each channel most (and least), and where.

One forward pass per batch of images serves every layer asked for (forward hooks through
`layers.capture`, stopped after the deepest one). For each image and channel it keeps the
spatial maximum and minimum and their positions; `RunningExtremes` merges batch after
batch into the top-k and bottom-k of a whole corpus, so a corpus can be read in pieces
(resumably) and grown later. Images are squashed to the network's square input: the
positions, as fractions of the image, hold for the original frame whatever its aspect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from renderer.layers import capture, forward_until
from renderer.zoo import Network

MIN_BOX = 0.2  # the smallest crop box, as a fraction of the frame's side
BOX_CELLS = 4  # a box spans this many cells of the feature grid (a receptive field, roughly)


@dataclass(frozen=True)
class LayerReading:
    """One batch through one layer: per image and channel, (N, C) each."""

    maxima: torch.Tensor
    max_positions: torch.Tensor  # flat index into the (H, W) grid
    minima: torch.Tensor
    min_positions: torch.Tensor
    grid: tuple[int, int]


def images_to_batch(images: Sequence[Image.Image], network: Network) -> torch.Tensor:
    """PIL images as an (N, 3, S, S) tensor in [0, 1] at the network's input size S."""
    size = network.input_size
    arrays = [
        np.asarray(image.convert("RGB").resize((size, size), Image.BILINEAR)) for image in images
    ]
    batch = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float() / 255.0
    return batch.to(network.device)


@torch.no_grad()
def read_layers(
    network: Network, batch: torch.Tensor, layer_names: Sequence[str]
) -> dict[str, LayerReading]:
    """Spatial maxima and minima (and where) of every channel of `layer_names`, for a batch
    of images in [0, 1] (N, 3, S, S), in one forward pass that stops after the last layer."""
    infos = [network.layer(name) for name in layer_names]
    deepest = max(infos, key=lambda info: [layer.name for layer in network.layers].index(info.name))
    modules = {info.name: info.module for info in infos}
    with capture(network.model, modules, stop_after=deepest.name) as outputs:
        forward_until(network.model, network.preprocess(batch))
        return {info.name: _reading(outputs[info.name]) for info in infos}


def _reading(output: torch.Tensor) -> LayerReading:
    output = output.float()
    if output.dim() == 2:  # logits: one value per image, the whole frame its "position"
        zeros = torch.zeros_like(output, dtype=torch.long)
        return LayerReading(output, zeros, output, zeros, (1, 1))
    if output.dim() == 5:  # a temporal layer: the whole clip (time and space) in one row
        n, c = output.shape[:2]
        flat = output.reshape(n, c, -1)
        maxima, max_positions = flat.max(dim=2)
        minima, min_positions = flat.min(dim=2)
        return LayerReading(maxima, max_positions, minima, min_positions, (1, flat.shape[2]))
    n, c, h, w = output.shape
    flat = output.reshape(n, c, h * w)
    maxima, max_positions = flat.max(dim=2)
    minima, min_positions = flat.min(dim=2)
    return LayerReading(maxima, max_positions, minima, min_positions, (h, w))


def crop_box(position: int, grid: tuple[int, int]) -> tuple[float, float, float, float]:
    """(left, top, width, height), fractions of the frame, of a box centred on feature-grid
    cell `position` (flat index) and about `BOX_CELLS` cells wide, inside the frame."""
    rows, columns = grid
    row, column = divmod(int(position), columns)
    width = min(1.0, max(MIN_BOX, BOX_CELLS / columns))
    height = min(1.0, max(MIN_BOX, BOX_CELLS / rows))
    left = min(max((column + 0.5) / columns - width / 2, 0.0), 1.0 - width)
    top = min(max((row + 0.5) / rows - height / 2, 0.0), 1.0 - height)
    return (left, top, width, height)


class RunningExtremes:
    """The top-k and bottom-k of every channel of one layer, over the batches merged so far.

    Each side holds (C, k) values, the ids of their images and the grid positions; empty
    slots have value -inf (top) or +inf (bottom) and id -1.
    """

    def __init__(self, channels: int, k: int, grid: tuple[int, int] = (1, 1)) -> None:
        self.k, self.grid = k, grid
        self.top = _Side(channels, k, largest=True)
        self.bottom = _Side(channels, k, largest=False)

    def merge(self, reading: LayerReading, image_ids: torch.Tensor) -> torch.Tensor:
        """Merge one batch (`image_ids`, one per image); which channels changed, (C,) bool."""
        self.grid = reading.grid
        changed_top = self.top.merge(reading.maxima, reading.max_positions, image_ids)
        changed_bottom = self.bottom.merge(reading.minima, reading.min_positions, image_ids)
        return changed_top | changed_bottom


class _Side:
    def __init__(self, channels: int, k: int, largest: bool) -> None:
        self.largest = largest
        empty = float("-inf") if largest else float("inf")
        self.values = torch.full((channels, k), empty)
        self.ids = torch.full((channels, k), -1, dtype=torch.long)
        self.positions = torch.zeros((channels, k), dtype=torch.long)

    def seed(self, channel: int, rank: int, value: float, image_id: int, position: int) -> None:
        """Put a known example (from an earlier run) in slot `rank` (from 0) of `channel`."""
        self.values[channel, rank] = value
        self.ids[channel, rank] = image_id
        self.positions[channel, rank] = position

    def merge(
        self, values: torch.Tensor, positions: torch.Tensor, image_ids: torch.Tensor
    ) -> torch.Tensor:
        values, positions = values.detach().cpu().T, positions.detach().cpu().T  # (C, N)
        ids = image_ids.cpu().expand_as(values)
        all_values = torch.cat([self.values, values], dim=1)
        order = all_values.topk(self.values.shape[1], dim=1, largest=self.largest).indices
        new_ids = torch.cat([self.ids, ids], dim=1).gather(1, order)
        changed = (new_ids != self.ids).any(dim=1)
        self.values = all_values.gather(1, order)
        self.positions = torch.cat([self.positions, positions], dim=1).gather(1, order)
        self.ids = new_ids
        return changed
