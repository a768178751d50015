"""Periodic cleanups: visitors' variants and photographs expire, debris goes.

Run by the workers every ATLAS_CLEANUP_INTERVAL seconds (one worker at a time) and by
`python manage.py cleanup_atlas`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.utils import timezone

from catalog.atlas.models import Still
from catalog.atlas.photos import expire_photos
from catalog.files import remove_stale_parts
from catalog.storage import local_folder, private_storage

log = logging.getLogger(__name__)
PART_AGE = 3600  # a .part file this old belongs to a process that died


def expire_variants(older_than: float) -> int:
    """Delete variants (not default stills) older than `older_than` seconds that are
    not rendering, with their images; how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than)
    expired = Still.objects.filter(is_default=False, created__lt=cutoff).exclude(
        status__in=(Still.QUEUED, Still.RUNNING)
    )
    removed = 0
    for still in expired.iterator():
        for stored in (still.image, still.video):
            if stored:
                default_storage.delete(stored.name)
        removed += Still.objects.filter(id=still.id, status=still.status).delete()[0]
    return removed


def run_cleanups() -> dict[str, int]:
    """Every cleanup once; what each removed."""
    ttl = settings.ATLAS_VARIANT_TTL
    variants = expire_variants(ttl)
    in_use = set(Still.objects.exclude(spec__photo="").values_list("spec__photo", flat=True))
    removed = {
        "variants": variants,
        "photos": expire_photos(ttl, keep={p for p in in_use if p}),
        "parts": sum(
            remove_stale_parts(folder, PART_AGE)
            for folder in (local_folder(default_storage), local_folder(private_storage()))
            if folder is not None
        ),
        "sessions": Session.objects.filter(expire_date__lt=timezone.now()).delete()[0],
    }
    log.info("cleanups: %s", removed)
    return removed
