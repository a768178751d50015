"""Where the atlas keeps its media: Django's storage API, never a raw path.

`default_storage` holds stills, films, posters and prints (a folder by default, shared by
NFS between machines, or an S3-compatible bucket with django-storages: settings STORAGES,
from the MEDIA_STORAGE variables). `private_storage()` holds visitors' photographs, which
no URL serves. On a folder, a file is written to a temporary name and renamed into place,
so a reader (the web server, another machine) never sees half an image.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages

from catalog.files import write_atomically

PRIVATE = "private"


class AtomicFileSystemStorage(FileSystemStorage):
    """A media folder whose files appear whole (temporary name, then rename); a file
    saved under an existing name replaces it (a still's name is its content's hash)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_overwrite", True)
        super().__init__(*args, **kwargs)

    def _save(self, name: str, content: File) -> str:
        content.seek(0)
        write_atomically(Path(self.path(name)), lambda out: shutil.copyfileobj(content, out))
        return name.replace("\\", "/")


class PrivateFileStorage(AtomicFileSystemStorage):
    """ATLAS_PRIVATE_ROOT as a storage with no URL (read at each use, as tests change it)."""

    @property
    def base_location(self) -> str:
        return self._value_or_setting(self._location, str(settings.ATLAS_PRIVATE_ROOT))

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str) -> str:
        raise ValueError("private files have no URL")


def private_storage() -> Storage:
    """The storage of visitors' photographs (STORAGES["private"])."""
    return storages[PRIVATE]


def save_bytes(name: str, data: bytes, storage: Storage | None = None) -> str:
    """Save `data` as `name` (replacing it where the storage allows); the name stored."""
    storage = storage or default_storage
    if storage.exists(name) and not isinstance(storage, FileSystemStorage):
        storage.delete(name)  # e.g. InMemoryStorage would otherwise pick another name
    return storage.save(name, ContentFile(data))


def save_file(name: str, path: Path, storage: Storage | None = None) -> str:
    """Save the local file `path` (e.g. an MP4 PyAV wrote) as `name`; the name stored."""
    storage = storage or default_storage
    if storage.exists(name) and not isinstance(storage, FileSystemStorage):
        storage.delete(name)
    with open(path, "rb") as local:
        return storage.save(name, File(local, name=Path(name).name))


def local_folder(storage: Storage) -> Path | None:
    """The folder behind a filesystem storage (for `.part` cleanup), else None."""
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None
