"""A channel page's still (enlarge, download) and its sketch form, in a real browser."""

from pathlib import Path

from playwright.sync_api import expect

from catalog.atlas.models import Channel, Still
from tests.conftest import render_inline

CHANNEL = "/n/efficientnet-lite0/block3/7/"


def test_the_still_enlarges_and_downloads_as_a_png(page, live_server, registered):
    render_inline([Channel.objects.get(layer__name="block3", index=7)])
    page.goto(live_server.url + CHANNEL)
    image = page.locator("#still-image")
    assert image.evaluate("i => i.getBoundingClientRect().width") == 480  # 48 px at 10×
    image.click()
    lightbox = page.locator("#lightbox")
    expect(lightbox).to_be_visible()
    assert lightbox.locator("img").evaluate("i => i.getBoundingClientRect().width") > 480
    page.keyboard.press("Escape")
    expect(lightbox).to_be_hidden()
    with page.expect_download() as download:
        page.locator("#download").click()
    assert download.value.suggested_filename == "efficientnet-lite0-block3-7.png"
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_sketch_form_shows_the_fields_of_the_chosen_objective(page, live_server, registered):
    page.goto(live_server.url + CHANNEL)
    form = page.locator("#sketch-form")
    count, channel_b = form.get_by_label("Count"), form.get_by_label("Channel B")
    expect(count).to_be_hidden()
    expect(channel_b).to_be_hidden()
    form.get_by_label("Objective").select_option("diversity")
    expect(count).to_be_visible()
    expect(channel_b).to_be_hidden()
    expect(page.locator('[data-choice="objective:diversity"]')).to_have_class("chosen")
    form.get_by_label("Objective").select_option("interpolate")
    expect(channel_b).to_be_visible()
    form.get_by_label("Objective").select_option("channel")
    expect(count).to_be_hidden()


def test_an_invalid_value_is_shown_at_its_field_with_what_was_typed(page, live_server, registered):
    page.goto(live_server.url + CHANNEL)
    form = page.locator("#sketch-form")
    form.get_by_label("Objective").select_option("interpolate")
    form.get_by_label("Count").fill("3")
    form.get_by_label("Channel B").fill("112")  # block3 has 40 channels
    form.get_by_label("Seed").fill("17")
    form.get_by_role("button", name="Render").click()
    expect(page.locator("#sketch-channel_b-error")).to_contain_text("0-39")
    form = page.locator("#sketch-form")
    expect(form.get_by_label("Channel B")).to_have_value("112")
    expect(form.get_by_label("Channel B")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Seed")).to_have_value("17")
    expect(form.get_by_label("Objective")).to_have_value("interpolate")
    assert not Still.objects.filter(is_default=False).exists()
