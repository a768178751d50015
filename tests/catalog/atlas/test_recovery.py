"""Killed renders: a still whose render process died never stays "running"."""

import datetime
import os
import signal
import subprocess
import time

from django.contrib.auth.models import User
from django.urls import reverse

from catalog.atlas.jobs import queue_render_for, recover_stale_renders
from catalog.atlas.models import Channel, Still


def default_still(layer="block5", index=0, **overrides) -> Still:
    channel = Channel.objects.get(layer__name=layer, index=index)
    return channel.still_for(channel.spec(**overrides))


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def render_processes(worker_pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(worker_pid)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def test_a_render_process_killed_mid_render_is_recovered_and_renders(
    registered, settings, background_worker
):
    settings.ATLAS_DEFAULT_STILL = {"size": 48, "steps": 8}
    still = default_still(size=48, steps=300)
    queue_render_for([still])
    wait_for(
        lambda: Still.objects.get(id=still.id).progress > 0.02, 120, "the render to be under way"
    )
    (horse,) = wait_for(lambda: render_processes(background_worker.pid), 10, "a render process")
    os.kill(horse, signal.SIGKILL)
    killed_at = time.monotonic()
    wait_for(lambda: Still.objects.get(id=still.id).deaths == 1, 60, "the still to be recovered")
    assert time.monotonic() - killed_at < 60
    done = wait_for(
        lambda: Still.objects.filter(id=still.id, status=Still.DONE).first(), 480, "the re-render"
    )
    assert done.image and done.error == ""


def stale(still: Still) -> None:
    long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
    Still.objects.filter(id=still.id).update(
        status=Still.RUNNING, job_id="render-gone-1", started_at=long_ago, heartbeat_at=long_ago
    )


def test_stills_of_a_worker_that_died_whole_are_rendered_by_the_next_worker(registered, run_worker):
    still = default_still()
    stale(still)
    run_worker()
    still.refresh_from_db()
    assert still.status == Still.DONE and still.deaths == 1


def test_a_still_that_keeps_killing_its_renderer_fails_with_the_reason(registered, settings):
    settings.ATLAS_MAX_RENDER_DEATHS = 2
    still = default_still()
    stale(still)
    assert recover_stale_renders() == (1, 0)
    stale(still)
    assert recover_stale_renders() == (0, 1)
    still.refresh_from_db()
    assert still.status == Still.FAILED and "died 2 times" in still.error


def test_a_running_still_with_a_live_heartbeat_is_left_alone(registered):
    still = default_still()
    Still.objects.filter(id=still.id).claim()
    assert recover_stale_renders() == (0, 0)
    assert Still.objects.get(id=still.id).status == Still.RUNNING


def test_admins_retry_stale_running_stills(client, registered):
    still = default_still()
    stale(still)
    client.force_login(User.objects.create_superuser("root", password="pw"))
    url = reverse("admin:atlas_still_changelist")
    client.post(url, {"action": "retry_stale", "_selected_action": [still.id]})
    still.refresh_from_db()
    assert still.status == Still.QUEUED and still.deaths == 1
