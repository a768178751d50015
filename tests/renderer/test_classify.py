import pytest
import torch
from PIL import Image
from torch import nn

from renderer import RendererError, RenderSpec, render_batch
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


@pytest.fixture(scope="module")
def class_stills(lite0) -> dict[str, Image.Image]:
    """Real class-logit stills of efficientnet-lite0: an animal and a landform."""
    specs = [RenderSpec("efficientnet-lite0", "logits", c, size=64, steps=48) for c in (1, 980)]
    goldfish, volcano = render_batch(lite0, specs)
    return {"goldfish": goldfish.image, "volcano": volcano.image}


def test_a_class_still_is_read_as_its_class_and_the_index_tells_animal_from_not(
    lite0, class_stills
):
    goldfish, volcano = classify(lite0, [class_stills["goldfish"], class_stills["volcano"]])
    assert "goldfish" in [label for label, _ in goldfish.top]
    assert "volcano" in [label for label, _ in volcano.top]
    assert goldfish.puppyslug_index > 0.5 > volcano.puppyslug_index


def test_the_animal_classes_are_imagenets_first_398_ending_at_puffer():
    labels = imagenet_labels()
    assert labels[ANIMAL_CLASSES.stop - 1] == "puffer" and labels[ANIMAL_CLASSES.stop] == "abacus"


def test_a_list_is_classified_in_one_forward_pass_as_it_is_one_by_one(lite0, class_stills):
    images = [
        class_stills["goldfish"],
        class_stills["volcano"],
        class_stills["goldfish"].resize((96, 96)),  # sizes may differ within a list
    ]
    batch_sizes = []
    hook = lite0.model.register_forward_pre_hook(
        lambda _, inputs: batch_sizes.append(len(inputs[0]))
    )
    try:
        together = classify(lite0, images)
    finally:
        hook.remove()
    assert batch_sizes == [3]
    alone = [classify(lite0, image)[0] for image in images]
    for batched, single in zip(together, alone, strict=True):
        assert [label for label, _ in batched.top] == [label for label, _ in single.top]
        assert [p for _, p in batched.top] == pytest.approx([p for _, p in single.top], abs=1e-4)
        assert batched.puppyslug_index == pytest.approx(single.puppyslug_index, abs=1e-4)
