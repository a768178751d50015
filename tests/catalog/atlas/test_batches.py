"""Batch renders against real Redis and real worker processes."""

from datetime import timedelta

import pytest
import redis
from django.urls import reverse
from django.utils import timezone

from catalog.atlas.batches import prepare_stills, retry_batch, start_batch
from catalog.atlas.models import BatchRender, Layer, Network, Still
from tests.conftest import render_inline


@pytest.fixture(autouse=True)
def tiny_stills(settings):
    settings.ATLAS_DEFAULT_STILL = {"size": 32, "steps": 2}


def layers(*names):
    return list(Layer.objects.filter(name__in=names).order_by("position"))


def queued_jobs(settings) -> int:
    return redis.Redis.from_url(settings.RQ_QUEUES["render"]["URL"]).llen("rq:queue:render")


def test_a_batch_renders_its_layers_in_jobs_of_batch_size_and_reports_progress(
    registered, run_worker, settings, admin_user
):
    settings.ATLAS_JOB_SIZE = 8
    batch = start_batch(registered, layers("block0"), created_by=admin_user)
    assert batch.progress_dict()["status"] == "preparing"
    run_worker()  # prepares on the default queue, then renders the jobs it queued
    batch.refresh_from_db()
    progress = batch.progress_dict()
    assert progress["status"] == "finished" and progress["total"] == 16
    assert progress["done"] == 16 and progress["queued"] == progress["failed"] == 0
    assert progress["fraction"] == 1.0 and progress["seconds_left"] == 0.0
    assert len(set(batch.stills.values_list("job_id", flat=True))) == 2
    assert batch.layer_counts() == [{"layer": "block0", "done": 16, "total": 16}]
    assert all(s.puppyslug_index is not None for s in batch.stills.all())


def test_cached_stills_are_not_rendered_again(registered, run_worker, settings):
    rendered = render_inline(layers("block0")[0].channels.all()[:5])
    finished = {still.id: still.finished_at for still in rendered}
    batch = start_batch(registered, layers("block0"), prepare=False)
    prepare_stills(batch)
    assert batch.counts()["done"] == 5 and batch.counts()["queued"] == 11
    run_worker()
    assert batch.counts()["done"] == 16
    for still in Still.objects.filter(id__in=finished):
        assert still.finished_at == finished[still.id]


def test_cancelling_a_batch_stops_its_queued_stills_and_retry_renders_them(
    registered, run_worker, settings
):
    batch = start_batch(registered, layers("block0"), prepare=False)
    prepare_stills(batch)
    assert queued_jobs(settings) == 1
    assert batch.cancel() == 16
    assert batch.progress_dict()["status"] == "cancelled"
    run_worker()  # the job finds nothing it may claim
    assert batch.counts()["cancelled"] == 16
    assert not batch.stills.exclude(image="").exists()

    assert retry_batch(batch) == 16
    assert batch.progress_dict()["status"] == "running"
    run_worker()
    assert batch.progress_dict()["status"] == "finished" and batch.counts()["done"] == 16


def test_retry_queues_only_the_failed_stills(registered, run_worker, settings):
    Network.objects.filter(id=registered.id).update(weights="/nonexistent/lite0.pth")
    batch = start_batch(registered, layers("block0"), prepare=False)
    prepare_stills(batch)
    run_worker()
    assert batch.counts()["failed"] == 16 and batch.progress_dict()["status"] == "finished"
    assert "lite0.pth" in batch.stills.first().error

    Network.objects.filter(id=registered.id).update(weights="")
    Still.objects.filter(id=batch.stills.first().id).update(status=Still.DONE)
    assert retry_batch(batch) == 15
    run_worker()
    assert batch.counts() == {
        "total": 16,
        "done": 16,
        "queued": 0,
        "running": 0,
        "pending": 0,
        "failed": 0,
        "cancelled": 0,
    }


def test_a_cancelled_still_renders_when_a_visitor_opens_its_channel(client, registered, run_worker):
    batch = start_batch(registered, layers("block0"), prepare=False)
    prepare_stills(batch)
    batch.cancel()
    still = batch.stills.order_by("channel__index").first()
    client.get(still.channel.get_absolute_url())
    run_worker()
    still.refresh_from_db()
    assert still.status == Still.DONE
    assert batch.counts()["cancelled"] == 15


def test_time_left_follows_the_pace_of_the_batch(registered):
    batch = start_batch(registered, layers("block0"), prepare=False)
    prepare_stills(batch, queue=False)
    assert batch.seconds_left() is None  # nothing rendered yet: no pace
    now = timezone.now()
    first_four = batch.stills.order_by("channel__index")[:4]
    Still.objects.filter(id__in=[s.id for s in first_four]).update(
        status=Still.DONE, started_at=now - timedelta(seconds=40), finished_at=now
    )
    # 4 stills in 40 s, 12 to go: about 120 s.
    assert 115 <= batch.seconds_left() <= 125


def test_the_progress_page_and_its_status_endpoint(admin_client, registered):
    batch = start_batch(registered, layers("block0", "block1"), prepare=False)
    prepare_stills(batch, queue=False)
    page = admin_client.get(reverse("batch", args=[batch.id])).content.decode()
    assert 'data-count="total">40<' in page and "batch.js" in page
    assert 'id="cancel"' in page and 'id="retry"' in page
    status = admin_client.get(reverse("batch-status", args=[batch.id])).json()
    assert status["total"] == 40 and status["queued"] == 40 and status["status"] == "running"
    assert status["layers"] == [
        {"layer": "block0", "done": 0, "total": 16},
        {"layer": "block1", "done": 0, "total": 24},
    ]
    listing = admin_client.get(reverse("batches")).content.decode()
    assert batch.get_absolute_url() in listing


def test_the_admin_starts_a_batch_for_a_whole_network_and_lands_on_its_page(
    admin_client, registered
):
    response = admin_client.post(
        reverse("admin:atlas_network_changelist"),
        {"action": "batch_render_networks", "_selected_action": [registered.id]},
    )
    batch = BatchRender.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    assert batch.layers.count() == registered.layers.count()
    assert batch.created_by.username == "admin"
