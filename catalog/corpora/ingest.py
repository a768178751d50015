"""Ingest a corpus folder into frames: what `add_corpus` runs.

Each new or changed media file is read (`catalog.corpora`), its near-duplicate frames
dropped, and each frame kept is stored through Django's storage (full image and
thumbnail) before its row exists, so no page ever links to half a file. A file that
cannot be read is reported and skipped; the run goes on.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify
from PIL import Image

from catalog.corpora import folders as corpora
from catalog.corpora.models import Corpus, Frame, SourceFile

THUMBNAIL_SIZE = 256
JPEG_QUALITY = 90


class CorpusError(ValueError):
    """Bad input to `add_corpus`; the message names the field."""


@dataclass
class IngestReport:
    corpus: str
    files: int = 0
    frames: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    seconds: float = 0.0

    def as_json(self) -> dict:
        return {
            "corpus": self.corpus,
            "files": self.files,
            "frames": self.frames,
            "skipped": len(self.skipped),
            "seconds": round(self.seconds, 3),
        }


def corpus_for(name: str, folder: str | Path) -> Corpus:
    """The corpus `name` on `folder`, created if new; a clear error for bad input."""
    if not name or slugify(name) != name:
        raise CorpusError(f"name: {name!r} is not a slug (letters, digits, - and _)")
    folder = Path(folder).expanduser().resolve()
    if not folder.is_dir():
        raise CorpusError(f"folder: {folder} is not a folder")
    corpus, created = Corpus.objects.get_or_create(name=name, defaults={"folder": str(folder)})
    if not created and Path(corpus.folder) != folder:
        raise CorpusError(f"folder: corpus {name!r} reads {corpus.folder}, not {folder}")
    return corpus


def add_corpus(
    name: str,
    folder: str | Path,
    every: float = 2.0,
    files_progress: Callable = lambda files: files,
    warn: Callable[[str], None] = lambda message: None,
) -> IngestReport:
    """Ingest the media files of `folder` that are new (or changed) into corpus `name`.

    `files_progress` wraps the list of files (a tqdm bar); `warn` hears each skipped file.
    """
    if not every > 0:
        raise CorpusError(f"every: {every} is not a positive number of seconds")
    started = time.monotonic()
    corpus = corpus_for(name, folder)
    report = IngestReport(corpus.name)
    known = {row.path: row for row in corpus.source_files.all()}
    duplicates = corpora.NearDuplicates(list(corpus.frames.values_list("phash", flat=True)))
    root = Path(corpus.folder)
    for path in files_progress(corpora.media_files(root)):
        relative = path.relative_to(root).as_posix()
        stat = path.stat()
        record = known.get(relative)
        if (
            record
            and not record.error
            and (record.size, record.mtime) == (stat.st_size, stat.st_mtime)
        ):
            continue
        report.files += 1
        try:
            added = _store(corpus, relative, _read(path, every), duplicates, record is not None)
        except corpora.UNREADABLE as exc:
            why = str(exc) or type(exc).__name__
            report.skipped.append((relative, why))
            warn(f"skipped {relative}: {why}")
            _record(corpus, relative, stat, 0, why)
            continue
        _record(corpus, relative, stat, added, "")
        report.frames += added
    report.seconds = time.monotonic() - started
    return report


def _read(path: Path, every: float):
    """The frames of one file, lazily: a long video is never held in memory at once."""
    if corpora.is_video(path):
        yield from corpora.sample_video(path, every)
    else:
        yield corpora.read_image(path)


def _store(corpus, relative, frames, duplicates, replace: bool) -> int:
    """Save the frames of one file that are not near-duplicates, as they are decoded; how
    many were saved. A decoding error midway saves none of them (and removes their files)."""
    added, subtitles_kept, saved = 0, set(), []
    checkpoint = duplicates.checkpoint()
    try:
        with transaction.atomic():
            if replace:  # the file changed: its old frames go, their files once committed
                _forget_frames(corpus.frames.filter(source=relative))
            for sampled in frames:
                phash = corpora.perceptual_hash(sampled.image)
                new_line = sampled.subtitle and sampled.subtitle not in subtitles_kept
                if duplicates.seen(phash) and not new_line:
                    continue
                saved.append(_save_frame(corpus, relative, sampled, phash))
                duplicates.add(phash)
                subtitles_kept.add(sampled.subtitle)
                added += 1
    except BaseException:
        duplicates.restore(checkpoint)
        for frame in saved:
            frame.image.delete(save=False)
            frame.thumbnail.delete(save=False)
        raise
    return added


def _forget_frames(frames) -> None:
    names = [name for pair in frames.values_list("image", "thumbnail") for name in pair if name]
    frames.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def _save_frame(corpus, relative, sampled: corpora.SampledFrame, phash: str) -> Frame:
    frame = Frame(
        corpus=corpus,
        source=relative,
        time=sampled.time,
        width=sampled.image.width,
        height=sampled.image.height,
        phash=phash,
        subtitle=sampled.subtitle,
        scene_cut=sampled.scene_cut,
    )
    stem = slugify(relative.replace("/", "-").replace(".", "-"))[:80] or "frame"
    if sampled.time is not None:
        stem += f"-{int(round(sampled.time * 1000)):09d}ms"
    thumbnail = sampled.image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    frame.image.save(f"{stem}.jpg", ContentFile(_jpeg(sampled.image)), save=False)
    frame.thumbnail.save(f"{stem}.jpg", ContentFile(_jpeg(thumbnail)), save=False)
    frame.save()
    return frame


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def _record(corpus, relative, stat, added: int, error: str) -> None:
    SourceFile.objects.update_or_create(
        corpus=corpus,
        path=relative,
        defaults={
            "size": stat.st_size,
            "mtime": stat.st_mtime,
            "frames_added": added,
            "error": error,
        },
    )
