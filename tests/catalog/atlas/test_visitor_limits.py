"""Hostile visitors: limits on parsed values, rates, caps, cross-site requests, priority."""

import datetime
import threading

import pytest
from django.test import Client
from django.urls import reverse

from catalog import queues
from catalog.atlas.jobs import queue_render_for
from catalog.atlas.models import Channel, Layer, Still
from tests.conftest import queued_job_ids

CHANNEL = ("efficientnet-lite0", "block10", 3)


def channel_url(query="", index=3):
    return reverse("channel", args=[*CHANNEL[:2], index]) + query


@pytest.mark.parametrize(
    "query, field",
    [
        ("?size=%2B8192&steps=%2B10000", "size"),
        ("?size=%208000", "size"),
        ("?size=4_096&steps=5_000", "size"),
        ("?steps=5_000", "steps"),
        ("?objective=diversity&count=%2B16&size=%2B2048", "size"),
        ("?objective=diversity&count=%2B16", "count"),
    ],
)
def test_limits_are_checked_on_the_parsed_values(client, registered, settings, query, field):
    page = client.get(channel_url(query))
    assert page.status_code == 400
    assert f"<code>{field}</code>".encode() in page.content
    assert b"may ask for at most" in page.content
    assert not Still.objects.exists() and not queued_job_ids(settings)


def test_one_address_cannot_fill_the_queue(registered, settings):
    settings.ATLAS_VARIANT_RATE = "5/m"
    settings.ATLAS_MAX_PENDING_PER_VISITOR = 100
    answers = [Client().get(channel_url(f"?seed={seed}")) for seed in range(1, 21)]
    codes = [answer.status_code for answer in answers]
    assert codes.count(200) == 5 and codes.count(429) == 15
    refused = answers[-1]
    assert int(refused["Retry-After"]) > 0 and b"Try again in" in refused.content
    assert Still.objects.count() == 5 and len(queued_job_ids(settings)) == 5
    # The atlas itself is never refused.
    assert Client().get(channel_url(index=7)).status_code == 200
    assert Still.objects.filter(is_default=True).count() == 1


def test_a_visitor_has_few_variants_pending_and_all_visitors_a_bounded_number(registered, settings):
    settings.ATLAS_MAX_PENDING_PER_VISITOR = 2
    settings.ATLAS_MAX_PENDING_VARIANTS = 3
    visitor = Client()
    assert [visitor.get(channel_url(f"?seed={s}")).status_code for s in (1, 2, 3)] == [
        200,
        200,
        429,
    ]
    assert Client().get(channel_url("?seed=4")).status_code == 200
    assert Client().get(channel_url("?seed=5")).status_code == 429
    assert Still.objects.pending().filter(origin=Still.VISITOR).count() == 3
    assert visitor.get(channel_url("?seed=1")).status_code == 200  # its own, already queued


def test_a_cross_site_request_never_starts_a_render(client, registered, settings):
    page = client.get(channel_url("?seed=9"), HTTP_SEC_FETCH_SITE="cross-site")
    assert page.status_code == 200 and b"Render this variant" in page.content
    assert not Still.objects.exists() and not queued_job_ids(settings)
    client.get(channel_url("?seed=9"), HTTP_SEC_FETCH_SITE="same-origin")
    assert Still.objects.get().status == Still.QUEUED


@pytest.mark.django_db(transaction=True)
def test_many_visitors_finding_a_lost_job_queue_it_once(registered, settings):
    channel = Channel.objects.get(layer__name="block10", index=3)
    still = channel.still_for(channel.spec())
    long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    Still.objects.filter(id=still.id).update(
        status=Still.QUEUED, job_id="render-lost-1", queued_at=long_ago, queue="live"
    )
    start = threading.Barrier(12)
    codes = []

    def visit():
        start.wait()
        codes.append(Client().get(channel_url()).status_code)

    threads = [threading.Thread(target=visit) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * 12
    jobs = queued_job_ids(settings)
    assert len(jobs) == 1, jobs
    assert Still.objects.get(id=still.id).job_id == jobs[0]


def test_what_a_visitor_watches_goes_ahead_of_a_batch_render(client, registered, settings):
    layer = Layer.objects.get(name="block10")
    batch = layer.default_stills()[:8]
    queue_render_for(batch)  # a batch render: the render queue
    waiting_job = Still.objects.get(id=batch[3].id).job_id
    page = client.get(channel_url(index=3))  # in that batch, opened by a visitor
    still = Still.objects.get(id=batch[3].id)
    assert still.queue == queues.LIVE and still.job_id != waiting_job
    assert queued_job_ids(settings)[0] == still.job_id
    assert b"position 1 in the queue" in page.content
    other = client.get(channel_url(index=50))
    assert b"position 2 in the queue" in other.content
    status = client.get(reverse("still-status", args=[still.id])).json()
    assert status["position"] == 1


def test_the_moved_still_renders_once(client, registered, settings, run_worker):
    layer = Layer.objects.get(name="block10")
    batch = layer.default_stills()[:3]
    queue_render_for(batch)
    client.get(channel_url(index=1))
    run_worker()
    rendered = Still.objects.filter(id__in=[still.id for still in batch])
    assert set(rendered.values_list("status", flat=True)) == {Still.DONE}
    assert Still.objects.get(id=batch[1].id).queue == queues.LIVE
