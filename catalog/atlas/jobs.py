"""RQ entry points and the queueing around them.

Jobs take ids, never objects, and are idempotent: a still is claimed with a conditional
update (so two workers never render it twice), its image is written atomically, and any
error marks it failed with the message. Status changes go through `Still.objects`.
A render process that dies (SIGKILL, out of memory) cannot report it: its stills stop
beating, and `recover_stale_renders` (run by every worker) queues them again.

A job on the fill queue gives way to the live queue: while it renders it looks (every
YIELD_CHECK seconds, between optimization steps) whether a live job waits, and if one
does it stops, hands its unfinished stills back to a new job at the front of the fill
queue and returns, so the worker takes the live job next. A visitor's sketch therefore
waits for at most one step of a fill batch (and the start of its own render process),
never for a whole fill job; the fill loses at most the steps of the batch it stopped.
"""

from __future__ import annotations

import io
import logging
import secrets
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import timedelta
from itertools import groupby
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from rq import Callback, get_current_job

import renderer
from catalog import queues
from catalog.atlas.models import Network, Still
from catalog.atlas.photos import load_photos
from catalog.queues import RenderingUnavailable
from catalog.storage import save_bytes, save_file
from renderer.batching import batch_size_for
from renderer.classify import classify
from renderer.temporal.moving import write_clip

log = logging.getLogger(__name__)
_networks: dict[tuple, renderer.Network] = {}
LOST_AFTER = 10  # seconds a queued still may wait for its job to appear in Redis
YIELD_CHECK = 0.25  # seconds between a fill job's looks at the live queue

__all__ = ["RenderingUnavailable", "queue_render_for", "render_stills", "network_for"]


def queue_render_for(stills: Iterable[Still], queue_name: str = queues.RENDER) -> list[Still]:
    """Queue the new (or cancelled) stills in one job on `queue_name`; return those queued.

    A still queued in a job that Redis lost is queued again, alone, by exactly one caller.
    A still already queued with a live job, running or done is left alone, so reloads and
    many visitors add no duplicate jobs. Raises `RenderingUnavailable` when Redis is down.
    """
    stills = list(stills)
    queued = [s for s in stills if s.status == Still.QUEUED and _requeue_if_lost(s, queue_name)]
    claimed = [s for s in stills if Still.objects.filter(id=s.id).queue("", queue_name)]
    if claimed:
        first = Still.objects.get(id=claimed[0].id)
        job_id = f"render-{first.spec_hash[:40]}-{first.attempts}"
        ids = [still.id for still in claimed]
        Still.objects.filter(id__in=ids, job_id="").update(job_id=job_id)
        try:
            _enqueue_render(queue_name, ids, job_id)
        except RenderingUnavailable:
            Still.objects.filter(id__in=ids).unqueue(job_id)
            raise
    result = queued + claimed
    for still in result:
        still.refresh_from_db()
    return result


def watch(still: Still) -> Still:
    """Somebody opened this still: queue it on the live queue, or move it there from
    behind a batch render. Raises `RenderingUnavailable` when Redis is down."""
    if still.status in (Still.NEW, Still.CANCELLED):
        queue_render_for([still], queues.LIVE)
    elif still.status == Still.QUEUED and still.queue != queues.LIVE and still.job_id:
        _move(still, queues.LIVE)
    elif still.status == Still.QUEUED:
        _requeue_if_lost(still, queues.LIVE)
    still.refresh_from_db()
    return still


def position_of(still: Still) -> int | None:
    """The still's place in the queue (1: next), None when it is not waiting."""
    if still.status != Still.QUEUED:
        return None
    try:
        return queues.position_in_queue(still.queue, still.job_id)
    except RenderingUnavailable:
        return None


def _requeue_if_lost(still: Still, queue_name: str) -> bool:
    """Queue a still again if its job is gone from Redis (after a grace period)."""
    if still.queued_at and still.queued_at > timezone.now() - timedelta(seconds=LOST_AFTER):
        return False
    if queues.job_exists(still.job_id):
        return False
    return _move(still, queue_name)


def _move(still: Still, queue_name: str) -> bool:
    """Move a queued still to a new job of its own; only one of many callers does."""
    job_id = f"render-{still.spec_hash[:40]}-{still.attempts + 1}"
    if not Still.objects.filter(id=still.id).move_to_job(still.job_id, job_id, queue_name):
        return False
    try:
        _enqueue_render(queue_name, [still.id], job_id)
    except RenderingUnavailable:
        Still.objects.filter(id=still.id).unqueue(job_id)
        raise
    return True


def _enqueue_render(queue_name: str, ids: list[int], job_id: str, **options) -> None:
    queues.enqueue(
        queue_name,
        render_stills,
        ids,
        job_id=job_id,
        on_failure=Callback(fail_stills_of_job),
        **options,
    )


def render_stills(still_ids: list[int], on_step: Callable[[int, int, int], None] | None = None):
    """RQ job: render the stills with these ids that nobody else has claimed yet.

    On the fill queue it gives way to a waiting live job (see the module's docstring);
    it returns the ids of the stills it rendered (or failed)."""
    claimed = [
        still
        for still in Still.objects.filter(id__in=still_ids).select_related("channel__layer")
        if Still.objects.filter(id=still.id).claim()
    ]
    batches = _batches(claimed)
    live_waits = _live_waits() if _on_queue(queues.FILL) else None
    for number, batch in enumerate(batches):
        try:
            if live_waits and number and live_waits(now=True):
                raise renderer.RenderCancelled("a live job waits")
            _render_batch(batch, [s.id for s in claimed], on_step, live_waits)
        except renderer.RenderCancelled:
            rest = [still.id for later in batches[number:] for still in later]
            _give_back(rest, queues.FILL)
            return [still.id for earlier in batches[:number] for still in earlier]
    return [still.id for still in claimed]


def _batches(stills: list[Still]) -> list[list[Still]]:
    """The stills in optimizations: by batch key, at most `_batch_size` at a time."""
    by_batch = sorted(stills, key=lambda s: (s.render_spec().batch_key(), s.id))
    batches = []
    for _, group in groupby(by_batch, key=lambda s: s.render_spec().batch_key()):
        group = list(group)
        size = _batch_size(group)
        batches += [group[start : start + size] for start in range(0, len(group), size)]
    return batches


def _on_queue(queue_name: str) -> bool:
    job = get_current_job()
    return job is not None and job.origin == queue_name


def _live_waits() -> Callable[..., bool]:
    """A `should_cancel` for the engine: true when a job waits on the live queue (looked
    up at most every YIELD_CHECK seconds; a Redis error counts as no)."""
    last_look = [time.monotonic()]

    def live_waits(now: bool = False) -> bool:
        if not now and time.monotonic() - last_look[0] < YIELD_CHECK:
            return False
        last_look[0] = time.monotonic()
        try:
            return queues.waiting(queues.LIVE) > 0
        except RenderingUnavailable:
            return False

    return live_waits


def _give_back(still_ids: list[int], queue_name: str) -> None:
    """Hand this job's unfinished stills to a new job at the front of `queue_name`."""
    running = list(Still.objects.filter(id__in=still_ids, status=Still.RUNNING).order_by("id"))
    if not running:
        return
    job_id = f"render-{running[0].spec_hash[:40]}-{running[0].attempts + 1}"
    ids = [still.id for still in running]
    Still.objects.filter(id__in=ids).release(job_id, queue_name)
    try:
        _enqueue_render(queue_name, ids, job_id, at_front=True)
    except RenderingUnavailable:  # new again: the next visit to their page queues them
        Still.objects.filter(id__in=ids).unqueue(job_id)
    log.info("stills %s gave way to the live queue (job %s)", ids, job_id)


def _render_batch(stills: list[Still], job_ids: list[int], on_step, should_cancel=None) -> None:
    try:
        network = network_for(stills[0].channel.layer.network_id)
        specs = [still.render_spec() for still in stills]
        results = renderer.render_batch(
            network,
            specs,
            progress=_progress_writer([s.id for s in stills], job_ids, on_step),
            should_cancel=should_cancel,
            photos=load_photos(specs),
        )
        _store_all(network, stills, results)
    except renderer.RenderCancelled:
        raise
    except Exception as exc:
        log.exception("render of stills %s failed", [s.id for s in stills])
        Still.objects.filter(id__in=[s.id for s in stills]).fail(
            f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=8)
        )


def _batch_size(stills: list[Still]) -> int:
    """ATLAS_BATCH_SIZE stills per optimization, or (when 0) as many as memory holds.

    Errors propagate: the job then fails and its failure callback marks the stills.
    """
    if settings.ATLAS_BATCH_SIZE:
        return settings.ATLAS_BATCH_SIZE
    network = network_for(stills[0].channel.layer.network_id)
    return batch_size_for(network, stills[0].render_spec(), len(stills))


def network_for(network_id: int) -> renderer.Network:
    """The loaded network of a catalog row, loaded once per process (a forked render
    process inherits the worker's: see `catalog.worker`). Keyed by what loads it, so a
    row whose files changed (or an id used again) never gets another network."""
    kwargs = Network.objects.get(id=network_id).load_kwargs()
    key = (network_id, *sorted(kwargs.items()))
    if key not in _networks:
        _networks[key] = renderer.load_network(**kwargs)
    return _networks[key]


def _progress_writer(ids: list[int], job_ids: list[int], on_step) -> Callable[[int, int], None]:
    """Throttled progress writes to the rendering stills; a heartbeat for every still of
    the job (those waiting for a later batch too), so none of them looks dead."""
    last_write = [0.0]

    def write(step: int, steps: int) -> None:
        if on_step:
            on_step(step, steps, len(ids))
        now = time.monotonic()
        if now - last_write[0] >= settings.ATLAS_PROGRESS_INTERVAL or step == steps:
            last_write[0] = now
            Still.objects.filter(id__in=ids).beat(progress=step / steps)
            Still.objects.filter(id__in=set(job_ids) - set(ids)).beat()

    return write


def _store_all(network: renderer.Network, stills: list[Still], results) -> None:
    """Classify the batch's images in one pass, write each image, mark each still done."""
    classes = _classifications(network, results)
    for still, result, found in zip(stills, results, classes, strict=True):
        png = io.BytesIO()
        result.image.save(png, format="PNG")
        path = image_path_for(still)
        clip = {"video": save_clip(path, result)} if result.clip else {}
        name = save_bytes(path, png.getvalue())
        Still.objects.filter(id=still.id).finish(
            image=name, figures=result.figures, seconds=result.seconds, **clip, **found
        )


def save_clip(image_path: str, result) -> str:
    """A moving image's MP4 beside its poster (written whole, then stored)."""
    with tempfile.TemporaryDirectory() as folder:
        mp4 = Path(folder) / "clip.mp4"
        write_clip(result.clip, mp4, result.fps)
        return save_file(str(Path(image_path).with_suffix(".mp4")), mp4)


def _classifications(network: renderer.Network, results) -> list[dict]:
    """The network's own top classes for each still, and its puppyslug index (a moving
    image's classes come with it, from the temporal network).

    Stills that rendered are kept even if classifying them fails; the error is logged.
    """
    if all(result.clip for result in results):
        return [
            {"top_classes": [{"label": label, "probability": p} for label, p in top]}
            for top in (result.figures.pop("top_classes", []) for result in results)
        ]
    images = [result.image for result in results]
    try:
        found = classify(network, images)
    except (renderer.RendererError, OSError, RuntimeError, ValueError):
        log.exception("could not classify %d stills", len(images))
        return [{} for _ in images]
    return [
        {
            "top_classes": [{"label": label, "probability": p} for label, p in one.top],
            "puppyslug_index": one.puppyslug_index,
        }
        for one in found
    ]


def image_path_for(still: Still) -> str:
    """Atlas stills by network/layer/channel; a variant under an unguessable name in
    `variants/`, which only the checked still-image view serves."""
    layer = still.channel.layer
    if not still.is_public:
        return f"variants/{still.spec_hash}-{secrets.token_hex(8)}.png"
    return f"stills/{layer.network.name}/{layer.name}/{still.channel.index}-{still.spec_hash}.png"


def fail_stills_of_job(job, connection, exc_type, exc_value, tb) -> None:
    """RQ failure callback (a timeout, an error outside the render): no still stays running."""
    Still.objects.filter(id__in=job.args[0]).fail(
        f"the render job failed: {exc_type.__name__}: {exc_value}",
        "".join(traceback.format_exception(exc_type, exc_value, tb)),
    )


def recover_stills(stills, reason: str) -> tuple[int, int]:
    """Stills whose render process died: queue them again, or fail them after
    ATLAS_MAX_RENDER_DEATHS deaths. Returns (queued again, failed)."""
    renewed, failed = stills.recover(reason, settings.ATLAS_MAX_RENDER_DEATHS)
    rows = list(Still.objects.filter(id__in=renewed).order_by("queue", "id"))
    for queue_name, group in groupby(rows, key=lambda s: s.queue or queues.RENDER):
        try:
            queue_render_for(list(group), queue_name)
        except RenderingUnavailable:
            log.warning("stills %s will be queued when Redis is back", renewed)
    if renewed or failed:
        log.warning("recovered stills (%s): queued %s, failed %s", reason, renewed, failed)
    return len(renewed), len(failed)


def recover_stale_renders() -> tuple[int, int]:
    """Recover the running stills that have shown no sign of life for ATLAS_STALE_AFTER."""
    seconds = settings.ATLAS_STALE_AFTER
    return recover_stills(
        Still.objects.stale(seconds), f"no sign of life for {seconds:g} s: killed?"
    )
