"""The exported catalogue, opened from the file system in chromium."""

import re
from io import StringIO

from django.core.management import call_command
from playwright.sync_api import expect

from catalog.atlas.models import Channel, Layer
from catalog.curation.models import Annotation, Taxon
from tests.conftest import render_inline


def test_an_exported_layer_opens_from_the_file_system_and_links_to_its_channels(
    page, registered, curator, settings, tmp_path
):
    settings.ATLAS_DEFAULT_STILL = {"size": 32, "steps": 2}
    Layer.objects.exclude(name="block0").delete()
    render_inline(Channel.objects.filter(index__lt=3))
    Annotation.revise(
        Channel.objects.get(index=1), curator, "A *beagle*.", Taxon.objects.filter(slug="dog-faces")
    )
    out = tmp_path / "catalogue"
    call_command("export_catalogue", str(out), stdout=StringIO(), stderr=StringIO())

    page.goto((out / "n/efficientnet-lite0/block0/index.html").as_uri())
    expect(page.locator("h1")).to_have_text("block0")
    expect(page.locator(".grid li")).to_have_count(16)
    widths = page.eval_on_selector_all(".grid img", "images => images.map(i => i.naturalWidth)")
    assert widths == [32, 32, 32]  # stills load from the catalogue's media folder
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")

    page.locator(".grid a").nth(1).click()
    expect(page).to_have_url(re.compile(r"/block0/1/index\.html$"))
    expect(page.locator(".note em")).to_have_text("beagle")
    page.get_by_role("link", name="Dog faces").click()
    expect(page.locator("h1")).to_have_text("Dog faces")
    page.get_by_role("link", name=re.compile("block0:1")).click()
    expect(page.locator("h1")).to_have_text("block0:1")
