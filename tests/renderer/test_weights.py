"""Networks as their authors publish them: Places365, InceptionV1, TorchScript, bad files."""

import pytest
import torch
import torchvision

from renderer import WeightsMismatch, load_network
from renderer.facts import facts_of
from renderer.labels import read_labels
from renderer.networks.weights import read_weights
from tests.release_files import (
    old_densenet_checkpoint,
    places_checkpoint,
    places_labels,
    python2_checkpoint,
    torchscript_file,
)


def test_places365_labels_read_as_words_in_index_order(tmp_path):
    path = tmp_path / "categories.txt"
    path.write_text("/b/bakery/shop 1\n/a/airfield 0\n/a/apartment_building/outdoor 2\n")
    assert read_labels(path) == ["airfield", "bakery shop", "apartment building outdoor"]


def test_a_plain_labels_file_is_one_label_per_line(tmp_path):
    path = tmp_path / "labels.txt"
    path.write_text("golden retriever\n\nhot dog 2\n")
    assert read_labels(path) == ["golden retriever", "hot dog 2"]


def test_the_places365_release_layout_loads_as_it_is(tmp_path):
    weights, labels = places_checkpoint(tmp_path), places_labels(tmp_path)
    network = load_network(
        "places365-resnet18", weights=str(weights), arch="resnet18", labels=str(labels),
        device="cpu",
    )  # fmt: skip
    assert network.labels[:4] == ["airfield", "airplane cabin", "apartment building outdoor",
                                  "bakery shop"]  # fmt: skip
    assert network.layer("logits").channels == 365
    saved = torch.load(weights, weights_only=True)["state_dict"]["module.fc.bias"]
    assert torch.equal(network.model.fc.bias, saved)  # the file's weights, not random ones


def test_the_file_is_described_as_it_was_found(tmp_path):
    found = read_weights(places_checkpoint(tmp_path))
    assert found.describe() == (
        "a checkpoint dict (keys: epoch, arch, state_dict, best_prec1); "
        "its 'state_dict' a state dict of 122 tensors; prefix 'module.' removed"
    )
    assert "fc.weight" in found.state and not any(k.startswith("module.") for k in found.state)


def test_densenets_older_key_names_are_renamed(tmp_path):
    weights = old_densenet_checkpoint(tmp_path)
    assert "denselayer1.norm.1.weight" in " ".join(torch.load(weights)["state_dict"])
    network = load_network(
        "places365-densenet", weights=str(weights), arch="densenet121",
        labels=str(places_labels(tmp_path)), device="cpu",
    )  # fmt: skip
    assert network.layer("logits").channels == 365
    assert "older DenseNet key names" in read_weights(weights).describe()


def test_inceptionv1_loads_lucents_state_dict_layout(tmp_path):
    """lucent publishes InceptionV1 as a bare state dict of its module's own keys."""
    from lucent.modelzoo.inceptionv1.InceptionV1 import InceptionV1

    model = InceptionV1(pretrained=False)
    path = tmp_path / "inception5h.pth"
    torch.save(model.state_dict(), path)
    network = load_network("inceptionv1", weights=str(path), device="cpu")
    assert torch.equal(
        network.model.conv2d0_pre_relu_conv.weight, model.conv2d0_pre_relu_conv.weight
    )
    assert network.layer("mixed4a").channels == 508


def test_a_mismatched_file_gives_a_short_error_with_counts(tmp_path):
    weights, labels = places_checkpoint(tmp_path), places_labels(tmp_path)
    with pytest.raises(WeightsMismatch) as error:
        load_network("p", weights=str(weights), arch="resnet50", labels=str(labels), device="cpu")
    message = str(error.value)
    assert len(message) < 700 and message.count("\n") == 0
    assert "198 missing keys (layer1.0.conv3.weight, layer1.0.bn3.weight, " in message
    assert "24 keys with another shape" in message
    assert "checkpoint dict (keys: epoch, arch, state_dict, best_prec1)" in message
    assert "prefix 'module.' removed" in message


