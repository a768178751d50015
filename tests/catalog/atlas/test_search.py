import pytest
from django.urls import reverse

from catalog.atlas.models import Channel
from catalog.curation.models import Annotation, Taxon


@pytest.fixture
def annotated(registered, curator):
    def note(layer, index, text, *slugs):
        channel = Channel.objects.get(layer__name=layer, index=index)
        Annotation.revise(channel, curator, text, Taxon.objects.filter(slug__in=slugs))
        return channel

    return {
        "snout": note("block6", 3, "A wet snout in the middle.", "snouts"),
        "heron": note("block7", 1, "Heron heads, tiled.", "bird-faces"),
        "arch": note("block7", 2, "Gothic arches", "arches"),
    }


def found(client, query) -> str:
    page = client.get(reverse("search"), {"q": query})
    assert page.status_code == 200
    return page.content.decode()


def test_search_finds_channels_by_note_text(client, annotated):
    page = found(client, "wet snout")
    assert annotated["snout"].get_absolute_url() in page
    assert annotated["heron"].get_absolute_url() not in page


def test_search_finds_channels_by_tag_name_and_lists_the_taxon(client, annotated):
    page = found(client, "bird")
    assert annotated["heron"].get_absolute_url() in page
    assert 'href="/taxa/bird-faces/"' in page
    assert annotated["arch"].get_absolute_url() in found(client, "arches")


def test_search_finds_a_channel_by_its_title_and_logits_by_class_label(client, annotated):
    page = found(client, "block7:2")
    assert annotated["arch"].get_absolute_url() in page and "1 channel found" in page
    golden = Channel.objects.get(layer__name="logits", index=207)
    assert golden.get_absolute_url() in found(client, "golden retriever")


def test_every_word_must_match(client, annotated):
    assert "0 channels found" in found(client, "heron arches")
    page = found(client, "block7 gothic")
    assert annotated["arch"].get_absolute_url() in page
    assert annotated["heron"].get_absolute_url() not in page


def test_an_empty_search_shows_the_form_only(client, registered):
    page = found(client, "")
    assert "channels found" not in page and 'name="q"' in page


def test_a_long_search_answers_with_its_first_words_and_says_so(client, annotated):
    query = "wet snout " + " ".join(f"word{i}" for i in range(58))
    page = found(client, query)  # 60 words: once too many SQL terms, a 500
    assert "Only the first 12 words were searched." in page
    assert "word9 " in page and "word10" not in page
    assert "Only the first" not in found(client, "wet snout")
