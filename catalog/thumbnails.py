"""Thumbnails for grids: a still larger than a grid cell needs is shrunk once, on first
request, and kept beside the stills (MEDIA_ROOT/thumbs/<side>/…); smaller stills are
their own thumbnails."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from PIL import Image

from catalog.files import write_atomically
from catalog.models import Still

SIDE = 192  # a grid cell is at most ~130 CSS px: twice that is sharp on a dense screen


def needs_thumbnail(still: Still) -> bool:
    return int(still.spec.get("size", 0)) > SIDE


def thumbnail_path(still: Still) -> Path:
    """The thumbnail file of a still, made (atomically) if it is not there yet."""
    target = Path(settings.MEDIA_ROOT) / "thumbs" / str(SIDE) / still.image.name
    if not target.is_file():
        with Image.open(Path(settings.MEDIA_ROOT) / still.image.name) as image:
            image.load()
            small = image.resize((SIDE, SIDE), Image.LANCZOS)
        write_atomically(target, lambda out: small.save(out, format="PNG", optimize=True))
    return target
