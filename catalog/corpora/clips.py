"""Clips of a corpus: F consecutive frames decoded from its videos, and their labels.

Each video of the corpus is decoded front to back with PyAV; frames are taken at `rate`
per second (every frame when no rate is given) and kept small. A cut (the colour
histogram of two consecutive frames changing, as `add_corpus` finds cuts) ends a run of
frames, so no clip spans two shots; each run gives as many whole clips of F frames as fit.
Labels come from a CSV (`file,label` for every clip of a file, `file,start,end,label` for
the clips within those seconds) or from the clips' own camera movement (`motion`).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from catalog.corpora import folders
from catalog.corpora.models import Corpus
from catalog.corpora.training import TrainingInputError, relative_to_corpus, source_matches
from renderer.temporal.motion import motion_label
from renderer.temporal.training import Clip

MOTION = "motion"
KEPT_SIDE = 160  # pixels on a kept frame's shorter side
MIN_MOTION_CLIPS = 4  # a camera movement found in fewer clips is not a class


def corpus_videos(corpus: Corpus) -> list[tuple[str, Path]]:
    """(path relative to the corpus folder, absolute path) of each video read without error."""
    rows = corpus.source_files.filter(error="").order_by("path")
    videos = [(row.path, Path(corpus.folder) / row.path) for row in rows]
    videos = [(relative, path) for relative, path in videos if folders.is_video(path)]
    if not videos:
        raise TrainingInputError(
            f"corpus {corpus.name!r} has no videos: a temporal network learns from clips "
            "of the corpus's video files (add some and run add_corpus again)"
        )
    return videos


def video_clips(path: Path, source: str, frames: int, rate: float | None) -> Iterator[Clip]:
    """The whole clips of `frames` frames of one video, none across a cut (unlabelled)."""
    run: list[np.ndarray] = []
    times: list[float] = []
    previous = None
    next_time = 0.0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, decoded in enumerate(container.decode(stream)):
            time = folders.time_of(decoded, index, stream)
            if rate and time + 1e-6 < next_time:
                continue
            next_time = time + 1 / rate if rate else time
            probe = decoded.to_image(width=folders.PROBE_SIZE[0], height=folders.PROBE_SIZE[1])
            histogram = folders.colour_histogram(probe)
            if (
                previous is not None
                and folders.cut_score(previous, histogram) > folders.CUT_THRESHOLD
            ):
                run, times = [], []  # a cut: the unfinished clip is dropped
            previous = histogram
            run.append(_small(decoded))
            times.append(time)
            if len(run) == frames:
                yield Clip(np.stack(run), "", source, round(times[0], 3), round(times[-1], 3))
                run, times = [], []


def _small(decoded: av.VideoFrame) -> np.ndarray:
    scale = KEPT_SIDE / min(decoded.width, decoded.height)
    if scale >= 1:
        return decoded.to_ndarray(format="rgb24")
    width, height = round(decoded.width * scale / 2) * 2, round(decoded.height * scale / 2) * 2
    return decoded.to_ndarray(format="rgb24", width=width, height=height)


def corpus_clips(corpus: Corpus, frames: int, rate: float | None = None) -> list[Clip]:
    """Every whole clip of the corpus's videos; an error when there is none."""
    if frames < 2:
        raise TrainingInputError(f"frames: a clip needs at least 2 frames, not {frames}")
    if rate is not None and not rate > 0:
        raise TrainingInputError(f"rate: {rate} is not a positive number of frames a second")
    clips = []
    for source, path in corpus_videos(corpus):
        try:
            clips += list(video_clips(path, source, frames, rate))
        except folders.UNREADABLE as exc:
            raise TrainingInputError(f"{source}: cannot decode it: {exc}") from exc
    if not clips:
        raise TrainingInputError(
            f"no video of corpus {corpus.name!r} has {frames} frames in one shot"
            + (f" at {rate:g} a second" if rate else "")
            + ": its clips are shorter than --frames"
        )
    return clips


def labelled_clips(corpus: Corpus, labels: str, frames: int, rate: float | None) -> list[Clip]:
    """The clips with a label: from the CSV at `labels`, or their motion for `motion`."""
    clips = corpus_clips(corpus, frames, rate)
    if labels == MOTION:
        chosen = [_labelled(clip, motion_label(clip.frames)) for clip in clips]
        counts = Counter(clip.label for clip in chosen)
        # A movement seen in a few clips only can hardly be learned or checked: left out.
        chosen = [clip for clip in chosen if counts[clip.label] >= MIN_MOTION_CLIPS]
    else:
        chosen = _by_rules(clips, read_clip_rules(labels), corpus)
    found = sorted({clip.label for clip in chosen})
    if len(found) < 2:
        raise TrainingInputError(f"labels: training needs at least 2 classes, found {found}")
    return chosen


def read_clip_rules(path: str) -> list[tuple[int, str, float | None, float | None, str]]:
    """The CSV's rows as (line, file, start, end, label); header `file,label` or
    `file,start,end,label`."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise TrainingInputError(f"labels: cannot read {path!r}: {exc.strerror}") from exc
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if header not in (["file", "label"], ["file", "start", "end", "label"]):
        raise TrainingInputError(
            f"labels: {path!r} needs the header 'file,label' or 'file,start,end,label', "
            f"got {','.join(rows[0]) if rows else 'an empty file'!r}"
        )
    timed = len(header) == 4
    rules = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row]
        if len(cells) != len(header) or not cells[0] or not cells[-1]:
            raise TrainingInputError(f"labels: line {line} needs {','.join(header)}: {row}")
        start = end = None
        if timed:
            try:
                start, end = float(cells[1]), float(cells[2])
            except ValueError as exc:
                raise TrainingInputError(f"labels: line {line}: start and end are seconds") from exc
            if end <= start:
                raise TrainingInputError(f"labels: line {line}: end {end} is not after {start}")
        rules.append((line, cells[0].removeprefix("./"), start, end, cells[-1]))
    return rules


def _by_rules(clips: list[Clip], rules, corpus: Corpus) -> list[Clip]:
    """Later lines win; a line that labels no clip is an error naming it."""
    chosen: dict[int, Clip] = {}
    for line, pattern, start, end, label in rules:
        pattern = relative_to_corpus(pattern, corpus.folder)
        matched = [
            i
            for i, clip in enumerate(clips)
            if source_matches(clip.source, pattern)
            and (start is None or (clip.start >= start - 1e-6 and clip.end <= end + 1e-6))
        ]
        if not matched:
            within = f" between {start:g} and {end:g} s" if start is not None else ""
            raise TrainingInputError(
                f"labels: line {line}: {pattern!r}{within} (label {label!r}) names no clip "
                f"of corpus {corpus.name!r}"
            )
        chosen.update((i, _labelled(clips[i], label)) for i in matched)
    return [chosen[i] for i in sorted(chosen)]


def _labelled(clip: Clip, label: str) -> Clip:
    return Clip(clip.frames, label, clip.source, clip.start, clip.end)