def test_unexpected_keys_are_counted_too(tmp_path):
    state = torchvision.models.resnet18(num_classes=3).state_dict()
    state["extra.weight"] = torch.zeros(1)
    del state["fc.bias"]
    path, labels = tmp_path / "w.pth", tmp_path / "l.txt"
    torch.save(state, path)
    labels.write_text("a\nb\nc\n")
    with pytest.raises(WeightsMismatch, match=r"1 missing key \(fc.bias\); 1 unexpected key "
                       r"\(extra.weight\)\. The file: a state dict of 122 tensors\.$"):  # fmt: skip
        load_network("x", weights=str(path), arch="resnet18", labels=str(labels), device="cpu")


def test_a_torchscript_file_given_as_a_state_dict_says_so(tmp_path):
    path, labels = torchscript_file(tmp_path)
    with pytest.raises(WeightsMismatch, match="TorchScript file.*--torchscript"):
        load_network("x", weights=str(path), arch="resnet18", labels=str(labels), device="cpu")


def test_a_torchscript_classifier_keeps_its_layers(tmp_path):
    path, labels = torchscript_file(tmp_path)
    network = load_network(
        "scripted", weights=str(path), arch="torchscript", labels=str(labels), device="cpu"
    )
    names = [layer.name for layer in network.layers]
    assert names == ["conv1", "relu", "layer1.0", "layer1.1", "layer2.0", "layer2.1",
                     "layer3.0", "layer3.1", "layer4.0", "layer4.1", "logits"]  # fmt: skip
    assert network.layer("layer4.1").channels == 512 and network.labels[4] == "class 4"
    scripted = torch.jit.load(str(path))
    image = torch.rand(1, 3, 64, 64)
    assert torch.allclose(network.model(image), scripted(image), atol=1e-5)


def test_a_torchscript_module_that_is_no_chain_has_its_logits(tmp_path):
    class Branches(torch.nn.Module):  # the head sees two branches: no chain of children
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Conv2d(3, 4, 3)
            self.b = torch.nn.Conv2d(3, 4, 3)
            self.fc = torch.nn.Linear(4, 2)

        def forward(self, x):
            return self.fc((self.a(x) + self.b(x)).mean((2, 3)))

    path, labels = tmp_path / "branches.pt", tmp_path / "l.txt"
    torch.jit.script(Branches()).save(str(path))
    labels.write_text("yes\nno\n")
    network = load_network("b", weights=str(path), arch="torchscript", labels=str(labels))
    assert [(layer.name, layer.channels) for layer in network.layers] == [("logits", 2)]


def test_a_torchscript_file_with_other_labels_is_refused(tmp_path):
    path, _ = torchscript_file(tmp_path, classes=5)
    labels = tmp_path / "three.txt"
    labels.write_text("a\nb\nc\n")
    with pytest.raises(WeightsMismatch, match="has 5 outputs but the labels file three.txt has 3"):
        load_network("x", weights=str(path), arch="torchscript", labels=str(labels), device="cpu")


def test_facts_are_published_ones_or_read_from_the_model(lite0, tmp_path):
    facts = facts_of(lite0)
    assert facts.accuracy.startswith("75.1% top-1") and facts.input_size == 224
    assert facts.parameters == sum(p.numel() for p in lite0.model.parameters())
    path, labels = torchscript_file(tmp_path)
    network = load_network("s", weights=str(path), arch="torchscript", labels=str(labels))
    facts = facts_of(network, arch="torchscript", weights=str(path))
    assert facts.source == "TorchScript file classifier.pt" and facts.accuracy == ""


def test_a_classifier_head_s_hidden_layers_are_not_taken_for_logits(tmp_path):
    labels = tmp_path / "labels.txt"
    labels.write_text("a\nb\nc\n")
    network = load_network(
        "m", weights="random", arch="mobilenet_v3_small", labels=str(labels), device="cpu"
    )
    assert [layer.name for layer in network.layers if layer.kind == "logits"] == ["logits"]
    assert network.layers[-2].name == "features.12" and network.layer("logits").channels == 3


def test_a_checkpoint_pickled_by_python_2_loads(tmp_path):
    """Places365's releases were written by Python 2.7; their strings need latin1."""
    path = python2_checkpoint(tmp_path)
    with pytest.raises(UnicodeDecodeError):
        torch.load(path, weights_only=True)  # what a plain load does
    labels = tmp_path / "labels.txt"
    labels.write_text("a\nb\nc\n")
    network = load_network("p", weights=str(path), arch="resnet18", labels=str(labels))
    assert network.layer("logits").channels == 3
    assert "a Python 2 pickle (strings read as latin1)" in read_weights(path).describe()
