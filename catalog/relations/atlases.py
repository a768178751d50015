"""Activation atlases of the catalog: what `activation_atlas`, its job and its page run.

`compute_activation_atlas` checks what it was asked before anything is written (a bad
grid, steps or size, a layer without positions, a corpus too small for the grid: an
`AtlasRequestError` naming the field, and no row), then reads the corpus's frames, runs
`renderer.activation_atlas` and writes every cell's image and the map to the media
storage under names that hash the map (so a second run of the same atlas writes the same
files, and a failed run never overwrites the files of the atlas on show). The cells are
replaced in one transaction only when everything succeeded; a failure marks the row failed
with the error. The job on the `render` queue has a deterministic id (one per atlas), and
a done atlas is never rendered twice.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from catalog import queues
from catalog.atlas.jobs import network_for
from catalog.atlas.models import Layer, Network
from catalog.corpora.dataset_examples import open_frame
from catalog.corpora.models import Corpus, Frame
from catalog.corpora.samples import SAMPLE_CORPUS
from catalog.relations.models import ActivationAtlas, AtlasCell
from catalog.storage import save_bytes
from renderer.activation_atlas import activation_atlas, images_needed

DEFAULT_CORPUS = SAMPLE_CORPUS
DEFAULTS = {"grid": 8, "steps": 128, "size": 64}
LIMITS = {"grid": (2, 32), "steps": (1, 4096), "size": (16, 1024)}
ATLAS_DIR = "atlases"  # in the media storage
# The share of the work each stage of the renderer is counted as, in this order.
STAGES = {
    "reading": ("reading frames", 0.1),
    "mapping": ("mapping (UMAP)", 0.15),
    "rendering": ("rendering the cells", 0.75),
}
Progress = Callable[[str, float], None]  # (stage, fraction of the whole atlas)


class AtlasRequestError(ValueError):
    """An atlas that cannot be asked for: `field` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def checked_parameters(grid, steps, size) -> dict:
    """{"grid", "steps", "size"} as whole numbers inside `LIMITS` (text from a form or
    a query string too); `AtlasRequestError` naming the first bad one."""
    values = {}
    for name, value in (("grid", grid), ("steps", steps), ("size", size)):
        low, high = LIMITS[name]
        if value is None or value == "":
            value = DEFAULTS[name]
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool) or str(number) != str(value).strip():
            raise AtlasRequestError(name, f"must be a whole number, got {value!r}")
        if not low <= number <= high:
            raise AtlasRequestError(name, f"must be from {low} to {high}, got {number}")
        values[name] = number
    return values


def check_request(layer: Layer, corpus: Corpus, grid: int) -> None:
    """`AtlasRequestError` when `layer` has no positions or `corpus` is too small."""
    if layer.kind != "conv":
        raise AtlasRequestError(
            "layer",
            f"{layer.name} is the output of {layer.network.name} (one score per class, no "
            "positions): an activation atlas maps a spatial layer",
        )
    frames, needed = corpus.frames.count(), images_needed(grid)
    if frames < needed:
        raise AtlasRequestError(
            "corpus",
            f"corpus {corpus.name} has {frames} frames: a {grid}×{grid} grid needs at least "
            f"{needed}",
        )


def prepare_atlas(layer: Layer, corpus: Corpus, grid=None, steps=None, size=None):
    """The atlas row of these values (created, status new, if there is none), after
    every check; `AtlasRequestError` and nothing created when one fails."""
    values = checked_parameters(grid, steps, size)
    check_request(layer, corpus, values["grid"])
    atlas, _ = ActivationAtlas.objects.get_or_create(layer=layer, corpus=corpus, **values)
    return atlas


