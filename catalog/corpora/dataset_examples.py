"""Dataset examples of a network over a corpus: what `dataset_examples` and its job run.

Frames go through the network in batches (`renderer.examples`), each batch serving every
layer asked for. Every `CHECKPOINT_FRAMES` frames the progress is saved in one
transaction: a `FrameScan` per frame and layer, and the rewritten examples of the channels
whose top-k or bottom-k changed. A killed run resumes from its last checkpoint; a run
after the corpus grew reads only the new frames and merges them into the stored top-k.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from PIL import Image

from catalog import queues
from catalog.atlas.jobs import network_for
from catalog.atlas.models import Channel, Layer, Network
from catalog.corpora.models import Corpus, DatasetExample, Frame, FrameScan
from renderer.examples import RunningExtremes, crop_box, images_to_batch, read_layers

BATCH_SIZE = 16
CHECKPOINT_FRAMES = 256
STRONGEST_PER_LAYER = 5  # channels a frame page lists per layer


class ExamplesError(ValueError):
    """Bad input to `compute_dataset_examples`; the message names the argument."""


@dataclass
class ExamplesReport:
    frames: int = 0  # frames read in this run
    channels: int = 0
    seconds: float = 0.0


def layers_for(network: Network, names: list[str] | None) -> list[Layer]:
    """The network's layers called `names` (all when None), in the network's order."""
    layers = list(network.layers.all())
    if not names:
        return layers
    known = {layer.name for layer in layers}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ExamplesError(
            f"layers: {network.name} has no layer {', '.join(unknown)}; "
            f"layers: {', '.join(layer.name for layer in layers)}"
        )
    return [layer for layer in layers if layer.name in names]


def compute_dataset_examples(
    network: Network,
    corpus: Corpus,
    layer_names: list[str] | None = None,
    top: int = 9,
    loaded=None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda frames: None,
    total: Callable[[int], None] = lambda frames: None,
) -> ExamplesReport:
    """Read the frames of `corpus` not yet read through `layer_names` of `network`, and keep
    the `top` strongest and weakest frames of each channel. `loaded` is the network from
    `renderer.load_network` (loaded here when None)."""
    if top < 1:
        raise ExamplesError(f"top: {top} must be at least 1")
    started = time.monotonic()
    layers = layers_for(network, layer_names)
    if loaded is None:
        loaded = network_for(network.id)
    run = _Run(corpus, layers, top)
    pending = run.pending_frames(corpus)
    total(len(pending))
    report = ExamplesReport(channels=sum(layer.channel_count for layer in layers))
    for start in range(0, len(pending), CHECKPOINT_FRAMES):
        chunk = pending[start : start + CHECKPOINT_FRAMES]
        for offset in range(0, len(chunk), batch_size):
            batch = chunk[offset : offset + batch_size]
            run.read(loaded, batch)
            report.frames += len(batch)
            progress(len(batch))
        run.checkpoint()
    report.seconds = time.monotonic() - started
    return report


class _Run:
    """The running top-k of each layer, seeded from the stored examples, and the scans
    not saved yet."""

    def __init__(self, corpus: Corpus, layers: list[Layer], top: int) -> None:
        self.corpus, self.layers, self.top = corpus, layers, top
        self.channel_ids = {
            layer.name: dict(layer.channels.values_list("index", "id")) for layer in layers
        }
        for layer in layers:
            self._forget_if_top_grew(layer)
        self.scanned = {
            layer.name: set(
                FrameScan.objects.filter(layer=layer).values_list("frame_id", flat=True)
            )
            for layer in layers
        }
        self.boxes: dict[tuple[int, str, int], tuple] = {}  # (channel id, side, frame) → box
        self.extremes = {layer.name: self._seeded(layer) for layer in layers}
        self.changed = {
            layer.name: torch.zeros(layer.channel_count, dtype=torch.bool) for layer in layers
        }
        self.new_scans: list[FrameScan] = []

    def _scans_of(self, layer: Layer):
        return FrameScan.objects.filter(layer=layer, frame__corpus=self.corpus)

    def _examples_of(self, layer: Layer):
        return DatasetExample.objects.filter(channel__layer=layer, frame__corpus=self.corpus)

    def _forget_if_top_grew(self, layer: Layer) -> None:
        """A larger `top` than the stored examples hold needs the frames read again."""
        scanned = self._scans_of(layer).count()
        stored = self._examples_of(layer).aggregate(k=Max("rank"))["k"] or 0
        if scanned and stored < min(self.top, scanned):
            self._scans_of(layer).delete()
            self._examples_of(layer).delete()

    def _seeded(self, layer: Layer) -> RunningExtremes:
        extremes = RunningExtremes(layer.channel_count, self.top)
        index_of = {cid: index for index, cid in self.channel_ids[layer.name].items()}
        stored = self._examples_of(layer).filter(rank__lte=self.top)
        for example in stored.order_by("channel_id", "side", "rank"):
            side = extremes.top if example.side == DatasetExample.TOP else extremes.bottom
            side.seed(
                index_of[example.channel_id], example.rank - 1, example.value, example.frame_id, 0
            )
            box = (example.box_left, example.box_top, example.box_width, example.box_height)
            self.boxes[(example.channel_id, example.side, example.frame_id)] = box
        return extremes

    def pending_frames(self, corpus: Corpus) -> list[Frame]:
        everything_scanned = set.intersection(*self.scanned.values()) if self.scanned else set()
        return [f for f in corpus.frames.order_by("id") if f.id not in everything_scanned]

    def read(self, loaded, frames: list[Frame]) -> None:
        wanted = [
            layer.name
            for layer in self.layers
            if any(f.id not in self.scanned[layer.name] for f in frames)
        ]
        batch = images_to_batch([open_frame(frame) for frame in frames], loaded)
        readings = read_layers(loaded, batch, wanted)
        for layer in self.layers:
            if layer.name not in readings:
                continue
            new = torch.tensor([f.id not in self.scanned[layer.name] for f in frames])
            reading = readings[layer.name]
            subset = type(reading)(
                reading.maxima[new], reading.max_positions[new],
                reading.minima[new], reading.min_positions[new], reading.grid,
            )  # fmt: skip
            ids = torch.tensor([f.id for f in frames])[new]
            self.changed[layer.name] |= self.extremes[layer.name].merge(subset, ids)
            self._scans(
                layer, [f for f, is_new in zip(frames, new.tolist(), strict=True) if is_new], subset
            )

    def _scans(self, layer: Layer, frames: list[Frame], reading) -> None:
        count = min(STRONGEST_PER_LAYER, layer.channel_count)
        values, channels = reading.maxima.cpu().topk(count, dim=1)
        for frame, row_values, row_channels in zip(
            frames, values.tolist(), channels.tolist(), strict=True
        ):
            strongest = [[c, round(v, 4)] for c, v in zip(row_channels, row_values, strict=True)]
            self.new_scans.append(FrameScan(frame=frame, layer=layer, strongest=strongest))
            self.scanned[layer.name].add(frame.id)

    @transaction.atomic
    def checkpoint(self) -> None:
        """Save the scans so far and the examples of every channel that changed."""
        FrameScan.objects.bulk_create(self.new_scans, ignore_conflicts=True)
        self.new_scans = []
        for layer in self.layers:
            changed = self.changed[layer.name].nonzero().flatten().tolist()
            if changed:
                self._write_examples(layer, changed)
            self.changed[layer.name].zero_()

    def _write_examples(self, layer: Layer, indices: list[int]) -> None:
        extremes, ids = self.extremes[layer.name], self.channel_ids[layer.name]
        self._examples_of(layer).filter(channel_id__in=[ids[i] for i in indices]).delete()
        rows = []
        for side_name, side in (
            (DatasetExample.TOP, extremes.top),
            (DatasetExample.BOTTOM, extremes.bottom),
        ):
            for index in indices:
                for rank in range(self.top):
                    frame_id = int(side.ids[index, rank])
                    if frame_id < 0:
                        break
                    key = (ids[index], side_name, frame_id)
                    box = self.boxes.get(key) or crop_box(
                        int(side.positions[index, rank]), extremes.grid
                    )
                    self.boxes[key] = box
                    rows.append(
                        DatasetExample(
                            channel_id=ids[index],
                            frame_id=frame_id,
                            side=side_name,
                            rank=rank + 1,
                            value=float(side.values[index, rank]),
                            box_left=box[0],
                            box_top=box[1],
                            box_width=box[2],
                            box_height=box[3],
                        )  # fmt: skip
                    )
        DatasetExample.objects.bulk_create(rows, batch_size=2000)


def open_frame(frame: Frame) -> Image.Image:
    """A frame's image from storage, in RGB, decoded at about twice the input size."""
    with default_storage.open(frame.image.name, "rb") as handle:
        image = Image.open(handle)
        image.draft("RGB", (448, 448))  # JPEG decodes at a fraction of its size: much faster
        return image.convert("RGB")


