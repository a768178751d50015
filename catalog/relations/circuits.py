"""Circuits of a network over a corpus: what `compute_circuits` and its job run.

For each pair of adjacent atlas layers (the layer before → the layer), frames go through
the network in batches and `renderer.circuits.attribution` adds their gradient ×
activation to the pair's running sums. Every `CHECKPOINT_FRAMES` frames one transaction
saves the sums and the frames read (`CircuitScan`) and rewrites the pair's strongest
links (`CircuitLink`): a killed run resumes from its last checkpoint, a run after the
corpus grew reads only the new frames, and a run with another `--top` re-ranks the stored
sums without reading a frame.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from catalog import queues
from catalog.atlas.jobs import network_for
from catalog.atlas.models import Channel, Layer, Network
from catalog.corpora.dataset_examples import open_frame
from catalog.corpora.models import Corpus, Frame
from catalog.relations.models import CircuitLink, CircuitScan
from renderer.circuits import CircuitSums, attribution, strongest_inputs, strongest_outputs
from renderer.examples import images_to_batch

BATCH_SIZE = 8
CHECKPOINT_FRAMES = 32
DEFAULT_TOP = 8


class CircuitsError(ValueError):
    """Bad input to `compute_circuits`; the message names the argument."""


@dataclass
class CircuitsReport:
    pairs: int = 0
    frames: int = 0  # frame readings in this run (a frame counts once per pair)
    links: int = 0
    seconds: float = 0.0


def layer_pairs(network: Network, names: list[str] | None) -> list[tuple[Layer, Layer]]:
    """The adjacent (layer before, layer) pairs whose links give the layers called `names`
    (all when None) their inputs and outputs, in the network's order."""
    layers = list(network.layers.all())
    if len(layers) < 2:
        raise CircuitsError(f"layers: {network.name} has {len(layers)} layer, no circuit")
    at = {layer.name: index for index, layer in enumerate(layers)}
    if names:
        unknown = [name for name in names if name not in at]
        if unknown:
            raise CircuitsError(
                f"layers: {network.name} has no layer {', '.join(unknown)}; layers: {', '.join(at)}"
            )
        wanted = sorted(
            {i - 1 for name in names if (i := at[name]) > 0}
            | {i for name in names if (i := at[name]) + 1 < len(layers)}
        )
    else:
        wanted = range(len(layers) - 1)
    return [(layers[i], layers[i + 1]) for i in wanted]


def compute_circuits(
    network: Network,
    corpus: Corpus,
    layer_names: list[str] | None = None,
    top: int = DEFAULT_TOP,
    loaded=None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda frames: None,
    total: Callable[[int], None] = lambda frames: None,
) -> CircuitsReport:
    """Read the frames of `corpus` each layer pair has not read yet, and keep every
    channel's `top` strongest inputs and outputs. `progress(n)` hears each batch's frame
    readings, `total(n)` how many there will be."""
    if top < 1:
        raise CircuitsError(f"top: {top} must be at least 1")
    if network.arch == "temporal":
        raise CircuitsError(
            f"network: {network.name} sees time; circuits are read from a corpus's "
            "images, which it does not take"
        )
    if not corpus.frames.exists():
        raise CircuitsError(f"corpus: {corpus.name} has no frames")
    started = time.monotonic()
    pairs = layer_pairs(network, layer_names)
    if loaded is None:
        loaded = network_for(network.id)
    runs = [_PairRun(loaded, corpus, source, target, top) for source, target in pairs]
    total(sum(len(run.pending) for run in runs))
    report = CircuitsReport(pairs=len(runs))
    for run in runs:
        if not run.pending:
            run.rerank_if_needed()
        for start in range(0, len(run.pending), CHECKPOINT_FRAMES):
            chunk = run.pending[start : start + CHECKPOINT_FRAMES]
            for offset in range(0, len(chunk), batch_size):
                frames = chunk[offset : offset + batch_size]
                run.read(frames)
                report.frames += len(frames)
                progress(len(frames))
            run.checkpoint()
        report.links += run.links
    report.seconds = time.monotonic() - started
    return report


