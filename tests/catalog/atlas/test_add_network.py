import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import torch
import torchvision
from django.core.management import CommandError, call_command

from catalog.atlas.models import Channel, Layer, Network
from tests.release_files import (
    old_densenet_checkpoint,
    places_checkpoint,
    places_labels,
    torchscript_file,
)


def run(*args) -> str:
    out = StringIO()
    call_command("add_network", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_registers_efficientnet_lite0_with_one_json_object_per_layer():
    rows = [json.loads(line) for line in run("efficientnet-lite0", "--json").splitlines()]
    assert rows[0] == {"layer": "stem", "channels": 32}
    assert rows[-1] == {"layer": "logits", "channels": 1000}
    assert len(rows) == 19
    network = Network.objects.get(name="efficientnet-lite0")
    assert [layer.name for layer in network.layers.all()] == [row["layer"] for row in rows]
    assert Channel.objects.filter(layer__network=network).count() == sum(
        row["channels"] for row in rows
    )
    assert Channel.objects.get(layer__name="logits", index=207).label == "golden retriever"


@pytest.mark.django_db
def test_registering_twice_keeps_the_channels():
    run("efficientnet-lite0")
    first_ids = set(Channel.objects.values_list("id", flat=True))
    run("efficientnet-lite0")
    assert set(Channel.objects.values_list("id", flat=True)) == first_ids


@pytest.mark.django_db
def test_it_registers_a_torchvision_network_from_files(tmp_path):
    weights, labels = tmp_path / "w.pth", tmp_path / "labels.txt"
    torch.save(torchvision.models.resnet18(num_classes=3).state_dict(), weights)
    labels.write_text("beach\nforest\ndesert\n")
    output = run(
        "tiny-places", "--arch", "resnet18", "--weights", str(weights), "--labels", str(labels)
    )
    assert "Registered tiny-places" in output
    logits = Layer.objects.get(network__name="tiny-places", name="logits")
    assert list(logits.channels.values_list("label", flat=True)) == ["beach", "forest", "desert"]


@pytest.mark.django_db
def test_an_unknown_network_is_a_clear_command_error():
    with pytest.raises(CommandError, match="unknown network 'nope'.*efficientnet-lite0"):
        run("nope")
    assert not Network.objects.exists()


@pytest.mark.django_db
def test_places365_release_files_register_as_they_are(tmp_path):
    weights, labels = places_checkpoint(tmp_path), places_labels(tmp_path)
    output = run(
        "places365-resnet18", "--arch", "resnet18", "--weights", str(weights),
        "--labels", str(labels), "--accuracy", "54.7% top-1 on Places365 (published)",
    )  # fmt: skip
    assert "Registered places365-resnet18" in output
    logits = Layer.objects.get(network__name="places365-resnet18", name="logits")
    assert logits.channel_count == 365
    labels_shown = list(logits.channels.values_list("label", flat=True)[:4])
    assert labels_shown == ["airfield", "airplane cabin", "apartment building outdoor",
                            "bakery shop"]  # fmt: skip
    network = Network.objects.get(name="places365-resnet18")
    assert network.source == "torchvision resnet18 architecture, weights from " + weights.name
    assert network.accuracy == "54.7% top-1 on Places365 (published)"
    assert network.parameter_count == sum(
        p.numel() for p in torchvision.models.resnet18(num_classes=365).parameters()
    )


@pytest.mark.django_db
def test_a_densenet_checkpoint_with_older_key_names_registers(tmp_path):
    weights, labels = old_densenet_checkpoint(tmp_path), places_labels(tmp_path)
    run("places365-densenet", "--arch", "densenet121", "--weights", str(weights),
        "--labels", str(labels))  # fmt: skip
    assert Layer.objects.get(network__name="places365-densenet", name="logits").channel_count == 365


@pytest.mark.django_db
def test_inceptionv1_registers_from_lucents_state_dict_file(tmp_path):
    from lucent.modelzoo.inceptionv1.InceptionV1 import InceptionV1

    weights = tmp_path / "inception5h.pth"
    torch.save(InceptionV1(pretrained=False).state_dict(), weights)
    rows = [json.loads(line) for line in run("inceptionv1", "--weights", str(weights), "--json")
            .splitlines()]  # fmt: skip
    assert {"layer": "mixed4a", "channels": 508} in rows
    network = Network.objects.get(name="inceptionv1")
    assert network.weights == str(weights) and network.input_size == 224
    assert Channel.objects.get(layer__network=network, layer__name="logits", index=1).label == (
        "tench"
    )


@pytest.mark.django_db
def test_a_torchscript_classifier_registers_with_its_layers(tmp_path):
    path, labels = torchscript_file(tmp_path)
    rows = [json.loads(line) for line in
            run("scripted", "--torchscript", str(path), "--labels", str(labels), "--json")
            .splitlines()]  # fmt: skip
    assert rows[0] == {"layer": "conv1", "channels": 64}
    assert rows[-1] == {"layer": "logits", "channels": 5}
    network = Network.objects.get(name="scripted")
    assert network.arch == "torchscript" and network.weights == str(path)
    assert network.load_kwargs()["arch"] == "torchscript"  # how the workers load it


@pytest.mark.django_db
def test_torchscript_with_arch_is_refused():
    with pytest.raises(CommandError, match="--torchscript FILE replaces --arch and --weights"):
        run("x", "--torchscript", "m.pt", "--arch", "resnet18", "--labels", "l.txt")


@pytest.mark.django_db
def test_a_file_that_does_not_fit_is_a_short_command_error(tmp_path):
    weights, labels = places_checkpoint(tmp_path), places_labels(tmp_path)
    with pytest.raises(CommandError) as error:
        run("places365-resnet50", "--arch", "resnet50", "--weights", str(weights),
            "--labels", str(labels))  # fmt: skip
    message = str(error.value)
    assert message.startswith("could not register 'places365-resnet50': weights file ")
    assert "198 missing keys" in message and "24 keys with another shape" in message
    assert "prefix 'module.' removed" in message
    assert len(message) < 800 and message.count("\n") == 0
    assert not Network.objects.exists()


def test_the_command_exits_non_zero_with_one_short_line(tmp_path):
    """Run as a person would: a separate process, its exit status and its stderr."""
    weights, labels = places_checkpoint(tmp_path), places_labels(tmp_path)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    manage = Path(__file__).resolve().parents[3] / "manage.py"
    result = subprocess.run(
        [sys.executable, str(manage), "add_network", "p", "--arch", "resnet50",
         "--weights", str(weights), "--labels", str(labels)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("CommandError")]
    assert len(errors) == 1 and "198 missing keys" in errors[0] and len(errors[0]) < 800
