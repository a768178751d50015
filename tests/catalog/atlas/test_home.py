"""The home and about pages: each network's stills from early to late, the curators'
choices, and the introduction's examples."""

from django.urls import reverse

from catalog.atlas import showcase
from catalog.atlas.models import Channel, Network, Still
from catalog.curation.models import Annotation, Taxon


def done(layer: str, index: int, puppyslug: float = 0.1) -> Still:
    channel = Channel.objects.get(layer__name=layer, index=index)
    still = channel.still_for(channel.spec())
    Still.objects.filter(id=still.id).update(
        status=Still.DONE, image=f"stills/{layer}-{index}.png", puppyslug_index=puppyslug
    )
    return still


def test_a_networks_strip_runs_from_its_first_rendered_layer_to_its_last(registered):
    for layer in ("logits", "stem", "block3", "head", "block10"):
        done(layer, 1)
    strip = showcase.network_strip(Network.objects.get(), length=3)
    assert [layer.name for layer, _ in strip] == ["stem", "block10", "logits"]


def test_the_home_page_shows_the_strip_and_what_curators_featured(client, registered, curator):
    done("stem", 0)
    done("block12", 4)
    featured = Channel.objects.get(layer__name="block12", index=4)
    Annotation.objects.create(channel=featured, text="Eyes", featured=True)
    Annotation.objects.create(channel=Channel.objects.get(layer__name="stem", index=0))
    Taxon.objects.create(name="Featured motif", slug="featured-motif", featured=True)
    Taxon.objects.create(name="Hidden motif", slug="hidden-motif")
    page = client.get("/").content.decode()
    assert page.index("/media/stills/stem-0.png") < page.index("/media/stills/block12-4.png")
    assert "Chosen by the curators" in page and "block12:4" in page and "stem:0" not in page
    assert "Featured motif" in page and "Hidden motif" not in page
    assert "What does a neural network see?" in page and 'href="/about/"' in page


def test_a_curator_features_a_channel_from_the_note_form(curator_client, registered):
    url = reverse("annotate", args=["efficientnet-lite0", "block5", 2])
    assert b"Feature this channel on the home page" in curator_client.get(url).content
    curator_client.post(url, {"text": "Scales", "featured": "on"})
    assert Annotation.objects.get().featured
    curator_client.post(url, {"text": "Scales"})
    assert not Annotation.objects.get().featured


def test_the_about_page_explains_with_the_atlas_own_stills(client, registered):
    done("stem", 2)
    done("block8", 3)
    done("logits", 207, puppyslug=0.93)
    page = client.get(reverse("about")).content.decode()
    assert "stem, an early layer" in page and "logits, a late layer" in page
    assert "puppyslug index 0.93" in page and "logits:207" in page


def test_the_admins_layer_list_says_how_many_channels_are_rendered(admin_client, registered):
    done("block3", 1)
    done("block3", 2)
    page = admin_client.get(reverse("admin:atlas_layer_changelist")).content.decode()
    assert "2 of 40" in page and "0 of 32" in page
