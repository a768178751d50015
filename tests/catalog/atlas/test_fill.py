"""A new atlas shows itself: opening a page queues its missing default stills on the fill
queue, once, in the order the page shows them; the page polls them in as they finish; a
fill job gives way to the live queue."""

import io
import math
from types import SimpleNamespace

import redis
from django.urls import reverse
from PIL import Image
from rq.job import Job

from catalog import queues
from catalog.atlas import fill, jobs
from catalog.atlas.models import Channel, Layer, Still
from tests.conftest import queued_job_ids

NETWORK = "efficientnet-lite0"


def connection(settings) -> redis.Redis:
    return redis.Redis.from_url(settings.RQ_QUEUES["fill"]["URL"])


def fill_jobs(settings) -> list[list[int]]:
    """The still ids of each job waiting on the fill queue, in the order workers take them."""
    redis_ = connection(settings)
    ids = [job_id.decode() for job_id in redis_.lrange("rq:queue:fill", 0, -1)]
    return [Job.fetch(job_id, connection=redis_).args[0] for job_id in ids]


def channel_indices(still_ids: list[int]) -> list[tuple[str, int]]:
    stills = Still.objects.in_bulk(still_ids)
    return [(stills[i].channel.layer.name, stills[i].channel.index) for i in still_ids]


def layer_url(layer: str) -> str:
    return reverse("layer", args=[NETWORK, layer])


def test_opening_a_layer_page_queues_its_missing_stills_once_in_channel_order(
    client, settings, registered
):
    page = client.get(layer_url("block3"))
    assert page.status_code == 200
    assert b"40 stills to come" in page.content and b'data-fill="' in page.content
    queued = fill_jobs(settings)
    assert len(queued) == math.ceil(40 / settings.ATLAS_FILL_BATCH)
    assert all(len(job) <= settings.ATLAS_FILL_BATCH for job in queued)
    in_order = [cell for job in queued for cell in channel_indices(job)]
    assert in_order == [("block3", index) for index in range(40)]
    stills = Still.objects.filter(channel__layer__name="block3")
    assert stills.count() == 40
    assert all(s.is_default and s.origin == Still.ATLAS for s in stills)
    assert set(stills.values_list("status", "queue")) == {(Still.QUEUED, queues.FILL)}
    before = queued_job_ids(settings)
    client.get(layer_url("block3"))
    client.get(layer_url("block3") + "?sort=puppyslug")
    assert queued_job_ids(settings) == before
    assert set(Still.objects.values_list("attempts", flat=True)) == {1}


def test_a_layer_with_rendered_channels_queues_only_the_missing_ones(client, settings, registered):
    layer = Layer.objects.get(name="block0")
    stills = layer.default_stills()
    Still.objects.filter(id__in=[s.id for s in stills[:10]]).update(
        status=Still.DONE, image="stills/x.png"
    )
    Still.objects.filter(id=stills[10].id).update(status=Still.FAILED, error="boom")
    client.get(layer_url("block0"))
    assert [cell for job in fill_jobs(settings) for cell in channel_indices(job)] == [
        ("block0", index) for index in range(11, 16)
    ]
    assert Still.objects.get(id=stills[10].id).status == Still.FAILED  # staff retry it


def test_the_network_and_home_pages_queue_one_still_a_layer(client, settings, registered):
    client.get("/")
    home = [cell for job in fill_jobs(settings) for cell in channel_indices(job)]
    spread = [layer.name for layer in fill.strip_layers(registered)]
    assert home == [(name, 0) for name in spread] and len(spread) == 8
    assert b"on its way" in client.get("/").content
    client.get(reverse("network", args=[NETWORK]))
    queued = [cell for job in fill_jobs(settings) for cell in channel_indices(job)]
    layers = list(Layer.objects.filter(network=registered).values_list("name", flat=True))
    assert sorted(queued) == sorted((name, 0) for name in layers)  # each once
    assert len(queued) == len(set(queued)) == 19


def test_a_crowd_opening_many_layers_leaves_at_most_one_pending_fill_a_layer(
    client, settings, registered
):
    opened = ["stem", "block0", "block1", "block2", "block3", "block5", "block8", "block11"]
    for _ in range(3):
        client.get("/")
        client.get(reverse("network", args=[NETWORK]))
        for name in opened:
            client.get(layer_url(name))
    queued = fill_jobs(settings)
    ids = [still_id for job in queued for still_id in job]
    assert len(ids) == len(set(ids))  # no still in two jobs
    layers = Layer.objects.filter(network=registered)
    opened_channels = sum(layer.channel_count for layer in layers if layer.name in opened)
    assert len(ids) == opened_channels + (19 - len(opened))  # their channels, first of others
    batch = settings.ATLAS_FILL_BATCH
    bound = sum(1 + math.ceil((layer.channel_count - 1) / batch) for layer in layers)
    assert len(queued) <= bound
    assert len(queued) <= len(opened) + sum(
        math.ceil(layer.channel_count / batch) for layer in layers if layer.name in opened
    ) + math.ceil((19 - len(opened)) / batch)
    assert Still.objects.pending().count() == len(ids) and Still.objects.count() == len(ids)


