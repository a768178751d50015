"""Prints ordered from a channel page: one queued `render_print` job a channel and size.

The job id is deterministic (`print-<channel>-<size>`), so ordering twice joins the job
already waiting; progress lives in the job's meta; the finished PNG is saved in the media
storage under prints/, named as `render_print` names it; a page links it when it exists.
"""

from __future__ import annotations

import io
import time

import django_rq
from django.conf import settings
from django.core.files.storage import default_storage
from rq.exceptions import NoSuchJobError
from rq.job import Job

from catalog import queues
from catalog.atlas.models import Channel
from catalog.storage import save_bytes
from renderer import SpecError

PROGRESS_EVERY = 2.0  # seconds between progress writes to Redis


def print_name(channel: Channel, size: int) -> str:
    """The print's name in the media storage (the same as `render_print` writes)."""
    return f"prints/{channel.layer.network.name}-{channel.layer.name}-{channel.index}-{size}.png"


def job_id_for(channel: Channel, size: int) -> str:
    return f"print-{channel.id}-{size}"


def check_size(size: int) -> int:
    """`size` if staff may order a print that large (ATLAS_PRINT_SIZES), else SpecError."""
    allowed = settings.ATLAS_PRINT_SIZES
    if size not in allowed:
        raise SpecError("size", f"a print is {', '.join(map(str, allowed))} px")
    return size


def queue_print(channel: Channel, size: int) -> Job:
    """Queue the print of `channel` at `size` px (or return the job already waiting)."""
    check_size(size)
    job_id = job_id_for(channel, size)
    with queues.redis_errors_as_unavailable():
        job = _job(job_id)
        if job is not None and job.get_status() in ("queued", "started", "deferred"):
            return job
        if job is not None:
            job.delete()
        start = dict(settings.ATLAS_PRINT_STILL)  # decided here, so every worker agrees
        return queues.enqueue(
            queues.RENDER,
            render_print_job,
            channel.id,
            size,
            start,
            job_id=job_id,
            job_timeout=6 * 3600,
        )


def print_state(channel: Channel, size: int) -> dict:
    """What the page shows: `status` (none, queued, started, failed, done), progress, url."""
    name = print_name(channel, size)
    if default_storage.exists(name):
        url = default_storage.url(name)
        return {"size": size, "status": "done", "progress": 1.0, "url": url}
    with queues.redis_errors_as_unavailable():
        job = _job(job_id_for(channel, size))
    if job is None:
        return {"size": size, "status": "none", "progress": 0.0, "url": None}
    status = getattr(job.get_status(), "value", "none")  # an RQ JobStatus, or None
    status = "failed" if status in ("failed", "stopped", "canceled") else status
    progress = float(job.get_meta(refresh=True).get("progress", 0.0))
    return {"size": size, "status": str(status), "progress": progress, "url": None}


def prints_of(channel: Channel) -> list[dict]:
    """The state of every print size of `channel`."""
    return [print_state(channel, size) for size in settings.ATLAS_PRINT_SIZES]


def render_print_job(channel_id: int, size: int, start: dict) -> str:
    """RQ job: grow the channel's print from a still rendered with `start` (size, steps)
    and save it in the media storage under prints/."""
    from catalog.atlas.jobs import network_for
    from renderer.prints import render_print

    channel = Channel.objects.select_related("layer__network").get(id=channel_id)
    name = print_name(channel, size)
    if default_storage.exists(name):
        return name
    spec = channel.spec(**start)
    image = render_print(network_for(channel.layer.network_id), spec, size, _progress_writer())
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300))
    return save_bytes(name, out.getvalue())


def _progress_writer():
    from rq import get_current_job

    job, last = get_current_job(), [0.0]

    def write(done: int, total: int) -> None:
        now = time.monotonic()
        if job is None or (now - last[0] < PROGRESS_EVERY and done < total):
            return
        last[0] = now
        job.meta["progress"] = round(done / max(total, 1), 3)
        job.save_meta()

    return write


def _job(job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=django_rq.get_connection(queues.RENDER))
    except NoSuchJobError:
        return None
