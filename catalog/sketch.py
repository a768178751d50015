"""Workshop sketching: variants of a channel's still asked for from its page, within limits.

A visitor's query string (`?style=cppn&seed=3`) or uploaded photograph becomes a
`RenderSpec` of the same channel; it shares the cache, the queue and the progress bar.
Anonymous visitors get small sizes and step counts; staff get the renderer's own limits.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from PIL import Image, UnidentifiedImageError

from renderer import SpecError
from renderer.spec import OBJECTIVES, PHOTO_OBJECTIVES, STYLES

VARIANT_FIELDS = ("objective", "style", "size", "steps", "seed", "count", "channel_b", "photo")
PHOTO_MAX_SIDE = 2048


def limits_for(user) -> dict[str, int]:
    """The largest size, steps and count this user may ask for."""
    return settings.ATLAS_SKETCH_LIMITS["staff" if user.is_staff else "visitor"]


def variant_params(query, user) -> dict[str, str]:
    """Render parameters from a query string, checked against the user's limits."""
    params = {k: query[k] for k in VARIANT_FIELDS if query.get(k, "") != ""}
    for field, limit in limits_for(user).items():
        value = params.get(field, "")
        if value.isdigit() and int(value) > limit:
            who = "staff" if user.is_staff else "visitors"
            raise SpecError(field, f"{who} may ask for at most {limit}, got {value}")
    return params


def variant_query(spec, default) -> str:
    """The query string that asks for `spec` on its channel's page ('' for the default)."""
    changed = {
        name: value
        for name, value in spec.to_dict().items()
        if name in VARIANT_FIELDS and value != getattr(default, name)
    }
    return "?" + urlencode(changed) if changed else ""


class SketchForm(forms.Form):
    """The variant form on a channel page (submitted as a GET query string)."""

    objective = forms.ChoiceField(choices=[(o, o) for o in OBJECTIVES if o not in PHOTO_OBJECTIVES])
    style = forms.ChoiceField(choices=[(s, s) for s in STYLES])
    seed = forms.IntegerField(min_value=0)
    steps = forms.IntegerField(min_value=1)
    size = forms.IntegerField(min_value=16)
    count = forms.IntegerField(min_value=1, required=False, help_text="diversity / interpolate")
    channel_b = forms.IntegerField(min_value=0, required=False, help_text="interpolate to")

    def __init__(self, *args, limits: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for name, limit in limits.items():
            self.fields[name].widget.attrs["max"] = limit


class DreamForm(forms.Form):
    """Upload a photograph and amplify the channel (or its whole layer) in it."""

    photo = forms.ImageField()
    objective = forms.ChoiceField(choices=[(o, o) for o in PHOTO_OBJECTIVES])
    steps = forms.IntegerField(min_value=1, initial=32)
    size = forms.IntegerField(min_value=16, initial=128)

    def __init__(self, *args, limits: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = limits
        for name in ("steps", "size"):
            self.fields[name].validators.append(MaxValueValidator(limits[name]))
            self.fields[name].widget.attrs["max"] = limits[name]


def store_photo(upload) -> str:
    """Save an uploaded photograph as a clean PNG named by its SHA-256; return the hash."""
    try:
        upload.seek(0)  # the form's validation has read it once already
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise SpecError("photo", f"is not a readable image ({exc})") from exc
    image = image.convert("RGB")
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    data = io.BytesIO()
    image.save(data, format="PNG")
    digest = hashlib.sha256(data.getvalue()).hexdigest()
    target = photo_path(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data.getvalue())
        os.replace(temporary, target)
    return digest


def photo_path(digest: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "photos" / f"{digest}.png"


def load_photos(specs) -> dict[str, Image.Image]:
    """The photographs dream specs start from (a missing one is left out: the renderer
    then fails that still with an error naming `photo`)."""
    photos = {}
    for spec in specs:
        if spec.photo and photo_path(spec.photo).exists():
            photos[spec.photo] = Image.open(photo_path(spec.photo)).convert("RGB")
    return photos
