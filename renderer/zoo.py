"""The network zoo: the registry every network is loaded through, and what its loaders share.

`load_network("efficientnet-lite0")` returns a `Network`: the model in eval mode on its
device, its preprocessing, its atlas layers (read from the model by a dry pass) and its
class labels. A network joins under a name (`register_network`); a kind of file joins under
an `arch` (`register_architecture`): a network `renderer.training` saved (`arch="trained"`),
any classifier as TorchScript (`arch="torchscript"`), and under `TORCHVISION` any torchvision
architecture with a state-dict file and a labels file. The loaders live in
`renderer/networks/`, one file each, and import this module; it imports none of them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from renderer.errors import RendererError, UnknownLayer, UnknownNetwork
from renderer.layers import LayerInfo, enumerate_layers

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
RANDOM_WEIGHTS = "random"
# The `arch` of a network loaded from a TorchScript file, and of one `renderer.training` saved.
TORCHSCRIPT = "torchscript"
TRAINED_ARCH = "trained"
# The loader of every other `arch`: the name of a torchvision architecture.
TORCHVISION = "torchvision"


@dataclass
class Network:
    """A loaded network, ready to render: model, preprocessing, layers and labels."""

    name: str
    model: nn.Module
    preprocess: Callable[[torch.Tensor], torch.Tensor]
    layers: list[LayerInfo]
    labels: list[str]
    weight_hash: str
    input_size: int = 224
    extra: dict = field(default_factory=dict)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def layer(self, name: str) -> LayerInfo:
        """The layer called `name`, or `UnknownLayer` listing the valid names."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        known = ", ".join(layer.name for layer in self.layers)
        raise UnknownLayer(f"network {self.name!r} has no layer {name!r}; layers: {known}")


NetworkLoader = Callable[..., Network]  # (weights, device) -> Network
ArchitectureLoader = Callable[..., Network]  # (name, arch, weights, labels, device) -> Network
_NETWORKS: dict[str, NetworkLoader] = {}
_ARCHITECTURES: dict[str, ArchitectureLoader] = {}


def register_network(name: str) -> Callable[[NetworkLoader], NetworkLoader]:
    """Register a loader `(weights, device) -> Network` under `name`."""

    def decorate(loader: NetworkLoader) -> NetworkLoader:
        _NETWORKS[name] = loader
        return loader

    return decorate


def register_architecture(arch: str) -> Callable[[ArchitectureLoader], ArchitectureLoader]:
    """Register a loader `(name, arch, weights, labels, device) -> Network` for `arch`;
    the one under `TORCHVISION` loads every `arch` that has no loader of its own."""

    def decorate(loader: ArchitectureLoader) -> ArchitectureLoader:
        _ARCHITECTURES[arch] = loader
        return loader

    return decorate


def registered_networks() -> list[str]:
    """Names that `load_network` knows without an architecture."""
    return sorted(_NETWORKS)


def default_device() -> torch.device:
    """`ATLAS_DEVICE` if set (e.g. `cuda:1` pins a worker to the second GPU), else the
    first GPU when there is one, else the CPU. An unusable value raises `RendererError`."""
    wanted = os.environ.get("ATLAS_DEVICE", "").strip()
    if wanted:
        return _checked_device(wanted)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _checked_device(wanted: str) -> torch.device:
    """The device `ATLAS_DEVICE` names, if this machine has it."""
    try:
        device = torch.device(wanted)
    except RuntimeError as exc:
        raise RendererError(
            f"ATLAS_DEVICE={wanted!r} is not a device: use cpu, cuda or cuda:N"
        ) from exc
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if (device.index or 0) >= count:
            raise RendererError(f"ATLAS_DEVICE={wanted!r}, but this machine has {count} GPU(s)")
    elif device.type != "cpu":
        raise RendererError(f"ATLAS_DEVICE={wanted!r}: the atlas renders on cpu or cuda:N")
    return device


def load_network(
    name: str,
    weights: str | None = None,
    arch: str | None = None,
    labels: str | None = None,
    device: str | torch.device | None = None,
) -> Network:
    """Load a registered network, or a torchvision `arch` with a state-dict and labels file,
    or (`arch="torchscript"`) a TorchScript file given as `weights` with a labels file.

    `weights` is a file path, or "random" for untrained weights (speed tests only);
    `arch="trained"` with `weights` loads a network that `renderer.training` saved.
    """
    device = torch.device(device) if device is not None else default_device()
    if arch:
        loader = _architecture_loader(arch)
        return _laid_out(loader(name, arch=arch, weights=weights, labels=labels, device=device))
    if name not in _NETWORKS:
        known = ", ".join(registered_networks())
        raise UnknownNetwork(
            f"unknown network {name!r}; registered: {known} "
            "(or give a torchvision architecture with a weights and a labels file)"
        )
    return _laid_out(_NETWORKS[name](weights=weights, device=device))


def _laid_out(network: Network) -> Network:
    """On a CPU, a network's 4-D weights in `channels_last` order: oneDNN's convolutions
    run about 1.16× faster so (docs/benchmarks.md); the images do not change."""
    params = list(network.model.parameters())
    if network.device.type == "cpu" and params and all(p.dim() <= 4 for p in params):
        network.model.to(memory_format=torch.channels_last)
    return network


def _architecture_loader(arch: str) -> ArchitectureLoader:
    """The loader registered for `arch`, else the torchvision one."""
    loader = _ARCHITECTURES.get(arch) or _ARCHITECTURES.get(TORCHVISION)
    if loader is None:
        known = ", ".join(sorted(_ARCHITECTURES)) or "none (is renderer.networks imported?)"
        raise UnknownNetwork(f"no loader for arch {arch!r}; registered: {known}")
    return loader


def file_hash(path: str | Path) -> str:
    """First 16 hex digits of the SHA-256 of a file: the weights' part of a cache key."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def seeded_random_init(model: nn.Module) -> str:
    """Reset `model`'s parameters from seed 0, leaving the global generator as it was;
    returns the weight hash of such a network."""
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(0)
    for module in model.modules():
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
    torch.random.set_rng_state(generator_state)
    return "random-0"


def imagenet_labels() -> list[str]:
    """The 1000 ImageNet class names that torchvision ships (no download)."""
    from torchvision.models import ResNet50_Weights

    return list(ResNet50_Weights.IMAGENET1K_V1.meta["categories"])


def normalizer(mean, std) -> Callable[[torch.Tensor], torch.Tensor]:
    """Map images in [0, 1] to a network's input scale."""
    mean_t = torch.tensor(mean).view(1, 3, 1, 1)
    std_t = torch.tensor(std).view(1, 3, 1, 1)

    def preprocess(image: torch.Tensor) -> torch.Tensor:
        return (image - mean_t.to(image.device, image.dtype)) / std_t.to(image.device, image.dtype)

    return preprocess


def finish(
    name: str,
    model: nn.Module,
    candidates: dict[str, str],
    preprocess,
    labels: list[str],
    weight_hash: str,
    device: torch.device,
    input_size: int = 224,
) -> Network:
    """Put `model` in eval mode on `device`, freeze it and read its layers."""
    model = model.to(device).eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    layers = enumerate_layers(model, candidates, input_size, device)
    return Network(name, model, preprocess, layers, labels, weight_hash, input_size)