def shown_atlas(layer: Layer, corpus: Corpus | None = None, **values) -> ActivationAtlas | None:
    """The atlas a page of `layer` shows: among those of `corpus` and `values` (grid,
    steps, size; any when not given), the newest done one, else the newest asked for."""
    atlases = layer.activation_atlases.select_related("corpus", "layer__network").filter(**values)
    if corpus is not None:
        atlases = atlases.filter(corpus=corpus)
    done = atlases.filter(status=ActivationAtlas.DONE).exclude(image="")
    return done.order_by("-finished_at").first() or atlases.order_by("-created_at").first()


def compute_activation_atlas(
    network: Network,
    layer: Layer,
    corpus: Corpus,
    grid=None,
    steps=None,
    size=None,
    progress: Progress | None = None,
    loaded=None,
    again: bool = False,
) -> ActivationAtlas:
    """Compute the atlas of `layer` over `corpus` in this process (a done one only
    `again`); the row, done. Raises `AtlasRequestError` before anything is written, or
    the renderer's error after marking the row failed."""
    if layer.network_id != network.id:
        raise AtlasRequestError("layer", f"{layer.name} is not a layer of {network.name}")
    atlas = prepare_atlas(layer, corpus, grid, steps, size)
    if atlas.status == ActivationAtlas.DONE and not again:
        return atlas
    ActivationAtlas.objects.filter(id=atlas.id).update(status=ActivationAtlas.RUNNING)
    return run_atlas(atlas.id, progress, loaded)


def run_atlas(atlas_id: int, progress: Progress | None = None, loaded=None) -> ActivationAtlas:
    """Render the atlas `atlas_id` and store it; on any error the row is marked failed
    (with the error) and the error raised again, its old cells and files untouched."""
    atlas = ActivationAtlas.objects.select_related("layer__network", "corpus").get(id=atlas_id)
    rows = ActivationAtlas.objects.filter(id=atlas.id)
    report = _stage_writer(rows, progress)
    try:
        report("reading", 0.0)
        loaded = loaded or network_for(atlas.layer.network_id)
        frames = list(atlas.corpus.frames.order_by("id"))
        result = activation_atlas(
            loaded,
            atlas.layer.name,
            _OpenedFrames(frames),
            grid=atlas.grid,
            steps=atlas.steps,
            size=atlas.size,
            progress=lambda stage, done, total: report(stage, done / max(total, 1)),
        )
        names = _save_images(atlas, result)
        _replace_cells(atlas, result, frames, names)
    except Exception as exc:
        rows.update(status=ActivationAtlas.FAILED, error=str(exc)[:2000], stage="failed")
        raise
    atlas.refresh_from_db()
    return atlas


class _OpenedFrames(Sequence):
    """The frames' images, opened a slice at a time as the renderer reads them."""

    def __init__(self, frames: list[Frame]):
        self.frames = frames

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [open_frame(frame) for frame in self.frames[index]]
        return open_frame(self.frames[index])


def _stage_writer(rows, progress: Progress | None) -> Callable[[str, float], None]:
    """Throttled writes of stage and overall progress to the atlas row."""
    last = [0.0, ""]

    def write(stage: str, fraction: float) -> None:
        before = 0.0
        for name, (_, share) in STAGES.items():
            if name == stage:
                break
            before += share
        label, share = STAGES[stage]
        overall = min(1.0, before + share * fraction)
        if progress:
            progress(label, overall)
        now = time.monotonic()
        if stage != last[1] or now - last[0] >= settings.ATLAS_PROGRESS_INTERVAL:
            last[0], last[1] = now, stage
            rows.update(stage=label, progress=round(overall, 4), error="")

    return write


