"""Walking the atlas: previous and next across layer edges, layers, contact sheets, variants."""

from django.urls import reverse

from catalog.atlas.models import Channel
from tests.conftest import render_inline

NETWORK = "efficientnet-lite0"


def channel(layer: str, index: int) -> Channel:
    return Channel.objects.select_related("layer__network").get(
        layer__network__name=NETWORK, layer__name=layer, index=index
    )


def test_next_after_a_layers_last_channel_is_the_next_layers_first(registered):
    around = channel("stem", 31).neighbours()
    assert around["next"].title == "block0:0"
    assert around["previous"].title == "stem:30"
    assert around["previous_layer"] is None and around["next_layer"].name == "block0"


def test_previous_before_a_layers_first_channel_is_the_previous_layers_last(registered):
    around = channel("block0", 0).neighbours()
    assert around["previous"].title == "stem:31"
    assert around["previous_layer"].name == "stem"


def test_the_networks_ends_have_no_neighbour(registered):
    assert channel("stem", 0).neighbours()["previous"] is None
    assert channel("logits", 999).neighbours()["next"] is None


def test_a_channel_page_links_across_the_edge_and_lists_its_keys(client, registered):
    page = client.get(reverse("channel", args=[NETWORK, "stem", 31])).content.decode()
    assert 'rel="next" data-key="next" href="/n/efficientnet-lite0/block0/0/"' in page
    assert 'data-key="up" href="/n/efficientnet-lite0/stem/"' in page
    assert 'data-key="next-layer" href="/n/efficientnet-lite0/block0/"' in page
    assert "<kbd>u</kbd> up to the layer" in page
    assert page.count('href="/n/efficientnet-lite0/block') >= 16  # the jump list


def test_a_layer_page_links_its_neighbours_and_every_layer(client, registered):
    page = client.get(reverse("layer", args=[NETWORK, "block0"])).content.decode()
    assert 'rel="prev" data-key="prev" href="/n/efficientnet-lite0/stem/"' in page
    assert 'rel="next" data-key="next" href="/n/efficientnet-lite0/block1/"' in page
    assert '<strong aria-current="page">block0</strong>' in page
    for name in ("stem", "block15", "head", "logits"):
        assert f'href="/n/efficientnet-lite0/{name}/">{name}</a>' in page


def test_contact_sheet_tiles_are_links(client, registered):
    page = client.get(reverse("contact-sheet", args=[NETWORK, "stem"])).content.decode()
    assert page.count('<li><a href="/n/efficientnet-lite0/stem/') == 32


def test_a_variant_says_so_and_links_to_the_atlas_still(client, registered):
    url = reverse("channel", args=[NETWORK, "block3", 7])
    page = client.get(url + "?style=cppn&seed=4&steps=6&size=40").content.decode()
    assert 'id="variant-note"' in page and "<strong>A variant</strong>" in page
    assert f'<a id="default-still" href="{url}">' in page
    assert 'id="variant-note"' not in client.get(url).content.decode()


def test_a_rendered_still_is_drawn_sharp_with_download_and_social_preview(client, registered):
    render_inline([channel("block3", 7)])
    page = client.get(reverse("channel", args=[NETWORK, "block3", 7])).content.decode()
    # 48 px rendered, drawn at 10× (480 px) with square pixels
    assert 'width="480" height="480" style="width: 480px" class="sharp"' in page
    assert 'download="efficientnet-lite0-block3-7.png"' in page
    assert '<meta property="og:image" content="http://testserver/media/stills/' in page
    assert "rank 2 of" not in page and "Rank 2 of 40: exactly one other channel" in page
