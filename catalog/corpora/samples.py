"""The sample corpus the atlas ships: photographs from scikit-image's package data, so
dataset examples, circuits and activation atlases work before anyone brings frames.

Each photograph is a frame, and so are four overlapping crops of it (its corners at two
thirds of its size): 14 photographs, 70 frames, written once to a folder and ingested
like any corpus (a second call adds nothing).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from PIL import Image

from catalog.corpora.ingest import add_corpus
from catalog.corpora.models import Corpus

SAMPLE_CORPUS = "samples"
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
