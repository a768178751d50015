"""Tours: a curator builds one, anyone steps through it, staff render it as a film."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.atlas.models import Channel
from catalog.cinema.models import Film, Tour
from tests.conftest import queued_job_ids

STOPS = (
    "efficientnet-lite0/block3/1 Snouts first\n"
    "/n/efficientnet-lite0/block3/2/ Then eyes\n"
    "\n"
    "efficientnet-lite0/block5/0 Fur, deeper\n"
)


@pytest.fixture
def tour_settings(settings):
    settings.ATLAS_TOUR_FILM = {"size": [32, 32], "fps": 4, "hold": 1, "transition": 1}
    return settings


@pytest.fixture
def admin_client(client, registered):
    client.force_login(User.objects.create_superuser("ada", "ada@example.org", "pw-for-tests"))
    return client


def build_tour(client, stops: str = STOPS, **fields):
    data = {"title": "Faces of lite0", "slug": "", "description": "A walk.", "stops": stops}
    return client.post(reverse("tour-new"), {**data, **fields})


def links(html: str, rel: str) -> list[str]:
    return re.findall(rf'<a rel="{rel}" href="([^"]+)"', html)


def test_a_curator_builds_a_tour_and_its_page_steps_through_the_stops_in_order(
    registered, curator_client, client
):
    response = build_tour(curator_client)
    tour = Tour.objects.get()
    assert response.status_code == 302 and response["Location"] == "/tours/faces-of-lite0/"
    assert tour.created_by.username == "carla"
    stops = [(s.position, str(s.channel), s.caption) for s in tour.stops_in_order()]
    assert stops == [
        (1, "efficientnet-lite0 / block3 : 1", "Snouts first"),
        (2, "efficientnet-lite0 / block3 : 2", "Then eyes"),
        (3, "efficientnet-lite0 / block5 : 0", "Fur, deeper"),
    ]

    client.logout()  # a visitor reads it
    first = client.get("/tours/faces-of-lite0/").content.decode()
    captions = [first.index(c) for c in ("Snouts first", "Then eyes", "Fur, deeper")]
    assert captions == sorted(captions)
    assert links(first, "prev") == [] and links(first, "next") == ["/tours/faces-of-lite0/2/"]
    assert 'href="/n/efficientnet-lite0/block3/1/"' in first and "tour.js" in first
    second = client.get("/tours/faces-of-lite0/2/").content.decode()
    assert links(second, "prev") == ["/tours/faces-of-lite0/"]
    assert links(second, "next") == ["/tours/faces-of-lite0/3/"]
    assert 'aria-current="step"><a href="/tours/faces-of-lite0/2/"' in second
    last = client.get("/tours/faces-of-lite0/3/").content.decode()
    assert links(last, "next") == [] and "Fur, deeper" in last
    assert client.get("/tours/faces-of-lite0/4/").status_code == 404
    assert "Faces of lite0" in client.get(reverse("tours")).content.decode()
    assert "Edit this tour" not in first and "Render as a film" not in first


def test_a_curator_edits_the_stops_and_a_bad_line_is_named(registered, curator_client):
    build_tour(curator_client)
    edit = reverse("tour-edit", args=["faces-of-lite0"])
    form = curator_client.get(edit).content.decode()
    assert "efficientnet-lite0/block3/2 Then eyes" in form
    bad = curator_client.post(
        edit, {"title": "Faces", "slug": "faces-of-lite0", "stops": "x/y/1 no"}
    )
    assert (
        bad.status_code == 200 and "line 1: &#x27;x/y/1&#x27; is no channel" in bad.content.decode()
    )
    stops = "efficientnet-lite0/block5/0 Only fur"
    curator_client.post(edit, {"title": "Faces", "slug": "faces-of-lite0", "stops": stops})
    tour = Tour.objects.get()
    assert tour.title == "Faces" and [s.caption for s in tour.stops_in_order()] == ["Only fur"]


def test_a_visitor_cannot_edit_a_tour_nor_film_it(registered, curator_client, client):
    build_tour(curator_client)
    edit, film = (reverse(name, args=["faces-of-lite0"]) for name in ("tour-edit", "tour-film"))
    curator_client.logout()
    for url in (reverse("tour-new"), edit):
        assert client.get(url)["Location"].startswith(reverse("login"))
    assert build_tour(client, title="Mine")["Location"].startswith(reverse("login"))
    assert client.post(film)["Location"].startswith(reverse("login"))
    client.force_login(User.objects.create_user("vic", password="pw"))  # logged in, no rights
    assert client.get(edit).status_code == 403 and build_tour(client).status_code == 403
    assert client.post(film).status_code == 403
    client.force_login(Tour.objects.get().created_by)  # a curator edits but does not render
    assert client.post(film).status_code == 403
    assert Tour.objects.count() == 1 and not Film.objects.exists()


def test_rendering_a_tour_queues_one_film_whose_shots_match_the_stops(
    tour_settings, curator_client, admin_client
):
    build_tour(curator_client)
    page = admin_client.get("/tours/faces-of-lite0/").content.decode()
    assert 'action="/tours/faces-of-lite0/film/"' in page
    response = admin_client.post("/tours/faces-of-lite0/film/")
    film = Film.objects.get()
    assert response.status_code == 302 and response["Location"] == film.get_absolute_url()
    shots = [
        {k: v for k, v in shot.items() if k not in ("seconds",)} for shot in film.spec["shots"]
    ]
    assert shots == [
        {"kind": "hold", "layer": "block3", "channel": 1, "caption": "Snouts first"},
        {"kind": "transition", "layer": "block3", "from": 1, "to": 2},
        {"kind": "hold", "layer": "block3", "channel": 2, "caption": "Then eyes"},
        {"kind": "hold", "layer": "block5", "channel": 0, "caption": "Fur, deeper"},
    ]
    assert film.spec["network"] == "efficientnet-lite0" and film.title == "Faces of lite0"
    assert film.frames_total == 4 * 4 and film.status == Film.QUEUED
    admin_client.post("/tours/faces-of-lite0/film/")  # a second click: the same film
    assert Film.objects.count() == 1
    assert queued_job_ids(tour_settings) == [f"film-{film.id}-1"]


def test_a_tour_through_a_layer_a_film_cannot_show_is_refused_naming_the_stop(
    tour_settings, curator_client, admin_client
):
    build_tour(curator_client, stops=STOPS + "efficientnet-lite0/logits/207 The class")
    response = admin_client.post("/tours/faces-of-lite0/film/")
    assert response.status_code == 400
    assert "stop 4" in response.content.decode() and "not spatial" in response.content.decode()
    assert not Film.objects.exists() and queued_job_ids(tour_settings) == []


def test_staff_edit_a_tour_in_the_admin_with_its_stops_inline(admin_client):
    channel = Channel.objects.get(layer__name="block3", index=7)
    assert admin_client.get(reverse("admin:cinema_tour_add")).status_code == 200
    inline = {"stops-TOTAL_FORMS": "1", "stops-INITIAL_FORMS": "0"}
    stop = {"stops-0-position": "1", "stops-0-channel": channel.id, "stops-0-caption": "Seven"}
    data = {"title": "Admin tour", "slug": "admin-tour", "description": "", **inline, **stop}
    response = admin_client.post(reverse("admin:cinema_tour_add"), data)
    assert response.status_code == 302
    tour = Tour.objects.get()
    assert tour.created_by.username == "ada"
    assert [(s.channel, s.caption) for s in tour.stops_in_order()] == [(channel, "Seven")]
