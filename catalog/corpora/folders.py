"""Reading a corpus folder, without Django: which files are media, their frames, scene cuts,
subtitles by time and perceptual hashes.

A video is decoded once, front to back (PyAV). Frames are kept every `every` seconds, at
each subtitle's middle (so every line of dialogue has a frame) and at scene cuts. A cut
is a jump in the colour histogram between two consecutive probes, taken every
`min(every, 0.5)` seconds on a 64×36 copy of the frame: cheap, and blind to motion that
keeps the colours.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import imagehash
import numpy as np
import srt
from PIL import Image, ImageOps

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v", ".mpg", ".mpeg", ".ts", ".ogv"}
)
PROBE_SIZE = (64, 36)
MAX_PROBE_STEP = 0.5  # seconds between cut probes, at most
CUT_THRESHOLD = 0.35  # half the L1 distance of two colour histograms, 0..1
HISTOGRAM_BINS = 8  # per colour channel
NEAR_DUPLICATE_BITS = 5  # perceptual hashes at most this many bits apart are one picture

# What a broken file raises on the way through PIL and PyAV; anything else is a bug.
UNREADABLE = (OSError, ValueError, EOFError, av.FFmpegError, Image.DecompressionBombError)


@dataclass(frozen=True)
class SampledFrame:
    """One picture of a source file: its time in a video (None for an image file)."""

    image: Image.Image
    time: float | None = None
    scene_cut: bool = False
    subtitle: str = ""


@dataclass(frozen=True)
class Subtitle:
    start: float
    end: float
    text: str


def media_files(folder: Path) -> list[Path]:
    """Image and video files under `folder`, sorted, by suffix (case-insensitive)."""
    suffixes = IMAGE_SUFFIXES | VIDEO_SUFFIXES
    return sorted(
        path
        for path in Path(folder).rglob("*")
        if path.is_file() and path.suffix.lower() in suffixes
    )


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def read_image(path: Path) -> SampledFrame:
    """An image file as one RGB frame, turned upright by its EXIF orientation."""
    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
    return SampledFrame(image)


def subtitles_beside(video: Path) -> list[Subtitle]:
    """The subtitles of `video` from `NAME.srt` (or `NAME.*.srt`) beside it; [] if none.

    An unparsable file is an `ValueError` naming it."""
    candidates = sorted(video.parent.glob(f"{video.stem}.srt")) + sorted(
        video.parent.glob(f"{video.stem}.*.srt")
    )
    if not candidates:
        return []
    text = candidates[0].read_text(encoding="utf-8-sig", errors="replace")
    try:
        return [
            Subtitle(line.start.total_seconds(), line.end.total_seconds(), line.content.strip())
            for line in srt.parse(text)
        ]
    except srt.SRTParseError as exc:
        raise ValueError(f"{candidates[0].name}: not a valid .srt file ({exc})") from exc


def subtitle_at(subtitles: list[Subtitle], time: float) -> str:
    """The text shown at `time` (lines joined when several overlap), or ""."""
    return "\n".join(line.text for line in subtitles if line.start <= time <= line.end)


def colour_histogram(image: Image.Image) -> np.ndarray:
    """`HISTOGRAM_BINS` bins per RGB channel, side by side, summing to 1."""
    pixels = np.asarray(image.convert("RGB").resize(PROBE_SIZE), dtype=np.uint8)
    bins = pixels.reshape(-1, 3) // (256 // HISTOGRAM_BINS)
    counts = [np.bincount(bins[:, c], minlength=HISTOGRAM_BINS) for c in range(3)]
    histogram = np.concatenate(counts).astype(np.float64)
    return histogram / histogram.sum()


def cut_score(before: np.ndarray, after: np.ndarray) -> float:
    """0 for the same colours, 1 for colours with nothing in common."""
    return float(np.abs(before - after).sum() / 2.0)  # each histogram sums to 1


def sample_video(path: Path, every: float) -> Iterator[SampledFrame]:
    """Frames of a video every `every` seconds, at subtitle middles and at scene cuts.

    Raises one of `UNREADABLE` for a file PyAV cannot open or decode; a video with no
    frame at all is a `ValueError`.
    """
    subtitles = subtitles_beside(path)
    wanted = sorted((line.start + line.end) / 2 for line in subtitles)
    probe_step = min(every, MAX_PROBE_STEP)
    next_sample, next_probe, previous, found = 0.0, 0.0, None, False
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise ValueError("the file has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, decoded in enumerate(container.decode(stream)):
            time = time_of(decoded, index, stream)
            sample, cut = time >= next_sample, False
            if time >= next_probe:
                histogram = colour_histogram(
                    decoded.to_image(width=PROBE_SIZE[0], height=PROBE_SIZE[1])
                )
                cut = previous is not None and cut_score(previous, histogram) > CUT_THRESHOLD
                previous, next_probe = (
                    histogram,
                    next_probe + probe_step * (1 + (time - next_probe) // probe_step),
                )
            while wanted and wanted[0] <= time:
                wanted.pop(0)
                sample = True
            if sample:
                next_sample += every * (1 + (time - next_sample) // every)
            if sample or cut:
                found = True
                yield SampledFrame(
                    decoded.to_image(), round(time, 3), cut, subtitle_at(subtitles, time)
                )
    if not found:
        raise ValueError("no video frame could be decoded")


def time_of(decoded: av.VideoFrame, index: int, stream) -> float:
    if decoded.time is not None:
        return float(decoded.time)
    rate = float(stream.average_rate or 25)
    return index / rate


def perceptual_hash(image: Image.Image) -> str:
    """The 64-bit DCT perceptual hash of `image`, as 16 hex digits."""
    return str(imagehash.phash(image))


class NearDuplicates:
    """The perceptual hashes seen so far; `seen(hash)` says whether a picture is one of
    them (at most `NEAR_DUPLICATE_BITS` bits apart)."""

    def __init__(self, hashes: list[str] = ()) -> None:
        self._hashes = np.array([int(h, 16) for h in hashes], dtype=np.uint64)

    def seen(self, phash: str) -> bool:
        if not len(self._hashes):
            return False
        distances = np.bitwise_count(self._hashes ^ np.uint64(int(phash, 16)))
        return bool(distances.min() <= NEAR_DUPLICATE_BITS)

    def checkpoint(self) -> np.ndarray:
        return self._hashes

    def restore(self, checkpoint: np.ndarray) -> None:
        self._hashes = checkpoint

    def add(self, phash: str) -> None:
        self._hashes = np.append(self._hashes, np.uint64(int(phash, 16)))
