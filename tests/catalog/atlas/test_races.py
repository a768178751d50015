"""Races between separate processes, on PostgreSQL: visitors, workers, a cancelled batch.

SQLite serialises every writer with one file lock, so these races cannot happen there;
the PostgreSQL pass of scripts/test runs them (each process has its own connection).
"""

import time

import django_rq
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.utils import timezone

from catalog.atlas.batches import prepare_stills, start_batch
from catalog.atlas.models import Channel, Layer, Still
from tests.catalog.at_once import run_at_once
from tests.conftest import queued_job_ids, worker_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="needs PostgreSQL: SQLite's file lock serialises the racers "
        "(scripts/test runs these on a throwaway PostgreSQL)",
    ),
]


@pytest.fixture
def tiny_stills(settings):
    settings.ATLAS_DEFAULT_STILL = {"size": 32, "steps": 2}


def test_many_visitors_opening_one_new_channel_at_once_queue_exactly_one_job(
    transactional_db, registered, settings, tiny_stills
):
    channel = Channel.objects.get(layer__name="block0", index=3)
    still = channel.still_for(channel.spec())
    visitors = run_at_once(worker_env(settings), "watch", [str(still.id)], count=6)
    assert {visitor["read"] for visitor in visitors} == {Still.NEW}
    assert {visitor["after"] for visitor in visitors} == {Still.QUEUED}
    still.refresh_from_db()
    assert still.attempts == 1
    assert queued_job_ids(settings) == [still.job_id]


def test_of_two_workers_claiming_one_still_exactly_one_renders_it(
    transactional_db, registered, settings, tiny_stills
):
    channel = Channel.objects.get(layer__name="block0", index=5)
    still = channel.still_for(channel.spec())
    workers = run_at_once(worker_env(settings), "render", [str(still.id)], count=2)
    winners = [worker["worker"] for worker in workers if worker["claimed"] == [still.id]]
    assert len(winners) == 1, workers
    still.refresh_from_db()
    assert still.status == Still.DONE and still.rendered_by == winners[0]
    assert default_storage.exists(still.image.name)


def test_a_batch_cancelled_while_it_renders_ends_with_each_still_done_or_cancelled(
    transactional_db, registered, settings, background_worker
):
    settings.ATLAS_DEFAULT_STILL = {"size": 32, "steps": 8}
    settings.ATLAS_JOB_SIZE, settings.ATLAS_BATCH_SIZE = 2, 1
    batch = start_batch(registered, Layer.objects.filter(name="block0"), prepare=False)
    prepare_stills(batch)
    _wait_for(lambda: batch.stills.filter(status=Still.DONE).exists())
    assert batch.cancel() > 0
    cancelled_by = timezone.now()
    _wait_for(lambda: _worker_drained(settings))  # every job of the batch ran (or skipped)
    assert not batch.stills.filter(status__in=(Still.QUEUED, Still.RUNNING)).exists()
    stills = list(batch.stills.all())
    statuses = {still.status for still in stills}
    assert statuses <= {Still.DONE, Still.CANCELLED} and Still.CANCELLED in statuses
    for still in stills:
        if still.status == Still.DONE:
            assert still.started_at < cancelled_by, "a worker claimed a cancelled still"
            assert default_storage.exists(still.image.name)
        else:
            assert not still.image and not still.job_id and still.started_at is None
    assert batch.progress_dict()["status"] == "cancelled"


def _worker_drained(settings) -> bool:
    render = django_rq.get_queue("render")
    return not queued_job_ids(settings) and render.started_job_registry.count == 0


def _wait_for(condition, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