class _PairRun:
    """One layer pair: its sums so far (from the stored scan) and the frames still to read."""

    def __init__(self, loaded, corpus: Corpus, source: Layer, target: Layer, top: int):
        self.loaded, self.corpus, self.source, self.target, self.top = (
            loaded, corpus, source, target, top,
        )  # fmt: skip
        self.scan = CircuitScan.objects.filter(corpus=corpus, source=source, target=target).first()
        self.sums = CircuitSums.empty(loaded, source.name, target.name)
        read: set[int] = set()
        if self.scan is not None:
            stored = np.load(io.BytesIO(bytes(self.scan.sums)))
            if stored.shape == self.sums.sums.shape:
                self.sums.sums, read = stored, set(self.scan.frame_ids)
                self.sums.images = len(read)
        self.read_ids = read
        self.pending = [f for f in corpus.frames.order_by("id") if f.id not in read]
        self.links = 0

    def read(self, frames: list[Frame]) -> None:
        batch = images_to_batch([open_frame(frame) for frame in frames], self.loaded)
        sums = attribution(self.loaded, batch, self.source.name, self.target.name)
        self.sums.add(sums, len(frames))
        self.read_ids.update(frame.id for frame in frames)

    def rerank_if_needed(self) -> None:
        """Nothing new to read: rewrite the links only if they were kept for another top."""
        if self.scan is not None and self.scan.top != self.top:
            self.checkpoint()
        elif self.scan is not None:
            self.links = CircuitLink.objects.filter(
                corpus=self.corpus, source__layer=self.source, target__layer=self.target
            ).count()

    @transaction.atomic
    def checkpoint(self) -> None:
        """Save the sums and the frames read, and rewrite the pair's links from them."""
        buffer = io.BytesIO()
        np.save(buffer, self.sums.sums)
        self.scan, _ = CircuitScan.objects.update_or_create(
            corpus=self.corpus, source=self.source, target=self.target,
            defaults={"sums": buffer.getvalue(), "frame_ids": sorted(self.read_ids),
                      "top": self.top},
        )  # fmt: skip
        self.links = _write_links(
            self.corpus, self.source, self.target, self.sums.weights, self.top
        )


def _write_links(corpus: Corpus, source: Layer, target: Layer, weights, top: int) -> int:
    sources = dict(source.channels.values_list("index", "id"))
    targets = dict(target.channels.values_list("index", "id"))
    rows: dict[tuple[int, int], CircuitLink] = {}

    def row(link) -> CircuitLink:
        key = (link.source, link.target)
        if key not in rows:
            rows[key] = CircuitLink(
                corpus=corpus,
                source_id=sources[link.source],
                target_id=targets[link.target],
                weight=link.weight,
            )
        return rows[key]

    for links in strongest_inputs(weights, top):
        for rank, link in enumerate(links, start=1):
            row(link).input_rank = rank
    for links in strongest_outputs(weights, top):
        for rank, link in enumerate(links, start=1):
            row(link).output_rank = rank
    CircuitLink.objects.filter(corpus=corpus, source__layer=source, target__layer=target).delete()
    CircuitLink.objects.bulk_create(rows.values(), batch_size=2000)
    return len(rows)


def circuits_json(network: Network, corpus: Corpus, layer_names: list[str] | None) -> list[dict]:
    """One object per channel of the layers called `layer_names` (all when None): its
    strongest inputs and outputs over `corpus`, strongest first."""
    layers = list(network.layers.all())
    if layer_names:
        layers = [layer for layer in layers if layer.name in layer_names]
    entries = {
        channel.id: {"layer": channel.layer.name, "channel": channel.index,
                     "inputs": [], "outputs": []}
        for channel in Channel.objects.filter(layer__in=layers)
        .select_related("layer").order_by("layer__position", "index")
    }  # fmt: skip
    links = CircuitLink.objects.filter(corpus=corpus).select_related(
        "source__layer", "target__layer"
    )
    for link in links.filter(target_id__in=entries, input_rank__isnull=False).order_by(
        "input_rank"
    ):
        entries[link.target_id]["inputs"].append(_end(link.source, link.weight))
    for link in links.filter(source_id__in=entries, output_rank__isnull=False).order_by(
        "output_rank"
    ):
        entries[link.source_id]["outputs"].append(_end(link.target, link.weight))
    return list(entries.values())


def _end(channel: Channel, weight: float) -> dict:
    return {"layer": channel.layer.name, "channel": channel.index, "weight": round(weight, 6)}


def job_id_for(network: Network, corpus: Corpus) -> str:
    return f"circuits-{network.id}-{corpus.id}"


def queue_circuits(network: Network, corpus: Corpus, top: int = DEFAULT_TOP) -> bool:
    """Queue the circuits of every layer of `network` over `corpus` on the `render` queue;
    False when that job is already waiting or running."""
    job_id = job_id_for(network, corpus)
    if queues.waiting_or_running(job_id):
        return False
    queues.enqueue(
        queues.RENDER, circuits_job, network.id, corpus.id, top, job_id=job_id, job_timeout=-1
    )
    return True


def circuits_job(network_id: int, corpus_id: int, top: int = DEFAULT_TOP) -> dict:
    """The RQ job: every layer pair of the network over the corpus (resumes if killed)."""
    network, corpus = Network.objects.get(id=network_id), Corpus.objects.get(id=corpus_id)
    report = compute_circuits(network, corpus, top=top)
    return {"pairs": report.pairs, "frames": report.frames, "links": report.links,
            "seconds": report.seconds}  # fmt: skip
