"""Trained networks: a zoo base architecture with a new head, saved weights and labels.

`renderer.training` fine-tunes a base network (efficientnet-lite0 by default) to a user's
own labels and saves one checkpoint file: the base's name, the labels (one per logit), the
input size it was trained at and the state dict. `load_network(name, weights=FILE,
arch="trained")` loads it back as a network like any other, whose logits carry the labels.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from renderer.errors import RendererError, WeightsUnavailable
from renderer.zoo import (
    RANDOM_WEIGHTS,
    TRAINED_ARCH,
    Network,
    file_hash,
    finish,
    load_network,
    register_architecture,
)

CHECKPOINT_FORMAT = "neural-atlas-trained/1"
CHECKPOINT_KEYS = ("format", "base", "labels", "input_size", "state_dict")


def replace_head(network: Network, classes: int) -> nn.Linear:
    """Swap the network's logits layer for a new linear layer with `classes` outputs."""
    path = network.layer("logits").module
    old = network.model.get_submodule(path)
    if not isinstance(old, nn.Linear):
        raise RendererError(
            f"network {network.name!r}: its logits layer {path!r} is a {type(old).__name__}, "
            "not a linear layer, so it cannot take new labels"
        )
    head = nn.Linear(old.in_features, classes).to(network.device)
    parent_path, _, child = path.rpartition(".")
    parent = network.model.get_submodule(parent_path) if parent_path else network.model
    setattr(parent, child, head)
    return head


def save_trained(
    path: str | Path, base: str, labels: list[str], input_size: int, model: nn.Module
) -> None:
    """Write the checkpoint atomically: a reader never loads half a file."""
    from renderer.cinema.encode import write_atomically

    checkpoint = {
        "format": CHECKPOINT_FORMAT,
        "base": base,
        "labels": list(labels),
        "input_size": int(input_size),
        "state_dict": {key: value.detach().cpu() for key, value in model.state_dict().items()},
    }
    write_atomically(Path(path), lambda temporary: torch.save(checkpoint, temporary))


def read_checkpoint(
    path: str | Path,
    kind: str = "trained",
    checkpoint_format: str = CHECKPOINT_FORMAT,
    keys: tuple[str, ...] = CHECKPOINT_KEYS,
) -> dict:
    """The checkpoint's contents, or a clear error saying what is wrong with the file
    (`kind` names the network in the message: "trained", "temporal")."""
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as exc:
        raise WeightsUnavailable(f"{kind} weights {str(path)!r} do not exist") from exc
    except Exception as exc:  # torch raises many kinds on a file that is not a checkpoint
        raise WeightsUnavailable(f"{str(path)!r} is not a {kind}-network file: {exc}") from exc
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != checkpoint_format:
        raise WeightsUnavailable(f"{str(path)!r} is not a {checkpoint_format} checkpoint")
    missing = [key for key in keys if key not in checkpoint]
    if missing:
        raise WeightsUnavailable(f"{str(path)!r} lacks {', '.join(missing)}")
    return checkpoint


@register_architecture(TRAINED_ARCH)
def load_trained(
    name: str, arch: str, weights: str | None, labels: str | None, device: torch.device
) -> Network:
    """A trained network: its base architecture, the new head, the saved weights.

    `weights` is the checkpoint file; it carries the labels, so `labels` is not read.
    """
    if not weights:
        raise WeightsUnavailable(f"trained network {name!r} needs its weights file")
    checkpoint = read_checkpoint(weights)
    # The base's own weights are replaced by the checkpoint's: no need to read them.
    base = load_network(checkpoint["base"], weights=RANDOM_WEIGHTS, device="cpu")
    replace_head(base, len(checkpoint["labels"]))
    try:
        base.model.load_state_dict(checkpoint["state_dict"])
    except RuntimeError as exc:
        raise WeightsUnavailable(
            f"{weights!r} does not fit {checkpoint['base']} with {len(checkpoint['labels'])} "
            f"labels: {exc}"
        ) from exc
    candidates = {layer.name: layer.module for layer in base.layers}
    network = finish(
        name,
        base.model,
        candidates,
        base.preprocess,
        list(checkpoint["labels"]),
        file_hash(weights),
        device,
        input_size=checkpoint["input_size"],
    )
    network.extra["base"] = checkpoint["base"]
    return network
