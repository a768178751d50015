"""A network's own reading of an image: its top classes and the "puppyslug index".

Feature visualizations of many channels grow animal faces, eyes, fur and snouts wherever
they can (Mordvintsev's "puppyslugs"). Asking the network what it sees in a still measures
that: the puppyslug index is the share of the probability on ImageNet's animal classes,
the WordNet "animal" subtree, which is classes 0-397 in the standard class order. It is
defined for networks with ImageNet's classes only (None for others).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from renderer.errors import RendererError
from renderer.layers import capture, forward_until
from renderer.zoo import Network, imagenet_labels

IMAGENET_CLASSES = 1000
ANIMAL_CLASSES = range(0, 398)  # tench (0) ... puffer (397): WordNet's animal subtree

Images = Image.Image | Sequence[Image.Image] | torch.Tensor


@dataclass(frozen=True)
class Classification:
    """The top classes of one image, most probable first, and its puppyslug index."""

    top: list[tuple[str, float]]
    puppyslug_index: float | None


def classify(network: Network, images: Images, top: int = 5) -> list[Classification]:
    """Classify images (PIL, a list of PIL, or an (N, 3, H, W) tensor in [0, 1]).

    All images go through the network in one batched forward pass, one result per image
    in their order; each is resized to the network's input size first, so a list may mix
    sizes (a still and a diversity strip). For ImageNet networks the
    probabilities are taken over ImageNet's 1000 classes only (InceptionV1's "dummy" and
    unused outputs are left out); other networks get their own labels and no index.
    """
    batch = _as_batch(images, network.device, network.input_size)
    probabilities = _logits(network, batch).float().softmax(dim=1)
    labels = network.labels
    offset = imagenet_offset(labels)
    if offset is not None:
        probabilities = probabilities[:, offset : offset + IMAGENET_CLASSES]
        probabilities = probabilities / probabilities.sum(dim=1, keepdim=True)
        labels = labels[offset : offset + IMAGENET_CLASSES]
        shares = probabilities[:, ANIMAL_CLASSES.start : ANIMAL_CLASSES.stop].sum(dim=1)
    values, indices = probabilities.topk(min(top, probabilities.shape[1]), dim=1)
    results = []
    for i, (row_values, row_indices) in enumerate(
        zip(values.tolist(), indices.tolist(), strict=True)
    ):
        ranked = [
            (_label(labels, j), round(p, 6)) for p, j in zip(row_values, row_indices, strict=True)
        ]
        share = round(float(shares[i]), 6) if offset is not None else None
        results.append(Classification(ranked, share))
    return results


def imagenet_offset(labels: Sequence[str]) -> int | None:
    """Where ImageNet's 1000 classes start among `labels`, or None if they are not there.

    0 for torchvision-style networks, 1 for Lucid's InceptionV1 ("dummy" comes first).
    """
    imagenet = _imagenet()
    for offset in (0, 1):
        if tuple(labels[offset : offset + IMAGENET_CLASSES]) == imagenet:
            return offset
    return None


@cache
def _imagenet() -> tuple[str, ...]:
    return tuple(imagenet_labels())


def _label(labels: Sequence[str], index: int) -> str:
    return labels[index] if index < len(labels) else f"class {index}"


def _logits(network: Network, batch: torch.Tensor) -> torch.Tensor:
    """The output of the network's logits layer (its forward may return something else)."""
    logits = [layer for layer in network.layers if layer.kind == "logits"]
    if not logits:
        raise RendererError(f"network {network.name!r} has no class logits to classify with")
    layer = logits[-1]
    with torch.no_grad(), capture(network.model, {"logits": layer.module}, "logits") as outputs:
        forward_until(network.model, network.preprocess(batch))
    return outputs["logits"]


def _as_batch(images: Images, device: torch.device, size: int) -> torch.Tensor:
    """One (N, 3, size, size) batch on `device`, each image resized on its own."""
    if isinstance(images, torch.Tensor):
        batch = images if images.dim() == 4 else images[None]
        return _resized(batch.to(device=device, dtype=torch.float32), size)
    if isinstance(images, Image.Image):
        images = [images]
    if not images:
        raise ValueError("classify needs at least one image")
    return torch.cat([_resized(_as_tensor(image, device), size) for image in images])


def _as_tensor(image: Image.Image, device: torch.device) -> torch.Tensor:
    array = np.asarray(image.convert("RGB"), dtype=np.float32) / 255
    return torch.from_numpy(array).permute(2, 0, 1)[None].to(device)


def _resized(batch: torch.Tensor, size: int) -> torch.Tensor:
    return F.interpolate(batch, size=size, mode="bilinear", align_corners=False, antialias=True)
