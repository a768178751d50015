"""Visitors' photographs for dream variants: checked before decoding, private, expiring.

A photograph is refused by file size, format (PNG, JPEG, WebP) and pixel count read from
its header, before any pixel is decoded. It is stored as a clean PNG named by its SHA-256
as `photos/<sha256>.png` in the private storage (ATLAS_PRIVATE_ROOT), which no URL serves.
"""

from __future__ import annotations

import hashlib
import io
import time

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from catalog.storage import private_storage, save_bytes
from renderer import SpecError

FORMATS = ("PNG", "JPEG", "WEBP")
PHOTO_MAX_SIDE = 2048  # stored photographs are scaled down to this


def open_checked(upload) -> Image.Image:
    """The upload as an image not yet decoded, or `SpecError("photo", …)`."""
    if upload.size > settings.ATLAS_MAX_PHOTO_BYTES:
        limit = settings.ATLAS_MAX_PHOTO_BYTES // 2**20
        raise SpecError("photo", f"is larger than {limit} MB")
    upload.seek(0)
    try:
        image = Image.open(upload, formats=FORMATS)  # reads the header only
    except (UnidentifiedImageError, OSError) as exc:
        raise SpecError("photo", "must be a PNG, JPEG or WebP image") from exc
    width, height = image.size
    if width * height > settings.ATLAS_MAX_PHOTO_PIXELS:
        megapixels = settings.ATLAS_MAX_PHOTO_PIXELS / 1e6
        raise SpecError(
            "photo", f"has {width}×{height} pixels; at most {megapixels:g} megapixels please"
        )
    return image


def store_photo(upload) -> str:
    """Check, decode and save an uploaded photograph; return its SHA-256."""
    image = open_checked(upload)
    try:
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise SpecError("photo", f"is not a readable image ({exc})") from exc
    image = image.convert("RGB")
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    data = io.BytesIO()
    image.save(data, format="PNG")
    digest = hashlib.sha256(data.getvalue()).hexdigest()
    if not private_storage().exists(photo_name(digest)):
        save_bytes(photo_name(digest), data.getvalue(), private_storage())
    return digest


def photo_name(digest: str) -> str:
    """A photograph's name in the private storage."""
    return f"photos/{digest}.png"


def load_photos(specs) -> dict[str, Image.Image]:
    """The photographs dream specs start from (a missing one is left out: the renderer
    then fails that still with an error naming `photo`)."""
    photos, storage = {}, private_storage()
    for spec in specs:
        if spec.photo and storage.exists(photo_name(spec.photo)):
            with storage.open(photo_name(spec.photo), "rb") as stored:
                photos[spec.photo] = Image.open(stored).convert("RGB")
    return photos


def expire_photos(older_than: float, keep: set[str]) -> int:
    """Delete photographs older than `older_than` seconds that no kept still uses."""
    storage, removed = private_storage(), 0
    if not storage.exists("photos"):
        return 0
    cutoff = time.time() - older_than
    for name in storage.listdir("photos")[1]:
        digest, _, extension = name.rpartition(".")
        if extension != "png" or digest in keep:
            continue
        if storage.get_modified_time(f"photos/{name}").timestamp() < cutoff:
            storage.delete(f"photos/{name}")
            removed += 1
    return removed
