"""Any torchvision classification architecture, with a state-dict file and a labels file.

`load_network("places365-resnet18", weights=FILE, arch="resnet18", labels=FILE)` builds the
architecture for as many classes as the labels file has, loads the weights as their authors
publish them (`weights.py`) and offers the top-level modules as layers, the classifier last.
"""

from __future__ import annotations

import torch
from torch import nn

from renderer.errors import UnknownNetwork, WeightsUnavailable
from renderer.labels import read_labels
from renderer.networks.weights import load_weights
from renderer.zoo import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    RANDOM_WEIGHTS,
    TORCHVISION,
    Network,
    file_hash,
    finish,
    normalizer,
    register_architecture,
    seeded_random_init,
)

TORCHVISION_SKIPPED = (
    nn.BatchNorm2d,
    nn.Dropout,
    nn.Identity,
    nn.Flatten,
    nn.MaxPool2d,
    nn.AvgPool2d,
    nn.AdaptiveAvgPool2d,
)


@register_architecture(TORCHVISION)
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
        weight_hash = seeded_random_init(model)
    elif weights:
        load_weights(model, weights, f"{arch} with {len(label_list)} classes")
        weight_hash = file_hash(weights)
    else:
        raise WeightsUnavailable(f"network {name!r} ({arch}) needs a weights file")
    candidates = _torchvision_candidates(model, len(label_list))
    preprocess = normalizer(IMAGENET_MEAN, IMAGENET_STD)
    return finish(name, model, candidates, preprocess, label_list, weight_hash, device)


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
