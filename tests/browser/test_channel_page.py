import re

from playwright.sync_api import expect

from catalog.atlas.models import Still


def test_an_uncached_channel_shows_progress_then_its_image(
    page, live_server, registered, background_worker, settings
):
    settings.ATLAS_DEFAULT_STILL = {"size": 64, "steps": 48}
    page.goto(f"{live_server.url}/n/efficientnet-lite0/block8/5/")
    expect(page.locator("#progress")).to_be_visible()
    expect(page.locator("#progress-label")).to_have_text(re.compile("queued|running"))
    image = page.locator("#still-image")
    expect(image).to_be_visible(timeout=180_000)
    loaded = page.wait_for_function("document.getElementById('still-image').naturalWidth")
    assert loaded.json_value() == 64
    expect(page.locator('[data-figure="rank"]')).to_have_text(re.compile(r"^\d+ of 112$"))
    expect(page.locator('[data-figure="seconds"]')).to_have_text(re.compile(r"^[\d.]+ s$"))
    assert Still.objects.get().status == Still.DONE


def test_walking_from_home_to_a_channel(page, live_server, registered):
    page.goto(live_server.url)
    page.get_by_role("link", name="efficientnet-lite0").click()
    page.get_by_role("link", name=re.compile(r"\bblock3$")).click()
    expect(page.locator(".grid li")).to_have_count(40)
    page.locator(".grid a").nth(7).click()
    expect(page.locator("h1")).to_have_text("block3:7")
    page.get_by_role("link", name="8 →").click()
    expect(page.locator("h1")).to_have_text("block3:8")