def test_with_redis_down_the_pages_render_and_nothing_is_queued(client, settings, registered):
    down = {"URL": "redis://127.0.0.1:1/0"}
    settings.RQ_QUEUES = {name: down for name in queues.WORKER_QUEUES}
    for url in ("/", reverse("network", args=[NETWORK]), layer_url("block3")):
        page = client.get(url)
        assert page.status_code == 200
        assert b"to come" not in page.content
    assert not Still.objects.exclude(status=Still.NEW).exists()
    assert not Still.objects.exclude(job_id="").exists()


def test_with_fill_off_the_pages_queue_nothing(client, settings, registered):
    settings.ATLAS_FILL = False
    client.get("/")
    client.get(layer_url("block3"))
    assert queued_job_ids(settings) == [] and not Still.objects.exists()


def a_png(side: int = 48) -> bytes:
    """A real small still (a gradient, so a broken image is not mistaken for it)."""
    image = Image.linear_gradient("L").resize((side, side)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def finish(still: Still) -> None:
    from catalog.storage import save_bytes

    name = save_bytes(f"stills/test/{still.id}.png", a_png())
    Still.objects.filter(id=still.id).finish(image=name, figures={}, seconds=1.0)


def test_the_layer_json_reports_stills_as_they_finish(client, settings, registered):
    client.get(layer_url("block3"))
    url = reverse("layer-stills", args=[NETWORK, "block3"])
    assert client.get(url).json() == {"to_come": 40, "cells": {}, "rendered": 0}
    still = Still.objects.get(channel__layer__name="block3", channel__index=3)
    finish(still)
    status = client.get(url).json()
    assert status["to_come"] == 39 and status["rendered"] == 1
    assert list(status["cells"]) == ["3"]
    thumb = status["cells"]["3"]["thumb"]
    assert client.get(thumb).status_code == 200


def test_the_network_and_home_json_report_each_layers_still(client, settings, registered):
    client.get("/")
    client.get(reverse("network", args=[NETWORK]))
    still = Still.objects.get(channel__layer__name="stem", channel__index=0)
    finish(still)
    network = client.get(reverse("network-stills", args=[NETWORK])).json()
    assert list(network["cells"]) == ["stem"] and network["to_come"] == 18
    assert network["cells"]["stem"]["title"] == "stem:0"
    home = client.get(reverse("home-stills")).json()
    assert list(home["cells"]) == [f"{NETWORK}/stem"] and home["to_come"] == 7


def fill_job(monkeypatch) -> None:
    """Run `render_stills` below as if a worker had taken it from the fill queue."""
    monkeypatch.setattr(jobs, "get_current_job", lambda: SimpleNamespace(origin=queues.FILL))
    monkeypatch.setattr(jobs, "YIELD_CHECK", 0.0)


def test_a_fill_job_gives_way_to_a_waiting_live_job(monkeypatch, settings, registered):
    settings.ATLAS_BATCH_SIZE = 1
    stills = [c.still_for(c.spec()) for c in Channel.objects.filter(layer__name="block0")[:3]]
    jobs.queue_render_for(stills, queues.FILL)
    queues.enqueue(queues.LIVE, print, "a visitor's sketch", job_id="a-live-job")
    fill_job(monkeypatch)
    assert jobs.render_stills([s.id for s in stills]) == []  # stopped at its first step
    rows = Still.objects.filter(id__in=[s.id for s in stills])
    assert set(rows.values_list("status", "queue", "attempts")) == {(Still.QUEUED, queues.FILL, 2)}
    given_back = connection(settings).lrange("rq:queue:fill", 0, 0)[0].decode()
    assert set(rows.values_list("job_id", flat=True)) == {given_back}  # at the front
    assert sorted(Job.fetch(given_back, connection=connection(settings)).args[0]) == sorted(
        s.id for s in stills
    )


def test_a_fill_job_renders_on_while_the_live_queue_is_empty(monkeypatch, settings, registered):
    settings.ATLAS_BATCH_SIZE = 1
    stills = [c.still_for(c.spec()) for c in Channel.objects.filter(layer__name="block0")[:2]]
    jobs.queue_render_for(stills, queues.FILL)
    fill_job(monkeypatch)
    assert sorted(jobs.render_stills([s.id for s in stills])) == sorted(s.id for s in stills)
    assert set(Still.objects.values_list("status", flat=True)) == {Still.DONE}
