import pytest
import torch
from PIL import Image
from torch import nn

from renderer import RendererError
from renderer.classify import ANIMAL_CLASSES, classify, imagenet_offset
from renderer.layers import LayerInfo
from renderer.zoo import Network, imagenet_labels


class FixedLogits(nn.Module):
    """A real module whose logits ignore the image: one known distribution per test."""

    def __init__(self, logits: torch.Tensor):
        super().__init__()
        self.body = nn.Conv2d(3, 1, 1)
        self.fc = nn.Linear(1, logits.numel())
        with torch.no_grad():
            self.fc.weight.zero_()
            self.fc.bias.copy_(logits)

    def forward(self, x):
        return self.fc(self.body(x).mean(dim=(1, 2, 3))[:, None])


def network_with(logits: torch.Tensor, labels: list[str]) -> Network:
    model = FixedLogits(logits).eval()
    layers = [LayerInfo("logits", "fc", logits.numel(), "logits")]
    return Network("fixed", model, lambda x: x, layers, labels, "test", input_size=32)


def test_the_puppyslug_index_is_the_probability_on_imagenet_animal_classes():
    logits = torch.full((1000,), -20.0)
    logits[207] = 0.0  # golden retriever
    logits[980] = 0.0  # volcano
    (found,) = classify(network_with(logits, imagenet_labels()), Image.new("RGB", (48, 48)))
    assert found.puppyslug_index == pytest.approx(0.5, abs=1e-3)
    assert {label for label, _ in found.top[:2]} == {"golden retriever", "volcano"}
    assert [p for _, p in found.top] == sorted((p for _, p in found.top), reverse=True)


def test_inceptionv1_labels_are_shifted_by_its_dummy_class_which_is_left_out():
    labels = ["dummy", *imagenet_labels(), *[f"unused {i}" for i in range(7)]]
    assert imagenet_offset(labels) == 1
    logits = torch.full((1008,), -20.0)
    logits[0] = 5.0  # "dummy": not an ImageNet class, so not counted either way
    logits[1 + 1] = 0.0  # goldfish (ImageNet 1), an animal
    (found,) = classify(network_with(logits, labels), torch.rand(3, 40, 40), top=3)
    assert found.top[0] == ("goldfish", pytest.approx(1.0, abs=1e-3))
    assert found.puppyslug_index == pytest.approx(1.0, abs=1e-3)


def test_other_networks_get_their_own_labels_and_no_index():
    labels = ["beach", "forest", "kitchen"]
    assert imagenet_offset(labels) is None
    results = classify(
        network_with(torch.tensor([0.0, 2.0, 1.0]), labels), torch.rand(2, 3, 32, 32)
    )
    assert [r.top[0][0] for r in results] == ["forest", "forest"]
    assert all(r.puppyslug_index is None and len(r.top) == 3 for r in results)


def test_a_network_without_logits_cannot_classify():
    network = network_with(torch.zeros(3), ["a", "b", "c"])
    network.layers = []
    with pytest.raises(RendererError, match="no class logits"):
        classify(network, torch.rand(1, 3, 32, 32))


def test_efficientnet_lite0_reads_its_own_still(lite0):
    images = [Image.new("RGB", (48, 48), (40 * i, 90, 200 - 40 * i)) for i in range(3)]
    results = classify(lite0, images)
    assert len(results) == 3
    for found in results:
        assert len(found.top) == 5 and 0.0 <= found.puppyslug_index <= 1.0
        assert all(label in imagenet_labels() for label, _ in found.top)
    assert ANIMAL_CLASSES == range(0, 398)
