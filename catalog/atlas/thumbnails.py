"""Thumbnails for grids: a still larger than a grid cell needs is shrunk once, on first
request, and kept in the media storage beside the stills (thumbs/<side>/…); smaller
stills are their own thumbnails."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from catalog.atlas.models import Still
from catalog.storage import save_bytes

SIDE = 192  # a grid cell is at most ~130 CSS px: twice that is sharp on a dense screen


def needs_thumbnail(still: Still) -> bool:
    return int(still.spec.get("size", 0)) > SIDE


def grid_url(still: Still) -> str:
    """Where a grid on the site gets the image of an atlas still (its thumbnail view when
    the still is larger than a cell, else the still itself)."""
    if needs_thumbnail(still):
        return reverse("still-thumbnail", args=[still.id])
    return still.image.url


def thumbnail_name(still: Still) -> str:
    """The storage name of a still's thumbnail, made (atomically) if it is not there yet;
    FileNotFoundError when the still's own image is missing."""
    name = f"thumbs/{SIDE}/{still.image.name}"
    if default_storage.exists(name):
        return name
    if not default_storage.exists(still.image.name):
        raise FileNotFoundError(still.image.name)
    with default_storage.open(still.image.name, "rb") as stored, Image.open(stored) as image:
        small = image.convert("RGBA" if "A" in image.mode else "RGB").resize((SIDE, SIDE))
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return save_bytes(name, out.getvalue())