def _folder(atlas: ActivationAtlas, digest: str) -> str:
    network, layer = atlas.layer.network.name, atlas.layer.name
    return (
        f"{ATLAS_DIR}/{network}/{layer}/{atlas.corpus.name}-{atlas.grid}x{atlas.grid}"
        f"-{atlas.steps}s-{atlas.size}px-{digest}"
    )


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _save_images(atlas: ActivationAtlas, result) -> dict:
    """Write the cells and the map (each atomically); {"map": name, (x, y): name}."""
    picture = _png(result.image)
    folder = _folder(atlas, hashlib.sha256(picture).hexdigest()[:12])
    names = {}
    for cell in result.cells:
        names[(cell.x, cell.y)] = save_bytes(
            f"{folder}/cell-{cell.x}-{cell.y}.png", _png(cell.image)
        )
    names["map"] = save_bytes(f"{folder}/map.png", picture)
    return names


def _replace_cells(atlas: ActivationAtlas, result, frames, names: dict) -> None:
    """In one transaction: the new cells, their frames, and the row done."""
    old = list(atlas.cells.values_list("image", flat=True)) + [atlas.image]
    with transaction.atomic():
        atlas.cells.all().delete()
        cells = AtlasCell.objects.bulk_create(
            AtlasCell(
                atlas=atlas,
                x=cell.x,
                y=cell.y,
                count=cell.count,
                image=names[(cell.x, cell.y)],
                top_channels=cell.top_channels,
            )
            for cell in result.cells
        )
        links = [
            AtlasCell.frames.through(atlascell_id=row.id, frame_id=frames[index].id)
            for row, cell in zip(cells, result.cells, strict=True)
            for index in cell.images
        ]
        AtlasCell.frames.through.objects.bulk_create(links)
        ActivationAtlas.objects.filter(id=atlas.id).update(
            status=ActivationAtlas.DONE,
            stage="done",
            progress=1.0,
            error="",
            points=len(result.coords),
            image=names["map"],
            finished_at=timezone.now(),
        )
    kept = set(names.values())
    transaction.on_commit(lambda: _delete_files(name for name in old if name not in kept))


def _delete_files(names) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def media_path(name: str) -> str:
    """A stored image as a local file path where the storage has one, else its name."""
    try:
        return default_storage.path(name)
    except NotImplementedError:
        return name


def atlas_json(atlas: ActivationAtlas) -> dict:
    """What `activation_atlas --json` prints: the layer, the grid, the cells and the map."""
    cells = [
        {"x": cell.x, "y": cell.y, "count": cell.count, "image": media_path(cell.image)}
        for cell in atlas.cells.all()
    ]
    return {
        "layer": atlas.layer.name,
        "grid": atlas.grid,
        "cells": cells,
        "image": media_path(atlas.image),
    }


def job_id_for(atlas: ActivationAtlas) -> str:
    return f"activation-atlas-{atlas.id}"


def queue_activation_atlas(atlas: ActivationAtlas) -> bool:
    """Queue the atlas's job on the `render` queue; False when it is done, or its job is
    already waiting or running. Raises `RenderingUnavailable` when Redis is down."""
    if atlas.status == ActivationAtlas.DONE:
        return False
    job_id = job_id_for(atlas)
    if queues.waiting_or_running(job_id):
        return False
    ActivationAtlas.objects.filter(id=atlas.id).update(
        status=ActivationAtlas.NEW, stage="queued", progress=0.0, error="", job_id=job_id
    )
    queues.enqueue(
        queues.RENDER,
        activation_atlas_job,
        atlas.id,
        job_id=job_id,
        job_timeout=-1,
        result_ttl=3600,
        failure_ttl=86400,
    )
    atlas.refresh_from_db()
    return True


def activation_atlas_job(atlas_id: int) -> dict | None:
    """The RQ job: render the atlas unless it is done (or gone); its cells and seconds."""
    claimed = (
        ActivationAtlas.objects.filter(id=atlas_id)
        .exclude(status=ActivationAtlas.DONE)
        .update(status=ActivationAtlas.RUNNING, stage="starting")
    )
    if not claimed:
        return None
    started = time.monotonic()
    atlas = run_atlas(atlas_id)
    return {"cells": atlas.cells.count(), "seconds": round(time.monotonic() - started, 1)}
