import socket

import pytest
import torch
import torchvision

from renderer import (
    RenderSpec,
    UnknownLayer,
    UnknownNetwork,
    WeightsUnavailable,
    load_network,
    render,
)
from renderer.layers import capture


def test_efficientnet_lite0_layers_are_read_from_the_model_in_network_order(lite0):
    names = [layer.name for layer in lite0.layers]
    assert names == ["stem"] + [f"block{i}" for i in range(16)] + ["head", "logits"]
    counts = {layer.name: layer.channels for layer in lite0.layers}
    assert counts["stem"] == 32 and counts["block15"] == 320 and counts["head"] == 1280
    assert lite0.layers[-1].kind == "logits" and counts["logits"] == len(lite0.labels) == 1000


def test_efficientnet_lite0_ships_real_imagenet_weights(lite0):
    assert lite0.weight_hash != "random-0"
    assert lite0.labels[1] == "goldfish"
    assert not any(p.requires_grad for p in lite0.model.parameters())
    assert not lite0.model.training


def test_inceptionv1_has_the_layers_of_distills_appendix():
    network = load_network("inceptionv1", weights="random", device="cpu")
    names = [layer.name for layer in network.layers]
    assert names[:4] == ["conv2d0", "conv2d1", "conv2d2", "mixed3a"]
    assert names[-3:] == ["mixed5a", "mixed5b", "logits"]
    counts = {layer.name: layer.channels for layer in network.layers}
    assert counts["mixed4a"] == 508 and counts["mixed5b"] == 1024 and counts["logits"] == 1008


def test_inceptionv1_without_weights_offline_fails_fast_and_clearly(monkeypatch, tmp_path):
    """Offline on any machine: the connection is refused here, whatever the network."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # no cached download
    attempts = []

    def unreachable(address, timeout=None, *args, **kwargs):
        attempts.append((address, timeout))
        raise OSError(101, "Network is unreachable")

    def no_download(*args, **kwargs):
        raise AssertionError("downloaded although the connection was refused")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    monkeypatch.setattr(torch.hub, "download_url_to_file", no_download)
    with pytest.raises(WeightsUnavailable, match="--weights FILE") as error:
        load_network("inceptionv1", device="cpu")
    ((host, _), timeout), *_ = attempts
    assert host in str(error.value) and "unreachable" in str(error.value)
    assert timeout is not None and timeout <= 10  # a dead network does not hang the loader
    assert not list(tmp_path.rglob("*.pth"))


def test_inceptionv1_loads_weights_from_a_local_file(tmp_path):
    random = load_network("inceptionv1", weights="random", device="cpu")
    path = tmp_path / "inception.pth"
    torch.save(random.model.state_dict(), path)
    loaded = load_network("inceptionv1", weights=str(path), device="cpu")
    assert loaded.weight_hash != "random-0" and len(loaded.weight_hash) == 16


def test_a_torchvision_architecture_joins_with_a_state_dict_and_labels(tmp_path):
    model = torchvision.models.resnet18(num_classes=5)
    weights, labels = tmp_path / "places.pth", tmp_path / "labels.txt"
    torch.save(model.state_dict(), weights)
    labels.write_text("abbey\nairfield\nalley\narcade\nattic\n")
    network = load_network(
        "tiny-places", weights=str(weights), arch="resnet18", labels=str(labels), device="cpu"
    )
    names = [layer.name for layer in network.layers]
    assert names[0] == "conv1" and "layer4.1" in names and names[-1] == "logits"
    assert network.layer("logits").channels == 5 and network.labels[-1] == "attic"
    assert network.layer("layer4.1").channels == 512


def test_a_torchvision_network_without_labels_is_refused_clearly(tmp_path):
    with pytest.raises(WeightsUnavailable, match="labels file"):
        load_network("x", weights="random", arch="resnet18", device="cpu")


def test_unknown_names_are_reported_with_the_known_ones(lite0):
    with pytest.raises(UnknownNetwork, match="efficientnet-lite0"):
        load_network("alexnet-typo")
    with pytest.raises(UnknownLayer, match="block3"):
        lite0.layer("block99")


def test_atlas_device_pins_the_device_and_an_unusable_one_is_refused(monkeypatch):
    from renderer.errors import RendererError
    from renderer.zoo import default_device

    monkeypatch.setenv("ATLAS_DEVICE", "cpu")
    assert default_device() == torch.device("cpu")
    missing_gpu = f"cuda:{torch.cuda.device_count()}"
    for wanted, says in (
        ("gpu0", "is not a device: use cpu, cuda or cuda:N"),
        (missing_gpu, f"this machine has {torch.cuda.device_count()} GPU"),
        ("meta", "renders on cpu or cuda:N"),
    ):
        monkeypatch.setenv("ATLAS_DEVICE", wanted)
        with pytest.raises(RendererError, match=f"ATLAS_DEVICE='{wanted}'.*{says}"):
            default_device()


def test_lite_stems_and_heads_are_their_activated_outputs(lite0):
    """A linear norm output, averaged over random shifts, only sees an image's mean colour;
    the stem and head layers are the ReLU6 outputs the rest of the network sees."""
    image = torch.rand(1, 3, 224, 224)
    stem, head = lite0.layer("stem"), lite0.layer("head")
    modules = {stem.name: stem.module, head.name: head.module}
    with torch.no_grad(), capture(lite0.model, modules) as outputs:
        logits = lite0.model(lite0.preprocess(image))
    for name in ("stem", "head"):
        values = outputs[name]
        assert values.min() == 0 and values.max() <= 6, name
        assert (values == 0).float().mean() > 0.05, name  # clipped: after the activation
    model = lite0.model
    wrapped = model._bn0, model._bn1
    model._bn0, model._bn1 = wrapped[0].norm, wrapped[1].norm
    try:
        with torch.no_grad():
            unwrapped = model(lite0.preprocess(image))
    finally:
        model._bn0, model._bn1 = wrapped
    assert torch.allclose(logits, unwrapped)  # the network computes what it did


def test_a_stem_channel_that_is_dead_on_grey_still_draws(lite0):
    """Stem channel 14 has a negative bias: 0 everywhere on a grey start, where a plain
    ReLU6 passes no gradient and the objective stays exactly 0; the redirected gradient
    wakes it (CPU: 0.0055 after 96 steps with the floored optimizer, still 0 after 48;
    plain Adam, whose full-size steps on every coefficient stir it sooner: 0.0034 after 24)."""
    spec = RenderSpec("efficientnet-lite0", "stem", 14, size=48, steps=96)
    assert render(lite0, spec).figures["objective"] > 0.001
