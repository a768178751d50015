"""Visitors' variants and photographs are theirs: never atlas content, never public."""

import datetime
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from catalog.atlas.cleanup import run_cleanups
from catalog.atlas.models import Still
from catalog.atlas.photos import photo_name
from catalog.catalogue.export import export_catalogue
from catalog.storage import private_storage
from tests.renderer.helpers import make_photograph, upload_of

CHANNEL = ("efficientnet-lite0", "block10", 3)


def dream(client) -> Still:
    photo, _ = make_photograph()
    upload = upload_of(photo, "me.png")
    url = reverse("channel-dream", args=CHANNEL)
    answer = client.post(url, {"photo": upload, "objective": "dream", "steps": 1, "size": 48})
    assert answer.status_code == 302
    assert client.get(answer["Location"]).status_code == 200
    return Still.objects.get(spec__objective="dream")


def test_a_visitors_dream_is_theirs_and_staffs_only(registered, run_worker, settings, tmp_path):
    visitor, stranger = Client(), Client()
    still = dream(visitor)
    run_worker()
    still.refresh_from_db()
    assert still.status == Still.DONE and still.origin == Still.VISITOR
    assert still.image.name.startswith("variants/")

    image_url = reverse("still-image", args=[still.id])
    status_url = reverse("still-status", args=[still.id])
    assert visitor.get(image_url).status_code == 200
    assert visitor.get(status_url).json()["image"] == image_url
    assert stranger.get(image_url).status_code == 404
    assert stranger.get(status_url).status_code == 404
    assert stranger.get("/media/" + still.image.name).status_code == 404
    assert stranger.get(f"/media/photos/{still.spec['photo']}.png").status_code == 404
    assert private_storage().exists(photo_name(still.spec["photo"]))
    staff = Client()
    staff.force_login(User.objects.create_user("admin", password="pw", is_staff=True))
    assert staff.get(image_url).status_code == 200

    # Never atlas content: not a thumbnail of the layer, network, search or export.
    for url in (
        reverse("layer", args=CHANNEL[:2]),
        reverse("network", args=CHANNEL[:1]),
        reverse("search") + "?q=block10:3",
        reverse("channel", args=CHANNEL),
    ):
        page = stranger.get(url).content.decode()
        assert still.image.name not in page and image_url not in page, url
    out = tmp_path / "catalogue"
    export_catalogue(out)
    assert not list(out.rglob("variants")) and not list(out.rglob("photos"))


def test_unclaimed_variants_and_photos_expire(registered, run_worker, settings):
    still = dream(Client())
    run_worker()
    still.refresh_from_db()
    image = Path(settings.MEDIA_ROOT) / still.image.name
    photo = Path(private_storage().path(photo_name(still.spec["photo"])))
    part = Path(settings.MEDIA_ROOT) / "stills" / "x.png.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"half")
    assert run_cleanups()["variants"] == 0  # young: kept

    settings.ATLAS_VARIANT_TTL = 0
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
    Still.objects.filter(id=still.id).update(created=old)
    import os

    os.utime(part, (0, 0))
    os.utime(photo, (0, 0))
    removed = run_cleanups()
    assert removed["variants"] == 1 and removed["photos"] == 1 and removed["parts"] == 1
    assert not image.exists() and not photo.exists() and not part.exists()
    assert not Still.objects.filter(id=still.id).exists()


def test_the_cleanup_command_reports_what_it_removed(registered, capsys):
    call_command("cleanup_atlas", "--json")
    assert '"variants": 0' in capsys.readouterr().out


def test_stills_are_readable_by_another_web_server_user(registered, run_worker, client):
    client.get(reverse("channel", args=CHANNEL))
    run_worker()
    still = Still.objects.get()
    assert Path(still.image.path).stat().st_mode & 0o777 == 0o644


def test_a_big_image_in_a_small_file_is_refused_before_decoding(client, registered):
    huge = upload_of(Image.new("1", (13000, 13000)), "huge.png")
    assert len(huge.getvalue()) < 2**20  # a small file
    url = reverse("channel-dream", args=CHANNEL)
    page = client.post(url, {"photo": huge, "objective": "dream", "steps": 1, "size": 48})
    assert page.status_code == 400
    assert b"<code>photo</code>" in page.content and b"megapixels" in page.content
    assert not Still.objects.exists()


def test_uploads_are_refused_by_format_and_file_size(client, registered, settings):
    url = reverse("channel-dream", args=CHANNEL)
    gif = upload_of(Image.new("RGB", (32, 32)), "anim.gif")
    page = client.post(url, {"photo": gif, "objective": "dream", "steps": 1, "size": 48})
    assert page.status_code == 400 and b"PNG, JPEG or WebP" in page.content
    settings.ATLAS_MAX_PHOTO_BYTES = 1000
    big = upload_of(Image.effect_noise((64, 64), 50).convert("RGB"), "noise.png")
    page = client.post(url, {"photo": big, "objective": "dream", "steps": 1, "size": 48})
    assert page.status_code == 400 and b"larger than" in page.content
    assert not Still.objects.exists()
