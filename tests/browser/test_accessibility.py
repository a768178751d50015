"""axe-core finds no serious or critical accessibility violation on the visitors' pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from catalog.atlas.models import Channel
from catalog.curation.models import Annotation, Taxon
from tests.conftest import render_inline


@pytest.fixture
def atlas_with_a_note(registered):
    channels = list(Channel.objects.filter(layer__name="block3", index__lt=2))
    render_inline(channels)
    taxon = Taxon.objects.create(name="Featured motif", slug="featured-motif", featured=True)
    annotation = Annotation.objects.create(channel=channels[0], text="A *snout*.", featured=True)
    annotation.tags.add(taxon)
    return taxon


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/n/efficientnet-lite0/block3/",
        "/n/efficientnet-lite0/block3/0/",
        "/taxa/featured-motif/",
        "/search/?q=block3",
        "/about/",
        "/n/efficientnet-lite0/block3/0/?size=4",
    ],
    ids=["home", "layer", "channel", "taxon", "search", "about", "sketch-error"],
)
def test_no_serious_accessibility_violation(page, live_server, atlas_with_a_note, path):
    page.goto(live_server.url + path)
    violations = Axe().run(page).response["violations"]
    serious = [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious
