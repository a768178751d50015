"""Starting, preparing and retrying batch renders.

A batch is started as a row; preparing it creates the default still of every channel of
its layers and queues the uncached ones, one RQ job per ATLAS_JOB_SIZE stills, so that
several workers share a layer and a timeout loses one batch at most. From the admin the
preparation runs on the "default" queue (`prepare_batch`); `render_network` runs it inline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings

from catalog import queues
from catalog.atlas.jobs import queue_render_for
from catalog.atlas.models import BatchRender, Layer, Network, Still
from catalog.queues import RenderingUnavailable


def start_batch(
    network: Network, layers: Iterable[Layer] | None = None, created_by=None, prepare=True
) -> BatchRender:
    """A new batch render of `layers` (default: every layer of the network).

    With `prepare`, its preparation is queued for a worker; otherwise call
    `prepare_stills` yourself. Raises `RenderingUnavailable` when Redis is down.
    """
    layers = list(layers) if layers is not None else list(network.layers.all())
    batch = BatchRender.objects.create(network=network, created_by=created_by)
    batch.layers.set(layers)
    if prepare:
        try:
            queues.enqueue(
                queues.DEFAULT, prepare_batch, batch.id, job_id=f"prepare-batch-{batch.id}"
            )
        except RenderingUnavailable:
            batch.delete()
            raise
    return batch


def prepare_batch(batch_id: int) -> None:
    """RQ job: create and queue the stills of a batch render."""
    batch = BatchRender.objects.filter(id=batch_id).first()
    if batch is None or batch.prepared:
        return
    try:
        prepare_stills(batch, queue=True)
    except RenderingUnavailable as exc:
        BatchRender.objects.filter(id=batch.id).update(error=str(exc))


def prepare_stills(
    batch: BatchRender, queue: bool = True, on_layer: Callable[[Layer], None] | None = None
) -> None:
    """Attach the default still of every channel of the batch's layers, reset failed and
    cancelled ones, and (with `queue`) queue those not yet rendered. Stops if cancelled."""
    for layer in batch.layers.select_related("network").order_by("position"):
        if BatchRender.objects.filter(id=batch.id, cancelled=True).exists():
            break
        stills = layer.default_stills()
        batch.stills.add(*stills)
        _reset(stills)
        if queue:
            _queue_in_jobs(stills)
        if on_layer:
            on_layer(layer)
    BatchRender.objects.filter(id=batch.id).update(prepared=True)
    batch.prepared = True
    if BatchRender.objects.filter(id=batch.id, cancelled=True).exists():
        batch.cancel()  # cancelled while this layer was queued: take it off again


def retry_batch(batch: BatchRender) -> int:
    """Queue the failed and cancelled stills of a batch again; returns how many."""
    retry = list(
        batch.stills.filter(status__in=(Still.FAILED, Still.CANCELLED)).order_by(
            "channel__layer__position", "channel__index"
        )
    )
    BatchRender.objects.filter(id=batch.id).update(cancelled=False, error="")
    batch.cancelled, batch.error = False, ""
    _reset(retry)
    return len(_queue_in_jobs(retry))


def _reset(stills: list[Still]) -> None:
    """Failed and cancelled stills become new (renderable) again."""
    ids = [still.id for still in stills if still.status in (Still.FAILED, Still.CANCELLED)]
    Still.objects.filter(id__in=ids).reset()
    for still in stills:
        if still.id in ids:
            still.status = Still.NEW


def _queue_in_jobs(stills: list[Still]) -> list[Still]:
    size = settings.ATLAS_JOB_SIZE
    pending = [still for still in stills if still.status != Still.DONE]
    queued = []
    for start in range(0, len(pending), size):
        queued += queue_render_for(pending[start : start + size])
    return queued
