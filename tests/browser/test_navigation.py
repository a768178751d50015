"""A visitor walks the atlas with the keyboard and on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from catalog.atlas.models import Channel
from tests.conftest import render_inline

PHONE = {"width": 390, "height": 844}


def test_the_arrow_keys_cross_a_layer_edge_and_u_goes_up(page, live_server, registered):
    page.goto(f"{live_server.url}/n/efficientnet-lite0/stem/31/")
    expect(page.locator("#keys")).to_contain_text("up to the layer")
    page.keyboard.press("ArrowRight")
    expect(page.locator("h1")).to_have_text("block0:0")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("h1")).to_have_text("stem:31")
    page.keyboard.press("]")
    expect(page.locator("h1")).to_have_text("block0")
    page.keyboard.press("ArrowRight")
    expect(page.locator("h1")).to_have_text("block1")
    page.keyboard.press("u")
    expect(page.locator("h1")).to_have_text("efficientnet-lite0")


def test_typing_in_the_search_box_does_not_navigate(page, live_server, registered):
    page.goto(f"{live_server.url}/n/efficientnet-lite0/stem/31/")
    page.get_by_role("searchbox", name="search").press("ArrowRight")
    page.get_by_role("searchbox", name="search").press("u")
    expect(page.locator("h1")).to_have_text("stem:31")


@pytest.mark.parametrize(
    "path",
    ["/", "/n/efficientnet-lite0/block3/", "/n/efficientnet-lite0/block3/1/"],
    ids=["home", "layer", "channel"],
)
def test_a_phone_sized_screen_never_scrolls_sideways(browser, live_server, registered, path):
    render_inline(list(Channel.objects.filter(layer__name="block3", index__lt=3)))
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide"
    expect(page.get_by_role("searchbox", name="search")).to_be_in_viewport()
    expect(page.get_by_role("link", name="log in")).to_be_in_viewport()
    context.close()
