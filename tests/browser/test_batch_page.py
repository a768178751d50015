import re

from django.contrib.auth.models import User
from playwright.sync_api import expect

from catalog.atlas.batches import prepare_stills, start_batch
from catalog.atlas.jobs import queue_render_for
from catalog.atlas.models import Layer


def log_in(page, live_server, client, user):
    """Log in by cookie: the test client's session, handed to the browser."""
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_the_batch_page_follows_the_workers_until_the_batch_is_finished(
    page, live_server, client, registered, background_worker, settings
):
    settings.ATLAS_DEFAULT_STILL = {"size": 32, "steps": 2}
    admin = User.objects.create_superuser("ada", "ada@example.org", "pw")
    log_in(page, live_server, client, admin)
    batch = start_batch(registered, Layer.objects.filter(name="block0"), prepare=False)
    prepare_stills(batch, queue=False)  # counted, not queued yet: the page shows 0 done
    page.goto(f"{live_server.url}/batches/{batch.id}/")
    expect(page.locator('[data-count="done"]')).to_have_text("0")
    expect(page.locator('[data-count="total"]')).to_have_text("16")

    queue_render_for(list(batch.stills.all()))  # the workers start: the page follows them
    expect(page.locator('[data-count="status"]')).to_have_text("finished", timeout=180_000)
    expect(page.locator('[data-count="done"]')).to_have_text("16")
    expect(page.locator('[data-count="time_left"]')).to_have_text(re.compile(r"^0 s$"))
    expect(page.locator("#cancel")).to_be_disabled()
