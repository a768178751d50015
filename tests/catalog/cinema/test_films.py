"""Films from the site: the admin adds and queues one, a worker renders it, staff watch it."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.atlas.models import Network
from catalog.cinema import films
from catalog.cinema.models import Film
from tests.conftest import queued_job_ids
from tests.renderer.cinema_helpers import decode

SPEC = {
    "network": "efficientnet-lite0",
    "size": [64, 48],
    "fps": 4,
    "first_steps": 8,
    "steps": 2,
    "shots": [{"kind": "zoom", "layer": "block3", "channel": 1, "seconds": 1, "caption": "1"}],
}


@pytest.fixture
def admin_user(registered):
    return User.objects.create_superuser("ada", "ada@example.org", "pw-for-tests")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def spec(**overrides) -> dict:
    return {**SPEC, **overrides}


def add_film(client, data: dict | str, **fields):
    text = data if isinstance(data, str) else json.dumps(data)
    return client.post(reverse("admin:cinema_film_add"), {"title": "tiny", "spec": text, **fields})


def render_action(client, *films_):
    url = reverse("admin:cinema_film_changelist")
    ids = [film.id for film in films_]
    return client.post(url, {"action": "render_films", "_selected_action": ids}, follow=True)


def spec_errors(response) -> str:
    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.errors
    return " ".join(message for messages in errors.values() for message in messages)


def test_an_admin_adds_a_film_with_a_valid_spec(admin_client, admin_user):
    response = add_film(admin_client, SPEC)
    assert response.status_code == 302
    film = Film.objects.get()
    assert (film.title, film.status, film.frames_total) == ("tiny", Film.NEW, 4)
    assert film.spec == SPEC and film.created_by == admin_user


def test_a_spec_can_be_uploaded_as_a_file(admin_client):
    upload = SimpleUploadedFile("film.json", json.dumps(spec(title="From a file")).encode())
    response = add_film(admin_client, "", title="", spec_file=upload)
    assert response.status_code == 302
    assert Film.objects.get().title == "From a file"


def test_an_invalid_spec_is_a_form_error_naming_shot_and_field(admin_client):
    bad_channel = spec(shots=[SPEC["shots"][0], {**SPEC["shots"][0], "channel": 999}])
    assert "shot 1, field 'channel'" in spec_errors(add_film(admin_client, bad_channel))
    no_layer = spec(shots=[{**SPEC["shots"][0], "layer": "block99"}])
    assert "shot 0, field 'layer'" in spec_errors(add_film(admin_client, no_layer))
    assert "film, field 'size'" in spec_errors(add_film(admin_client, spec(size=[65, 48])))
    assert "film, field 'network'" in spec_errors(add_film(admin_client, spec(network="nonet")))
    assert "valid JSON" in spec_errors(add_film(admin_client, '{"network": '))
    upward = spec(shots=[{**SPEC["shots"][0], "to_layer": "block1", "to_channel": 0}])
    assert "is not after" in spec_errors(add_film(admin_client, upward))
    assert not Film.objects.exists()


def test_the_render_action_queues_one_job_however_often_it_is_run(admin_client, settings):
    add_film(admin_client, SPEC)
    film = Film.objects.get()
    page = render_action(admin_client, film)
    assert b"Queued 1 film(s)" in page.content
    film.refresh_from_db()
    assert (film.status, film.job_id) == (Film.QUEUED, f"film-{film.id}-1")
    render_action(admin_client, film)
    assert queued_job_ids(settings) == [f"film-{film.id}-1"]


def test_a_worker_renders_the_film_and_its_page_shows_the_video(admin_client, run_worker, settings):
    add_film(admin_client, SPEC)
    film = Film.objects.get()
    render_action(admin_client, film)
    run_worker()
    film.refresh_from_db()
    assert film.status == Film.DONE, film.error_detail
    assert (film.frames_done, film.frames_total, film.rendered, film.cached) == (4, 4, 4, 0)
    frames = decode(Path(settings.MEDIA_ROOT) / film.output.name)
    assert len(frames) == 4 and frames[0].shape == (48, 64, 3)  # fps × seconds, the asked size
    assert film.output.name == f"films/film-{film.id}.mp4" and film.preview.name.endswith(".png")
    assert list((Path(settings.MEDIA_ROOT) / "frames").rglob("*.png"))  # the shared cache

    page = admin_client.get(reverse("film", args=[film.id]))
    assert b"<video controls" in page.content and film.output.url.encode() in page.content
    status = admin_client.get(reverse("film-status", args=[film.id])).json()
    assert status["status"] == "done" and status["video"] == film.output.url
    assert status["poster"] == film.preview.url and status["seconds_left"] == 0.0
    assert admin_client.get(film.output.url).status_code == 200
    assert films.render_film_job(film.id) is None  # a done film is not rendered again
    assert Film.objects.get(id=film.id).finished_at == film.finished_at


def test_a_failing_film_is_marked_failed_with_its_error_and_can_be_queued_again(
    admin_client, run_worker, settings
):
    add_film(admin_client, SPEC)
    film = Film.objects.get()
    Network.objects.filter(name="efficientnet-lite0").update(weights="/nonexistent/lite0.pth")
    render_action(admin_client, film)
    run_worker()
    film.refresh_from_db()
    assert film.status == Film.FAILED and "lite0.pth" in film.error
    assert "Traceback" in film.error_detail and "Traceback" not in film.error
    status = admin_client.get(reverse("film-status", args=[film.id])).json()
    assert status["status"] == "failed" and status["error"] == film.error
    assert "error_detail" not in status and status["video"] is None
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.mp4"))

    render_action(admin_client, film)
    film.refresh_from_db()
    assert (film.status, film.job_id, film.error) == (Film.QUEUED, f"film-{film.id}-2", "")
    assert queued_job_ids(settings) == [f"film-{film.id}-2"]


def test_a_cancelled_film_is_not_rendered(admin_client):
    add_film(admin_client, SPEC)
    film = Film.objects.get()
    render_action(admin_client, film)
    admin_client.post(reverse("film-cancel", args=[film.id]))
    assert Film.objects.get(id=film.id).status == Film.CANCELLED
    assert films.render_film_job(film.id) is None
    assert Film.objects.get(id=film.id).status == Film.CANCELLED


def test_a_render_stops_at_the_next_frame_once_cancelled(admin_client):
    add_film(admin_client, SPEC)
    film = Film.objects.get()
    assert Film.objects.filter(id=film.id).claim()
    film.refresh_from_db()
    write = films._progress_writer(film)
    write(1, 4)
    assert Film.objects.get(id=film.id).frames_done == 1
    Film.objects.filter(id=film.id).cancel()
    with pytest.raises(films.FilmCancelled):
        write(2, 4)


def test_editing_the_spec_of_a_done_film_makes_it_new_again(admin_client):
    add_film(admin_client, SPEC)
    film = Film.objects.get()
    Film.objects.filter(id=film.id).update(status=Film.DONE, output="films/old.mp4", frames_done=4)
    longer = spec(shots=[{**SPEC["shots"][0], "seconds": 2}])
    url = reverse("admin:cinema_film_change", args=[film.id])
    response = admin_client.post(url, {"title": "tiny", "spec": json.dumps(longer)})
    assert response.status_code == 302
    film.refresh_from_db()
    assert (film.status, film.output.name, film.frames_total) == (Film.NEW, "", 8)


@pytest.mark.parametrize("name", ["films", "film", "film-status"])
def test_film_pages_are_for_staff_only(client, curator, admin_user, name):
    film = Film.objects.create(title="x", spec=SPEC, frames_total=4)
    url = reverse(name) if name == "films" else reverse(name, args=[film.id])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(curator)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    assert client.post(reverse("film-cancel", args=[film.id])).status_code == 302
    client.logout()
    assert client.post(reverse("film-render", args=[film.id])).status_code == 302
    assert Film.objects.get(id=film.id).status == Film.CANCELLED  # a visitor queued nothing


def test_render_video_renders_a_film_of_the_site_inline(registered, settings):
    film = Film.objects.create(title="inline", spec=SPEC, frames_total=4)
    out = StringIO()
    call_command("render_video", "--film", str(film.id), "--json", stdout=out, stderr=StringIO())
    report = json.loads(out.getvalue())
    film.refresh_from_db()
    assert film.status == Film.DONE and (report["frames"], report["rendered"]) == (4, 4)
    assert len(decode(Path(settings.MEDIA_ROOT) / film.output.name)) == 4
    with pytest.raises(CommandError, match="is done"):
        call_command("render_video", "--film", str(film.id), stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="no SPEC"):
        call_command("render_video", "x.json", "--film", str(film.id))
