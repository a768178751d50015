"""Circuits: how much each channel of one atlas layer drives each channel of the next.

The weight of source channel s on target channel t is gradient × activation, summed over
positions and averaged over images: Σ_hw a_s · ∂ mean(a_t) / ∂ a_s. It reads the network as
it runs (depthwise, residual and squeeze-excitation blocks alike), not one weight tensor:
positive, s excites t on these images; negative, it inhibits. The source's output is cut
from the graph before it (so one backward pass reaches no further), and the gradients of
many target channels come from one vectorized backward pass (`is_grads_batched`).

`CircuitSums` adds batch after batch, so a corpus can be read in pieces (resumably).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from renderer.errors import RendererError
from renderer.layers import StopForward, forward_until
from renderer.zoo import Network

GRADIENT_BUDGET = 2**25  # floats held by one batched backward pass (128 MiB)


class CircuitError(RendererError):
    """A circuit that cannot be read: a layer with nothing after or before it."""


@dataclass
class CircuitSums:
    """Σ over images of the (source channels, target channels) attribution, and how many."""

    source: str
    target: str
    sums: np.ndarray  # (C_source, C_target), float64
    images: int = 0

    @classmethod
    def empty(cls, network: Network, source: str, target: str) -> CircuitSums:
        shape = (network.layer(source).channels, network.layer(target).channels)
        return cls(source, target, np.zeros(shape, dtype=np.float64))

    def add(self, batch_sums: torch.Tensor, count: int) -> None:
        self.sums += batch_sums.double().cpu().numpy()
        self.images += count

    @property
    def weights(self) -> np.ndarray:
        """The mean attribution per image, (C_source, C_target)."""
        return self.sums / max(self.images, 1)


def layer_pairs(network: Network, names: list[str] | None = None) -> list[tuple[str, str]]:
    """The (layer before, layer) pairs whose links give `names` their inputs and outputs
    (every adjacent pair of atlas layers when None), in the network's order."""
    order = [layer.name for layer in network.layers]
    if names is None:
        return list(zip(order, order[1:], strict=False))
    wanted = set()
    for name in names:
        at = order.index(network.layer(name).name)
        if at > 0:
            wanted.add(at - 1)
        if at + 1 < len(order):
            wanted.add(at)
    return [(order[at], order[at + 1]) for at in sorted(wanted)]


def previous_layer(network: Network, name: str) -> str:
    """The atlas layer just before `name`, or `CircuitError` for the first."""
    order = [layer.name for layer in network.layers]
    at = order.index(network.layer(name).name)
    if at == 0:
        raise CircuitError(f"layer {name!r} is the first of {network.name}: it has no inputs")
    return order[at - 1]


def next_layer(network: Network, name: str) -> str:
    """The atlas layer just after `name`, or `CircuitError` for the last."""
    order = [layer.name for layer in network.layers]
    at = order.index(network.layer(name).name)
    if at + 1 == len(order):
        raise CircuitError(f"layer {name!r} is the last of {network.name}: it has no outputs")
    return order[at + 1]


def attribution(network: Network, images: torch.Tensor, source: str, target: str) -> torch.Tensor:
    """Σ over the batch `images` ((N, 3, S, S) in [0, 1]) of the gradient × activation of
    every `source` channel on every `target` channel's mean: (C_source, C_target)."""
    source_info, target_info = network.layer(source), network.layer(target)
    with _cut_at(network, source_info.module, target_info.module) as held:
        with torch.enable_grad():
            forward_until(network.model, network.preprocess(images.to(network.device)))
            cut, out = held["source"], held["target"]
            means = out.float().mean(dim=(2, 3)) if out.dim() == 4 else out.float()
            return _batched_gradient_x_input(cut, means)


def _batched_gradient_x_input(cut: torch.Tensor, means: torch.Tensor) -> torch.Tensor:
    """(C_source, C_target): Σ_n,h,w cut · ∂ Σ_n means[:, t] / ∂ cut, t in chunks."""
    count, targets = means.shape
    chunk = max(1, min(targets, GRADIENT_BUDGET // max(cut.numel(), 1)))
    columns = []
    for start in range(0, targets, chunk):
        stop = min(start + chunk, targets)
        picks = torch.zeros(stop - start, count, targets, device=means.device)
        picks[torch.arange(stop - start), :, torch.arange(start, stop)] = 1.0
        (grads,) = torch.autograd.grad(
            means, cut, picks, retain_graph=stop < targets, is_grads_batched=True
        )
        product = grads * cut.detach()  # (k, N, C_source, …)
        columns.append(product.flatten(3).sum(dim=(1, 3)).T if cut.dim() == 4 else
                       product.sum(dim=1).T)  # fmt: skip
    return torch.cat(columns, dim=1).detach()


@contextmanager
def _cut_at(network: Network, source_module: str, target_module: str) -> Iterator[dict]:
    """Within the block, the source module's output is a fresh leaf that needs a gradient
    (the graph before it is not kept) and the forward pass stops after the target."""
    held: dict[str, torch.Tensor] = {}

    def cut(_module, _inputs, output):
        leaf = output.detach().float().requires_grad_(True)
        held["source"] = leaf
        return leaf

    def stop(_module, _inputs, output):
        held["target"] = output
        raise StopForward

    model = network.model
    handles = [
        model.get_submodule(source_module).register_forward_hook(cut),
        model.get_submodule(target_module).register_forward_hook(stop),
    ]
    try:
        yield held
    finally:
        for handle in handles:
            handle.remove()


@dataclass(frozen=True)
class Link:
    """One signed link between two channels, `weight` in the source's units per image."""

    source: int
    target: int
    weight: float


def strongest_inputs(weights: np.ndarray, top: int) -> list[list[Link]]:
    """Per target channel, its `top` inputs by |weight|, strongest first."""
    return [
        [Link(int(s), t, float(weights[s, t])) for s in _strongest(weights[:, t], top)]
        for t in range(weights.shape[1])
    ]


def strongest_outputs(weights: np.ndarray, top: int) -> list[list[Link]]:
    """Per source channel, its `top` outputs by |weight|, strongest first."""
    return [
        [Link(s, int(t), float(weights[s, t])) for t in _strongest(weights[s, :], top)]
        for s in range(weights.shape[0])
    ]


def _strongest(row: np.ndarray, top: int) -> np.ndarray:
    order = np.argsort(-np.abs(row), kind="stable")
    return order[: min(top, len(row))]
