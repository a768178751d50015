import datetime

import pytest
import redis
from django.urls import reverse

from catalog.atlas.models import Channel, Still
from tests.conftest import WORKER_QUEUES, queued_job_ids


def channel_url(layer="block10", index=3, network="efficientnet-lite0"):
    return reverse("channel", args=[network, layer, index])


def queued_jobs(settings) -> int:
    return len(queued_job_ids(settings))


def test_the_home_page_lists_the_networks(client, registered):
    page = client.get("/")
    assert page.status_code == 200
    assert b"efficientnet-lite0" in page.content


def test_the_network_page_lists_its_layers_in_order(client, registered):
    page = client.get(reverse("network", args=["efficientnet-lite0"])).content.decode()
    assert page.index("stem") < page.index("block10") < page.index("logits")
    assert "not yet rendered" in page


def test_the_layer_page_shows_every_channel_and_marks_unrendered_ones(client, registered):
    page = client.get(reverse("layer", args=["efficientnet-lite0", "block10"]))
    assert page.status_code == 200
    assert page.content.count(b"not yet rendered") == 112
    assert b"0 rendered" in page.content


def test_opening_an_uncached_channel_queues_exactly_one_job(client, settings, registered):
    for _ in range(3):
        page = client.get(channel_url())
        assert page.status_code == 200
        assert b'role="progressbar"' in page.content
    still = Still.objects.get()
    assert still.status == Still.QUEUED and still.is_default
    assert queued_jobs(settings) == 1


def test_a_job_lost_by_redis_is_queued_again(client, settings, registered):
    client.get(channel_url())
    redis.Redis.from_url(settings.RQ_QUEUES["render"]["URL"]).flushdb()
    client.get(channel_url())
    assert queued_jobs(settings) == 0  # within the grace period the job may still be on its way
    a_minute_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    Still.objects.update(queued_at=a_minute_ago)
    client.get(channel_url())
    client.get(channel_url())
    assert queued_jobs(settings) == 1


def test_the_channel_page_links_previous_next_and_up(client, registered):
    page = client.get(channel_url(index=3)).content.decode()
    assert channel_url(index=2) in page and channel_url(index=4) in page
    assert reverse("layer", args=["efficientnet-lite0", "block10"]) in page
    first = client.get(channel_url(index=0)).content.decode()
    assert f'rel="prev" data-key="prev" href="{channel_url("block9", 111)}"' in first
    very_first = client.get(channel_url("stem", 0)).content.decode()
    assert 'rel="prev"' not in very_first


@pytest.mark.parametrize(
    "url",
    [
        "/n/nonet/",
        "/n/efficientnet-lite0/block99/",
        "/n/efficientnet-lite0/block10/112/",
        "/n/nonet/block10/1/",
    ],
)
def test_unknown_networks_layers_and_channels_are_404(client, registered, url):
    page = client.get(url)
    assert page.status_code == 404
    assert b"Not in the atlas" in page.content


@pytest.mark.parametrize(
    "query, field",
    [
        ("steps=zero", "steps"),
        ("size=4", "size"),
        ("style=oil", "style"),
        ("size=4096", "size"),
        ("seed=-1", "seed"),
    ],
)
def test_an_invalid_render_parameter_is_a_400_naming_the_field(client, registered, query, field):
    page = client.get(channel_url() + "?" + query)
    assert page.status_code == 400
    assert f"<code>{field}</code>".encode() in page.content
    assert not Still.objects.exists()


def test_a_variant_within_the_visitor_limits_is_its_own_still(client, registered):
    client.get(channel_url())
    client.get(channel_url() + "?seed=5&steps=4")
    assert Still.objects.count() == 2
    assert Still.objects.filter(is_default=False).get().spec["seed"] == 5


def test_with_redis_down_cached_pages_work_and_uncached_ones_say_so(
    client, settings, registered, run_worker
):
    client.get(channel_url(index=1))
    run_worker()
    down = {"URL": "redis://127.0.0.1:1/0"}
    settings.RQ_QUEUES = {name: down for name in WORKER_QUEUES}
    cached = client.get(channel_url(index=1))
    assert cached.status_code == 200 and b'id="still-image"' in cached.content
    uncached = client.get(channel_url(index=2))
    assert uncached.status_code == 200
    assert b"Rendering is unavailable" in uncached.content
    assert Still.objects.get(channel__index=2).status == Still.NEW  # retried on next visit


def test_the_status_endpoint_reports_progress_then_the_image(client, registered, run_worker):
    client.get(channel_url())
    still = Still.objects.get()
    status = client.get(reverse("still-status", args=[still.id])).json()
    assert status["status"] == "queued" and status["image"] is None
    run_worker()
    status = client.get(reverse("still-status", args=[still.id])).json()
    assert status["status"] == "done" and status["progress"] == 1.0
    assert status["image"].endswith(".png") and status["figures"]["rank"] >= 1
    assert client.get(status["image"]).status_code == 200


def test_the_layer_and_network_pages_show_cached_thumbnails(client, registered, run_worker):
    client.get(channel_url(index=4))
    run_worker()
    still = Still.objects.get()
    layer_page = client.get(reverse("layer", args=["efficientnet-lite0", "block10"]))
    assert still.image.url.encode() in layer_page.content
    assert layer_page.content.count(b"not yet rendered") == 111
    network_page = client.get(reverse("network", args=["efficientnet-lite0"]))
    assert still.image.url.encode() in network_page.content
    assert Channel.objects.get(layer__name="block10", index=4).stills.count() == 1


def test_the_channel_page_shows_what_the_network_sees_in_its_still(client, registered):
    from tests.conftest import render_inline

    channel = Channel.objects.get(layer__name="block10", index=3)
    (still,) = render_inline([channel])
    page = client.get(channel_url()).content.decode()
    top = still.top_classes[0]
    assert top["label"] in page and f"{top['probability']:.0%}" in page
    assert f'data-figure="puppyslug">{still.puppyslug_index:.2f}<' in page


def test_a_layer_sorts_by_puppyslug_index_most_animal_first(client, registered):
    channels = Channel.objects.filter(layer__name="block2").order_by("index")
    for index, share in ((0, 0.1), (5, 0.9), (7, 0.5)):
        still = channels[index].still_for(channels[index].spec())
        Still.objects.filter(id=still.id).update(
            status=Still.DONE, image=f"stills/{index}.png", puppyslug_index=share
        )
    url = reverse("layer", args=["efficientnet-lite0", "block2"])
    page = client.get(url, {"sort": "puppyslug"}).content.decode()
    order = [page.index(f'href="{channels[i].get_absolute_url()}"') for i in (5, 7, 0, 1)]
    assert order == sorted(order)
    assert ">0.90<" in page and "most puppyslug first</strong>" in page
    plain = client.get(url).content.decode()
    first, second = (plain.index(f'href="{channels[i].get_absolute_url()}"') for i in (0, 5))
    assert first < second


def test_the_contact_sheet_shows_every_channel_of_a_layer_for_print(client, registered):
    page = client.get(reverse("contact-sheet", args=["efficientnet-lite0", "block3"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<span class="blank"></span>') == 40 and "@page" not in html
    assert 'class="print"' in html
    layer_page = client.get(reverse("layer", args=["efficientnet-lite0", "block3"])).content
    assert reverse("contact-sheet", args=["efficientnet-lite0", "block3"]).encode() in layer_page