def examples_json(network: Network, corpus: Corpus, layers: list[Layer], top: int) -> list[dict]:
    """One object per channel: its top frames in `corpus`, their image files and values."""
    rows = (
        DatasetExample.objects.filter(
            channel__layer__in=layers, frame__corpus=corpus, side=DatasetExample.TOP, rank__lte=top
        )
        .select_related("channel__layer", "frame")
        .order_by("channel__layer__position", "channel__index", "rank")
    )
    by_channel: dict[int, dict] = {}
    for channel in Channel.objects.filter(layer__in=layers).select_related("layer"):
        by_channel[channel.id] = {
            "network": network.name,
            "layer": channel.layer.name,
            "channel": channel.index,
            "top": [],
            "_order": (channel.layer.position, channel.index),
        }
    for example in rows:
        by_channel[example.channel_id]["top"].append(
            {
                "frame": example.frame_id,
                "path": image_path(example.frame),
                "value": round(example.value, 4),
            }
        )
    ordered = sorted(by_channel.values(), key=lambda item: item["_order"])
    return [{key: value for key, value in item.items() if key != "_order"} for item in ordered]


def image_path(frame: Frame) -> str:
    """The frame's image as a local file path where the storage has one, else its name."""
    try:
        return default_storage.path(frame.image.name)
    except NotImplementedError:
        return frame.image.name


def job_id_for(network: Network, corpus: Corpus) -> str:
    return f"dataset-examples-{network.id}-{corpus.id}"


def queue_dataset_examples(network: Network, corpus: Corpus) -> bool:
    """Queue the dataset examples of `network` over `corpus` (all layers) on the `render`
    queue; False when that job is already waiting or running."""
    job_id = job_id_for(network, corpus)
    if queues.waiting_or_running(job_id):
        return False
    queues.enqueue(
        queues.RENDER, dataset_examples_job, network.id, corpus.id, job_id=job_id, job_timeout=-1
    )
    return True


def dataset_examples_job(network_id: int, corpus_id: int, top: int = 9) -> dict:
    """The RQ job: every layer of the network over the corpus (resumes if killed)."""
    network, corpus = Network.objects.get(id=network_id), Corpus.objects.get(id=corpus_id)
    report = compute_dataset_examples(network, corpus, top=top)
    return {"frames": report.frames, "channels": report.channels, "seconds": report.seconds}
