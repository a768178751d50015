"""Media through Django's storage API: a non-filesystem storage end to end, atomic folders."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from catalog.atlas.cleanup import run_cleanups
from catalog.atlas.jobs import render_stills
from catalog.atlas.models import Channel, Still
from catalog.atlas.photos import load_photos, photo_name, store_photo
from catalog.catalogue.export import export_catalogue
from catalog.storage import AtomicFileSystemStorage, private_storage
from tests.conftest import render_inline

IN_MEMORY = "django.core.files.storage.InMemoryStorage"


@pytest.fixture
def in_memory_media(settings):
    """Stills, films and photographs in memory: no file path exists for any of them."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": IN_MEMORY, "OPTIONS": {"base_url": "/media/"}},
        "private": {"BACKEND": IN_MEMORY},
    }
    settings.ATLAS_DEFAULT_STILL = {"size": 32, "steps": 4}
    return settings


def test_a_still_renders_shows_on_its_page_and_exports_from_in_memory_storage(
    registered, in_memory_media, client, tmp_path
):
    channel = Channel.objects.get(layer__name="stem", index=2)
    (still,) = render_inline([channel])
    assert still.status == Still.DONE and default_storage.exists(still.image.name)
    stored = default_storage.open(still.image.name).read()
    assert Image.open(io.BytesIO(stored)).size == (32, 32)

    page = client.get(channel.get_absolute_url()).content.decode()
    src = re.search(r'id="still-image" src="([^"]+)"', page).group(1)
    assert src == f"/media/{still.image.name}"
    served = client.get(src)
    assert served.status_code == 200 and b"".join(served.streaming_content) == stored

    out = tmp_path / "catalogue"
    manifest = export_catalogue(out)
    assert manifest["stills"] == 1
    assert (out / "media" / still.image.name).read_bytes() == stored
    assert not in_memory_media.MEDIA_ROOT.exists()  # nothing went to the folder


def test_photographs_live_in_the_private_storage(registered, in_memory_media):
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(png, format="PNG")
    upload = ContentFile(png.getvalue(), name="photo.png")
    digest = store_photo(upload)
    assert private_storage().exists(photo_name(digest))
    assert not default_storage.exists(photo_name(digest))
    spec = Channel.objects.get(layer__name="stem", index=0).spec(
        objective="dream", style="pixel", photo=digest
    )
    assert load_photos([spec])[digest].size == (40, 30)
    in_memory_media.ATLAS_VARIANT_TTL = 0
    assert run_cleanups()["photos"] == 1
    assert not private_storage().exists(photo_name(digest))


def test_a_missing_media_file_is_a_404_and_variants_are_never_served_as_media(registered, client):
    assert client.get("/media/stills/nothing.png").status_code == 404
    assert client.get("/media/stills/").status_code == 404
    default_storage.save("variants/secret.png", ContentFile(b"x"))
    assert client.get("/media/variants/secret.png").status_code == 404
    assert client.get("/media/../private/photos/x.png").status_code == 404


def test_the_media_folder_replaces_a_file_whole_and_leaves_no_debris(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    assert storage.save("stills/a.png", ContentFile(b"first")) == "stills/a.png"
    assert storage.save("stills/a.png", ContentFile(b"second")) == "stills/a.png"
    assert (tmp_path / "stills" / "a.png").read_bytes() == b"second"
    assert sorted(p.name for p in (tmp_path / "stills").iterdir()) == ["a.png"]
    assert (tmp_path / "stills" / "a.png").stat().st_mode & 0o777 == 0o644


def test_a_still_rendered_again_replaces_its_image_under_the_same_name(registered):
    channel = Channel.objects.get(layer__name="stem", index=1)
    (still,) = render_inline([channel])
    first = still.image.name
    Still.objects.filter(id=still.id).update(status=Still.NEW)
    render_stills([still.id])
    still.refresh_from_db()
    assert still.image.name == first and default_storage.exists(first)
    assert still.rendered_by  # the worker's name
