"""A new atlas's layer page swaps its grey boxes for stills as they finish, without a reload."""

import re

import pytest
from playwright.sync_api import expect

from catalog.atlas.jobs import render_stills
from catalog.atlas.models import Still

pytestmark = pytest.mark.browser


def test_the_layer_page_shows_a_still_as_it_finishes(page, live_server, registered):
    page.goto(f"{live_server.url}/n/efficientnet-lite0/block3/")
    expect(page.locator("#to-come")).to_have_text(re.compile(r"^40 stills to come"))
    cell = page.locator(".grid li").nth(2)
    expect(cell.locator(".placeholder")).to_be_visible()
    still = Still.objects.get(channel__layer__name="block3", channel__index=2)
    assert still.status == Still.QUEUED and still.queue == "fill"
    render_stills([still.id])  # as a worker would, at the tests' tiny size
    image = cell.locator("img.thumb")
    expect(image).to_be_visible(timeout=30_000)
    loaded = page.wait_for_function(
        "document.querySelectorAll('.grid li')[2].querySelector('img').naturalWidth"
    )
    assert loaded.json_value() == 48
    expect(page.locator("#to-come")).to_have_text(re.compile(r"^39 stills to come"))
    expect(page.locator("#rendered")).to_have_text("1 rendered")
    expect(page.locator(".grid .placeholder")).to_have_count(39)
