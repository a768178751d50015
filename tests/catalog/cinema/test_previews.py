"""Films in the atlas: a channel's looping preview, a layer's montage, both in the export."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.atlas.models import Channel, Layer
from catalog.catalogue.export import read_manifest
from catalog.cinema.films import render_film_job
from catalog.cinema.models import Film, Tour
from tests.catalog.catalogue.test_export_catalogue import broken_links
from tests.conftest import queued_job_ids
from tests.renderer.cinema_helpers import decode

CHANNEL = ("efficientnet-lite0", "block0", 3)


@pytest.fixture
def tiny_films(settings):
    settings.ATLAS_PREVIEW_FILM = {"size": 32, "seconds": 1, "fps": 4, "steps": 2, "first_steps": 4}
    settings.ATLAS_MONTAGE_FILM = {"size": [64, 32], "seconds": 1, "fps": 4, "channels": 16}
    return settings


@pytest.fixture
def admin_client(client, registered):
    client.force_login(User.objects.create_superuser("ada", "ada@example.org", "pw-for-tests"))
    return client


def preview_action(client, *channels):
    url = reverse("admin:atlas_channel_changelist")
    ids = [channel.id for channel in channels]
    return client.post(url, {"action": "render_previews", "_selected_action": ids}, follow=True)


def video_tags(html: str) -> list[str]:
    return re.findall(r"<video[^>]*>", html)


def test_the_layer_montage_button_is_for_staff_only(tiny_films, client, curator, admin_client):
    url = reverse("layer-montage", args=["efficientnet-lite0", "block3"])
    page = admin_client.get(reverse("layer", args=["efficientnet-lite0", "block3"]))
    assert f'action="{url}"' in page.content.decode()
    response = admin_client.post(url)
    film = Film.objects.get()
    assert response.status_code == 302 and response["Location"] == film.get_absolute_url()
    assert film.spec["shots"] == [
        {
            "kind": "montage",
            "layer": "block3",
            "channels": list(range(16)),
            "seconds": 1,
            "caption": "block3 · channels 0-15",
        }
    ]
    assert film.status == Film.QUEUED and film.preview_of is None
    # (opening the layer page also queued its missing stills on the fill queue)
    assert queued_job_ids(tiny_films, queues=("render",)) == [f"film-{film.id}-1"]

    admin_client.logout()
    layer_page = client.get(reverse("layer", args=["efficientnet-lite0", "block3"]))
    assert url not in layer_page.content.decode()
    assert client.post(url)["Location"].startswith(reverse("login"))
    client.force_login(curator)
    assert (
        url
        not in client.get(reverse("layer", args=["efficientnet-lite0", "block3"])).content.decode()
    )
    assert client.post(url).status_code == 403
    assert Film.objects.count() == 1


def test_the_preview_action_queues_one_small_film_per_channel_once(tiny_films, admin_client):
    channels = list(Channel.objects.filter(layer__name="block0", index__in=[1, 2]))
    logits = Channel.objects.get(layer__name="logits", index=0)
    page = preview_action(admin_client, *channels, logits).content.decode()
    assert "Queued the preview films of 2 channel(s)" in page and "not spatial" in page
    films = list(Film.objects.order_by("id"))
    assert [film.preview_of for film in films] == channels
    assert films[0].spec["size"] == [32, 32] and films[0].spec["shots"][0]["kind"] == "zoom"
    assert {film.status for film in films} == {Film.QUEUED}
    preview_action(admin_client, *channels)  # asked again: nothing new
    assert Film.objects.count() == 2
    assert queued_job_ids(tiny_films) == [f"film-{film.id}-1" for film in films]


def test_the_command_queues_previews_of_a_layer_once(tiny_films, registered):
    out = StringIO()
    call_command("render_previews", "efficientnet-lite0", "block0", "--channels", "1-2", stdout=out)
    assert "2 preview film(s), 2 queued" in out.getvalue()
    call_command("render_previews", "efficientnet-lite0", "block0", "--channels", "1-2", stdout=out)
    films = Film.objects.order_by("id")
    assert [film.preview_of.index for film in films] == [1, 2]
    assert queued_job_ids(tiny_films) == [f"film-{film.id}-1" for film in films]
    with pytest.raises(CommandError, match="not spatial"):
        call_command("render_previews", "efficientnet-lite0", "logits", "--channels", "0")


def test_a_done_preview_loops_on_the_channel_page_and_goes_into_the_export(
    tiny_films, admin_client, client, curator, tmp_path
):
    channel = Channel.objects.get(layer__name="block0", index=3)
    preview_action(admin_client, channel)
    film = Film.objects.get()
    page = client.get(channel.get_absolute_url()).content.decode()
    assert video_tags(page) == []  # queued, not done: nothing to play yet
    render_film_job(film.id)
    film.refresh_from_db()
    assert film.status == Film.DONE, film.error_detail
    frames = decode(Path(tiny_films.MEDIA_ROOT) / film.output.name)
    assert len(frames) == 4 and frames[0].shape == (32, 32, 3)

    (video,) = video_tags(client.get(channel.get_absolute_url()).content.decode())
    assert all(word in video for word in (" autoplay", " loop", " muted", " playsinline"))
    assert f'src="{film.output.url}"' in video
    other = Channel.objects.get(layer__name="block0", index=4)
    assert video_tags(client.get(other.get_absolute_url()).content.decode()) == []

    Layer.objects.exclude(name="block0").delete()  # a small catalogue
    tour = Tour.objects.create(title="One stop", slug="one-stop")
    tour.set_stops([(channel, "Here")])
    out = tmp_path / "catalogue"
    call_command("export_catalogue", str(out), stdout=StringIO(), stderr=StringIO())
    exported = out / "n" / "efficientnet-lite0" / "block0" / "3" / "index.html"
    (video,) = video_tags(exported.read_text())
    source = re.search(r' src="([^"]+)"', video).group(1)
    assert not source.startswith("/") and (exported.parent / source).resolve().is_file()
    assert (exported.parent / source).resolve() == (out / "media" / film.output.name).resolve()
    manifest = read_manifest(out)
    assert f"media/{film.output.name}" in manifest["files"] and manifest["previews"] == 1
    assert f"media/{film.preview.name}" in manifest["files"]
    assert "tours/one-stop/index.html" in manifest["files"]
    assert broken_links(out) == []
