import json
from io import StringIO

import pytest
import torch
import torchvision
from django.core.management import CommandError, call_command

from catalog.models import Channel, Layer, Network


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
