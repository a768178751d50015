"""The sample corpus the atlas ships: photographs from scikit-image's package data, so
dataset examples, circuits and activation atlases work before anyone brings frames.

Each photograph is a frame, and so are four overlapping crops of it (its corners at two
thirds of its size): 14 photographs, 70 frames, written once to a folder and ingested
like any corpus (a second call adds nothing).

The sample films (`add_sample_corpus --films`): a virtual camera panning, tilting and
zooming over the same photographs (`renderer.temporal.camera`), one short MP4 a move and
photograph, so `train_network --temporal --motion` has clips to learn from.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from PIL import Image

from catalog.corpora.ingest import add_corpus
from catalog.corpora.models import Corpus

SAMPLE_CORPUS = "samples"
SAMPLE_FILMS = "sample-films"
FILM_SIDE, FILM_FRAMES, FILM_FPS = 96, 24, 8  # three clips of 8 frames a video
PHOTOGRAPHS = (
    "astronaut", "brick", "camera", "chelsea", "clock", "coffee", "coins", "grass", "gravel",
    "hubble_deep_field", "immunohistochemistry", "moon", "retina", "rocket",
)  # fmt: skip
CROP = 2 / 3


def sample_folder() -> Path:
    return Path(settings.ATLAS_PRIVATE_ROOT) / "sample-corpus"


def write_sample_pictures(folder: Path) -> list[Path]:
    """The photographs and their corner crops as JPEG files in `folder` (kept if there)."""
    from skimage import data  # imported here: it takes a second to import

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in PHOTOGRAPHS:
        picture = Image.fromarray(getattr(data, name)()).convert("RGB")
        width, height = picture.size
        crop_w, crop_h = round(width * CROP), round(height * CROP)
        views = {"": picture}
        for corner, (left, top) in {
            "nw": (0, 0), "ne": (width - crop_w, 0),
            "sw": (0, height - crop_h), "se": (width - crop_w, height - crop_h),
        }.items():  # fmt: skip
            views[f"-{corner}"] = picture.crop((left, top, left + crop_w, top + crop_h))
        for suffix, view in views.items():
            path = folder / f"{name}{suffix}.jpg"
            if not path.exists():
                partial = path.with_suffix(".part")
                view.save(partial, format="JPEG", quality=92)
                partial.replace(path)
            written.append(path)
    return written


def add_sample_corpus() -> Corpus:
    """The sample corpus, written and ingested where it is missing."""
    folder = sample_folder()
    write_sample_pictures(folder)
    add_corpus(SAMPLE_CORPUS, folder)
    return Corpus.objects.get(name=SAMPLE_CORPUS)


def films_folder() -> Path:
    return Path(settings.ATLAS_PRIVATE_ROOT) / "sample-films"


def write_sample_films(folder: Path) -> list[Path]:
    """A video of each camera move over each photograph (kept where already written)."""
    from skimage import data

    from renderer.cinema.encode import VideoWriter
    from renderer.temporal.camera import CAMERA_MOVES, film

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in PHOTOGRAPHS:
        photo = Image.fromarray(getattr(data, name)()).convert("RGB")
        for move in CAMERA_MOVES:
            path = folder / f"{move.replace(' ', '-')}-{name}.mp4"
            if not path.exists():
                writer = VideoWriter(path, FILM_SIDE, FILM_SIDE, FILM_FPS)  # renamed when whole
                for frame in film(photo, move, FILM_FRAMES, (FILM_SIDE, FILM_SIDE), speed=0.02):
                    writer.write(frame)
                writer.close()
            written.append(path)
    return written


def add_sample_films() -> Corpus:
    """The sample films corpus, written and ingested where it is missing."""
    folder = films_folder()
    write_sample_films(folder)
    add_corpus(SAMPLE_FILMS, folder)
    return Corpus.objects.get(name=SAMPLE_FILMS)
