"""The optimizer of stills and films: Adam with a floor under each coefficient's scale.

Adam divides each coefficient's step by the root mean square of its own gradient, so every
coefficient moves by about the learning rate however weak its pull. Where a layer's
gradient is concentrated in a few coefficients (the first layer's colour channels: the
mean colour carries it, the rest of the spectrum has 1e-6 of it), the weak ones' noise
becomes full-size steps and draws black and white islands across the still. The floor,
a fraction `FLOOR` of the largest scale in the same batch element, keeps weak coefficients
moving in proportion to their gradient; where gradients are spread (deeper layers) it
changes little. Parameters are batched: dim 0 is the batch element.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

FLOOR = 0.1
BETAS = (0.9, 0.999)
EPS = 1e-8


class FlooredAdam(torch.optim.Optimizer):
    def __init__(self, params: Iterable[torch.Tensor], lr: float, floor: float = FLOOR):
        if not 0.0 <= floor <= 1.0:
            raise ValueError(f"floor must be in [0, 1], got {floor}")
        super().__init__(params, {"lr": lr, "floor": floor})

    @torch.no_grad()
    def step(self, closure=None):
        beta1, beta2 = BETAS
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if not state:
                    state["step"] = 0
                    state["mean"] = torch.zeros_like(param)
                    state["square"] = torch.zeros_like(param)
                state["step"] += 1
                t = state["step"]
                grad = param.grad
                state["mean"].mul_(beta1).add_(grad, alpha=1 - beta1)
                state["square"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                mean = state["mean"] / (1 - beta1**t)
                scale = (state["square"] / (1 - beta2**t)).sqrt()
                largest = scale.flatten(1).amax(dim=1) if param.dim() > 1 else scale.amax()
                floor = (largest * group["floor"]).view(-1, *[1] * (param.dim() - 1))
                param.addcdiv_(mean, torch.maximum(scale, floor).add_(EPS), value=-group["lr"])
