"""A visitor zooms and pans an activation atlas with the keyboard, the wheel and the
mouse, and opens a cell's frames and channels."""

import pytest
from playwright.sync_api import expect

from catalog.corpora.samples import add_sample_corpus
from catalog.relations import atlases
from catalog.relations.atlases import compute_activation_atlas
from tests.renderer.atlas_helpers import cached_atlas

pytestmark = pytest.mark.browser
LAYER = "block5"


@pytest.fixture
def atlas(registered, lite0, monkeypatch):
    monkeypatch.setattr(atlases, "activation_atlas", cached_atlas)
    layer = registered.layers.get(name=LAYER)
    corpus = add_sample_corpus()
    return compute_activation_atlas(
        registered, layer, corpus, grid=4, steps=16, size=32, loaded=lite0
    )


def zoom_of(page) -> float:
    return float(page.locator("#atlas-map").get_attribute("data-zoom"))


def test_the_map_zooms_and_pans_and_a_cell_opens(page, live_server, atlas):
    page.goto(f"{live_server.url}/n/efficientnet-lite0/{LAYER}/atlas/")
    atlas_map = page.locator("#atlas-map")
    expect(page.locator("#atlas-image")).to_be_visible()
    expect(atlas_map).to_have_attribute("data-zoom", "1.000")
    atlas_map.focus()
    page.keyboard.press("+")
    page.keyboard.press("+")
    expect(atlas_map).to_have_attribute("data-zoom", "1.563")
    expect(page.locator("#atlas-zoom")).to_have_text("156%")
    before = atlas_map.get_attribute("data-pan")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    expect(atlas_map).not_to_have_attribute("data-pan", before)
    page.keyboard.press("-")
    page.keyboard.press("0")
    expect(atlas_map).to_have_attribute("data-zoom", "1.000")

    box = atlas_map.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    page.wait_for_function("Number(document.getElementById('atlas-map').dataset.zoom) > 1.2")
    panned = atlas_map.get_attribute("data-pan")
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2 + 40, steps=5)
    page.mouse.up()
    expect(atlas_map).not_to_have_attribute("data-pan", panned)
    assert "#cell-" not in page.url, "a drag is not a click on a cell"

    page.get_by_role("button", name="reset").click()
    cell = atlas.cells.first()
    detail = page.locator(f"#cell-{cell.x}-{cell.y}")
    expect(detail).to_be_hidden()
    page.locator(f'.atlas-cell[data-cell="{cell.x}-{cell.y}"]').click()
    expect(detail).to_be_visible()
    expect(detail.locator(".atlas-frames a").first).to_be_visible()
    expect(detail.locator(".atlas-channels a").first).to_have_attribute(
        "href", f"/n/efficientnet-lite0/{LAYER}/{cell.top_channels[0][0]}/"
    )
    detail.locator(".atlas-frames a").first.click()
    expect(page.locator("h1")).to_contain_text(".jpg")
