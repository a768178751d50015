"""Layers of a network: found by a dry forward pass, read by forward hooks.

A network's atlas layers are a list of candidate modules; which of them fire, in what
order and with how many channels, is read from the model itself, never hard-coded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class LayerInfo:
    """One visualizable layer: its atlas name, module path, channel count and kind."""

    name: str
    module: str
    channels: int
    kind: str  # "conv" (N, C, H, W) or "logits" (N, C)


class StopForward(Exception):
    """Raised by a hook to end the forward pass once the target layer has run."""


@contextmanager
def capture(
    model: nn.Module, modules: dict[str, str], stop_after: str | None = None
) -> Iterator[dict[str, torch.Tensor]]:
    """Record the outputs of `modules` (atlas name → module path) while the block runs.

    With `stop_after`, the forward pass ends right after that layer; call the model
    through `forward_until` then. Hooks are removed on exit, whatever happens.
    """
    outputs: dict[str, torch.Tensor] = {}
    handles = []

    def hook_for(name: str):
        def hook(_module, _inputs, output):
            if name in outputs:
                outputs.setdefault("__fired_twice__", []).append(name)
            outputs[name] = output
            if name == stop_after:
                raise StopForward

        return hook

    try:
        for name, path in modules.items():
            handles.append(model.get_submodule(path).register_forward_hook(hook_for(name)))
        yield outputs
    finally:
        for handle in handles:
            handle.remove()


def forward_until(model: nn.Module, inputs: torch.Tensor) -> None:
    """Run `model` until a `capture(..., stop_after=...)` hook stops it."""
    try:
        model(inputs)
    except StopForward:
        pass


def enumerate_layers(
    model: nn.Module, candidates: dict[str, str], input_size: int, device: torch.device
) -> list[LayerInfo]:
    """Dry-run the model once and return the candidates that fire exactly once, in order."""
    with torch.no_grad(), capture(model, candidates) as outputs:
        model(torch.zeros(1, 3, input_size, input_size, device=device))
    fired_twice = set(outputs.pop("__fired_twice__", []))
    layers = []
    for name, output in outputs.items():  # dicts keep firing order
        if name in fired_twice or not isinstance(output, torch.Tensor):
            continue
        if output.dim() == 4:
            layers.append(LayerInfo(name, candidates[name], output.shape[1], "conv"))
        elif output.dim() == 2:
            layers.append(LayerInfo(name, candidates[name], output.shape[1], "logits"))
    return layers
