"""Any PyTorch classifier as a TorchScript file, with the layers that can be reached.

`load_network(name, weights=FILE, arch="torchscript", labels=FILE)` loads one, with
ImageNet preprocessing. A scripted module runs its `forward` as compiled code, and Python
forward hooks cannot be registered on it, so its inner layers are out of reach as they are.
When its top-level children, called one after another from Python (flattened before a
`Linear`), give the same output as the whole module (true of torchvision's ResNets and
VGGs, and of most CNNs written as a chain), `ScriptedChain` runs them that way and each
child before the classifier's head becomes a hookable layer (children of a scripted
`Sequential` too). Otherwise (a DenseNet applies a ReLU between `features` and
`classifier`; an Inception adds branches) the network has its logits only.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from renderer.errors import WeightsMismatch, WeightsUnavailable
from renderer.labels import read_labels
from renderer.zoo import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    TORCHSCRIPT,
    Network,
    file_hash,
    finish,
    normalizer,
    register_architecture,
)

# Module kinds (TorchScript's `original_name`) that are no atlas layer of their own.
SKIPPED_KINDS = {
    "BatchNorm2d",
    "Dropout",
    "Identity",
    "Flatten",
    "MaxPool2d",
    "AvgPool2d",
    "AdaptiveAvgPool2d",
}


@register_architecture(TORCHSCRIPT)
def load_torchscript(
    name: str, arch: str, weights: str | None, labels: str | None, device: torch.device
) -> Network:
    """Any classifier saved as TorchScript (`weights`, the file), with a labels file;
    ImageNet preprocessing.

    Its layers are its top-level children where they compose to the whole module (see
    `hookable`), else its logits only.
    """
    path = weights
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


class Stage(nn.Module):
    """A scripted child called from Python, so that forward hooks on it fire."""

    def __init__(self, scripted: nn.Module, kind: str):
        super().__init__()
        self.scripted = scripted
        self.kind = kind

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "Linear" and x.dim() > 2:
            x = torch.flatten(x, 1)  # what the module's own forward does before its head
        return self.scripted(x)


class ScriptedChain(nn.Module):
    """The stages of a scripted module in order; `stages.<name>` are its layers."""

    def __init__(self, stages: dict[str, Stage]):
        super().__init__()
        self.stages = nn.ModuleDict({stage_key(name): stage for name, stage in stages.items()})

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for stage in self.stages.values():
            x = stage(x)
        return x


class ScriptedWhole(nn.Module):
    """A scripted module that is no chain: one stage, its output the logits."""

    def __init__(self, scripted: nn.Module):
        super().__init__()
        self.whole = scripted

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.whole(x)


def stage_key(name: str) -> str:
    """Module names cannot hold dots: `layer1.0` is kept as `layer1_0`."""
    return name.replace(".", "_")


def read_torchscript(path: str | Path) -> nn.Module:
    """Load a TorchScript file on the CPU, or say clearly why it is not one."""
    if not Path(path).is_file():
        raise WeightsUnavailable(f"TorchScript file {str(path)!r} does not exist")
    try:
        return torch.jit.load(str(path), map_location="cpu").eval()
    except (RuntimeError, ValueError) as exc:
        first_line = (str(exc).strip().splitlines() or [""])[0][:200]
        raise WeightsMismatch(
            f"{path} is not a TorchScript file (save one with torch.jit.script(model).save); "
            f"{first_line}"
        ) from exc


def hookable(scripted: nn.Module, input_size: int) -> tuple[nn.Module, dict[str, str]]:
    """A module whose layers forward hooks can read, and its candidate layers
    (atlas name → module path; the last one "logits")."""
    stages = dict(_stages(scripted))
    if len(stages) > 1 and _same_output(scripted, ScriptedChain(stages), input_size):
        names = list(stages)
        candidates = {}
        for name in names[:-1]:
            if stages[name].kind == "Linear":
                break  # the classifier's head: no spatial layer, and not the logits
            if stages[name].kind not in SKIPPED_KINDS:
                candidates[name] = f"stages.{stage_key(name)}"
        candidates["logits"] = f"stages.{stage_key(names[-1])}"
        return ScriptedChain(stages), candidates
    return ScriptedWhole(scripted), {"logits": ""}  # "": the wrapper itself, hookable


def _stages(scripted: nn.Module):
    """(name, Stage) for each top-level child; a scripted Sequential's children instead."""
    for name, child in scripted.named_children():
        kind = getattr(child, "original_name", type(child).__name__)
        if kind == "Sequential" and len(list(child.children())):
            for sub_name, grandchild in child.named_children():
                sub_kind = getattr(grandchild, "original_name", type(grandchild).__name__)
                yield f"{name}.{sub_name}", Stage(grandchild, sub_kind)
        else:
            yield name, Stage(child, kind)


def _same_output(scripted: nn.Module, chain: nn.Module, input_size: int) -> bool:
    probe = torch.rand(2, 3, input_size, input_size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        try:
            expected, got = scripted(probe), chain(probe)
        except Exception:  # the children do not compose: not a chain
            return False
    if not isinstance(expected, torch.Tensor) or expected.shape != got.shape:
        return False
    return torch.allclose(expected, got, rtol=1e-4, atol=1e-5)
