"""The atlas on a throwaway SQLite database and media folder, for benchmarks that need Django."""

from __future__ import annotations

import os
from pathlib import Path


def setup_django(work: Path, device: str) -> None:
    """Point the atlas at `work` (database, media, private files), set it up, migrate."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="atlas_site.settings",
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        MEDIA_ROOT=str(work / "media"),
        ATLAS_PRIVATE_ROOT=str(work / "private"),
        ATLAS_DEVICE=device,
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
