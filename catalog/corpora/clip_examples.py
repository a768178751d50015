"""Dataset examples of a temporal network: the clips of a corpus that excite each channel
most and least, kept as short MP4 loops.

Every whole clip of the corpus's videos (`catalog.corpora.clips`, at the rate the network
was trained at) goes through the network in batches; each channel keeps its `top`
strongest and weakest clips (`renderer.examples.RunningExtremes`). Then the clips chosen
are written as MP4s and the examples replace the old ones in one transaction, so a page
shows either the old set or the new, never half of one; a run again recomputes them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import torch
from django.db import transaction
from django.utils.text import slugify
from PIL import Image

from catalog.atlas.models import Layer, Network
from catalog.corpora.clips import corpus_clips
from catalog.corpora.models import ClipExample, Corpus
from catalog.corpora.training import training_report
from catalog.storage import save_file
from renderer.examples import RunningExtremes, read_layers
from renderer.temporal.moving import CLIP_FPS, write_clip
from renderer.temporal.training import clip_evaluation_batch, clip_tensor


def compute_clip_examples(
    network: Network,
    corpus: Corpus,
    layers: list[Layer],
    loaded,
    top: int = 9,
    batch_size: int = 16,
    progress: Callable[[int], None] = lambda clips: None,
    total: Callable[[int], None] = lambda clips: None,
) -> int:
    """Find and store the clip examples of `layers`; returns how many clips were read."""
    report = training_report(network) or {}
    clips = corpus_clips(corpus, loaded.extra["frames"], report.get("rate"))
    total(len(clips))
    extremes = {layer.name: RunningExtremes(layer.channel_count, top) for layer in layers}
    size = loaded.input_size
    for start in range(0, len(clips), batch_size):
        chunk = clips[start : start + batch_size]
        batch = clip_evaluation_batch([clip_tensor(c.frames, size) for c in chunk], size)
        readings = read_layers(loaded, batch.to(loaded.device), [layer.name for layer in layers])
        ids = torch.arange(start, start + len(chunk))
        for layer in layers:
            extremes[layer.name].merge(readings[layer.name], ids)
        progress(len(chunk))
    rows = [row for layer in layers for row in _rows(layer, corpus, extremes[layer.name])]
    videos = _write_videos(corpus, clips, {clip_id for *_, clip_id in rows})
    with transaction.atomic():
        ClipExample.objects.filter(channel__layer__in=layers, corpus=corpus).delete()
        ClipExample.objects.bulk_create(
            ClipExample(
                channel_id=channel_id,
                corpus=corpus,
                source=clips[clip_id].source,
                start=clips[clip_id].start,
                end=clips[clip_id].end,
                side=side,
                rank=rank,
                value=value,
                video=videos[clip_id],
            )
            for channel_id, side, rank, value, clip_id in rows
        )
    return len(clips)


def _rows(layer: Layer, corpus: Corpus, extremes: RunningExtremes) -> list[tuple]:
    """(channel id, side, rank, value, clip index) of each kept example."""
    channel_ids = dict(layer.channels.values_list("index", "id"))
    rows = []
    for side_name, side in ((ClipExample.TOP, extremes.top), (ClipExample.BOTTOM, extremes.bottom)):
        for index, channel_id in channel_ids.items():
            for rank, (value, clip_id) in enumerate(
                zip(side.values[index].tolist(), side.ids[index].tolist(), strict=True), start=1
            ):
                if clip_id >= 0:
                    rows.append((channel_id, side_name, rank, value, clip_id))
    return rows


def _write_videos(corpus: Corpus, clips, chosen: set[int]) -> dict[int, str]:
    """Each chosen clip as an MP4 in the media storage: clip index → stored name."""
    names = {}
    with tempfile.TemporaryDirectory() as folder:
        for clip_id in sorted(chosen):
            clip = clips[clip_id]
            frames = [Image.fromarray(frame) for frame in clip.frames]
            width, height = (side - side % 2 for side in frames[0].size)
            frames = [frame.crop((0, 0, width, height)) for frame in frames]
            path = Path(folder) / f"{clip_id}.mp4"
            write_clip(frames, path, CLIP_FPS)
            name = f"corpora/{corpus.name}/clips/{slugify(clip.source)}-{clip.start:.3f}.mp4"
            names[clip_id] = save_file(name, path)
    return names


def clip_examples_json(network: Network, corpus: Corpus, layers: list[Layer]) -> list[dict]:
    """One entry per channel: its top and bottom clips (source, start, end, value, video)."""
    entries: dict[int, dict] = {}
    examples = ClipExample.objects.filter(channel__layer__in=layers, corpus=corpus)
    for example in examples.select_related("channel__layer").order_by("channel_id", "side", "rank"):
        channel = example.channel
        entry = entries.setdefault(
            channel.id,
            {"network": network.name, "layer": channel.layer.name, "channel": channel.index,
             "corpus": corpus.name, "top": [], "bottom": []},
        )  # fmt: skip
        entry[example.side].append(
            {"source": example.source, "start": example.start, "end": example.end,
             "value": round(example.value, 6), "video": example.video.name}
        )  # fmt: skip
    return list(entries.values())
