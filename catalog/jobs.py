"""RQ entry points and the queueing around them.

Jobs take ids, never objects, and are idempotent: a still is claimed with a conditional
update (so two workers never render it twice), its image is written to a temporary file
and renamed into place, and any error marks it failed with the message.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from itertools import groupby
from pathlib import Path

import django_rq
from django.conf import settings
from django.utils import timezone
from redis.exceptions import RedisError
from rq import Callback
from rq.job import Job

import renderer
from catalog.models import Network, Still
from catalog.sketch import load_photos
from renderer.batching import batch_size_for
from renderer.classify import classify

log = logging.getLogger(__name__)
_networks: dict[str, renderer.Network] = {}


class RenderingUnavailable(Exception):
    """The render queue (Redis) cannot be reached; cached stills still show."""


def queue_render_for(stills: Iterable[Still]) -> list[Still]:
    """Queue every still that is new (or lost from Redis) in one job; return those queued.

    A still already queued or running with a live job is left alone, so reloads and many
    visitors add no duplicate jobs. Raises `RenderingUnavailable` when Redis is down.
    """
    stills = list(stills)
    lost = [s for s in stills if s.status == Still.QUEUED and not _job_alive(s)]
    claimed = lost + [
        s
        for s in stills
        if _claim(s, Still.NEW, Still.QUEUED) or _claim(s, Still.CANCELLED, Still.QUEUED)
    ]
    if not claimed:
        return []
    job_id = f"render-{claimed[0].spec_hash}-{len(claimed)}"
    ids = [still.id for still in claimed]
    Still.objects.filter(id__in=ids).update(job_id=job_id, queued_at=timezone.now())
    try:
        django_rq.get_queue("render").enqueue(
            render_stills, ids, job_id=job_id, on_failure=Callback(fail_stills_of_job)
        )
    except RedisError as exc:
        Still.objects.filter(id__in=ids, status=Still.QUEUED).update(status=Still.NEW, job_id="")
        raise RenderingUnavailable(f"the render queue is unavailable ({exc})") from exc
    for still in claimed:
        still.refresh_from_db()
    return claimed


def _claim(still: Still, from_status: str, to_status: str, **fields) -> bool:
    updated = Still.objects.filter(id=still.id, status=from_status).update(
        status=to_status, **fields
    )
    if updated:
        still.status = to_status
    return bool(updated)


def _job_alive(still: Still) -> bool:
    if not still.job_id:
        return False
    try:
        connection = django_rq.get_connection("render")
        return Job.exists(still.job_id, connection=connection)
    except RedisError as exc:
        raise RenderingUnavailable(f"the render queue is unavailable ({exc})") from exc


def render_stills(still_ids: list[int], on_step: Callable[[int, int, int], None] | None = None):
    """RQ job: render the stills with these ids that nobody else has claimed yet."""
    claimed = [
        still
        for still in Still.objects.filter(id__in=still_ids).select_related("channel__layer")
        if _claim(still, Still.QUEUED, Still.RUNNING, started_at=timezone.now(), progress=0.0)
        or _claim(still, Still.NEW, Still.RUNNING, started_at=timezone.now(), progress=0.0)
    ]
    by_batch = sorted(claimed, key=lambda s: (s.render_spec().batch_key(), s.id))
    for _, group in groupby(by_batch, key=lambda s: s.render_spec().batch_key()):
        group = list(group)
        size = _batch_size(group)
        for start in range(0, len(group), size):
            _render_batch(group[start : start + size], on_step)
    return [still.id for still in claimed]


def _render_batch(stills: list[Still], on_step) -> None:
    try:
        network = network_for(stills[0].channel.layer.network_id)
        specs = [still.render_spec() for still in stills]
        results = renderer.render_batch(
            network,
            specs,
            progress=_progress_writer([s.id for s in stills], on_step),
            photos=load_photos(specs),
        )
        for still, result in zip(stills, results, strict=True):
            _store(still, result)
    except Exception as exc:
        log.exception("render of stills %s failed", [s.id for s in stills])
        message = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, renderer.RendererError):
            message += "\n" + traceback.format_exc(limit=4)
        for still in stills:
            still.mark_failed(message)


def _batch_size(stills: list[Still]) -> int:
    """ATLAS_BATCH_SIZE, or (when 0) as many as the device's memory holds.

    Errors propagate: the job then fails and its failure callback marks the stills.
    """
    if settings.ATLAS_BATCH_SIZE:
        return settings.ATLAS_BATCH_SIZE
    network = network_for(stills[0].channel.layer.network_id)
    return batch_size_for(network, stills[0].render_spec(), len(stills))


def network_for(network_id: int) -> renderer.Network:
    """The loaded network of a catalog row, cached in this process."""
    row = Network.objects.get(id=network_id)
    if row.name not in _networks:
        _networks[row.name] = renderer.load_network(**row.load_kwargs())
    return _networks[row.name]


def _progress_writer(ids: list[int], on_step) -> Callable[[int, int], None]:
    """Throttled progress writes to the still rows (and an optional per-step hook)."""
    last_write = [0.0]

    def write(step: int, steps: int) -> None:
        if on_step:
            on_step(step, steps, len(ids))
        now = time.monotonic()
        if now - last_write[0] >= settings.ATLAS_PROGRESS_INTERVAL or step == steps:
            last_write[0] = now
            Still.objects.filter(id__in=ids, status=Still.RUNNING).update(progress=step / steps)

    return write


def _store(still: Still, result: renderer.RenderResult) -> None:
    """Write the image atomically, then mark the still done."""
    relative = image_path_for(still)
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            result.image.save(out, format="PNG")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    Still.objects.filter(id=still.id).update(
        status=Still.DONE,
        image=relative,
        figures=result.figures,
        seconds=result.seconds,
        progress=1.0,
        error="",
        finished_at=timezone.now(),
        **_classification_of(still, result.image),
    )


def _classification_of(still: Still, image) -> dict:
    """The network's own top classes for its still, and the still's puppyslug index.

    A still that rendered is kept even if classifying it fails; the error is logged.
    """
    try:
        (found,) = classify(network_for(still.channel.layer.network_id), image)
    except (renderer.RendererError, OSError, RuntimeError, ValueError):
        log.exception("could not classify still %s", still.id)
        return {}
    top = [{"label": label, "probability": p} for label, p in found.top]
    return {"top_classes": top, "puppyslug_index": found.puppyslug_index}


def image_path_for(still: Still) -> str:
    layer = still.channel.layer
    return f"stills/{layer.network.name}/{layer.name}/{still.channel.index}-{still.spec_hash}.png"


def fail_stills_of_job(job, connection, exc_type, exc_value, tb) -> None:
    """RQ failure callback (timeout, killed work horse): no still stays running forever."""
    for still in Still.objects.filter(id__in=job.args[0]).exclude(status=Still.DONE):
        still.mark_failed(f"render job failed: {exc_type.__name__}: {exc_value}")
