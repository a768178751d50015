import io

import numpy as np
from django.contrib.auth.models import User
from django.urls import reverse
from PIL import Image

from catalog.atlas.models import Still
from catalog.atlas.photos import photo_name
from catalog.storage import private_storage
from tests.renderer.helpers import make_photograph, upload_of

CHANNEL = ("efficientnet-lite0", "block10", 3)


def channel_url(query=""):
    return reverse("channel", args=CHANNEL) + query


def test_a_visitor_sketches_a_variant_within_the_limits(client, registered):
    page = client.get(channel_url("?style=cppn&seed=4&steps=6&size=40"))
    assert page.status_code == 200
    still = Still.objects.get()
    assert still.spec["style"] == "cppn" and still.spec["seed"] == 4
    assert still.status == Still.QUEUED and not still.is_default
    assert b'name="style"' in page.content and b'<option value="cppn" selected>' in page.content


def test_over_the_visitor_limit_is_a_clear_message(client, registered, settings):
    page = client.get(channel_url("?steps=100000"))
    assert page.status_code == 400
    assert b"<code>steps</code>" in page.content and b"at most 512" in page.content
    assert not Still.objects.exists()


def test_staff_may_ask_for_more(client, registered):
    client.force_login(User.objects.create_user("staff", password="pw", is_staff=True))
    assert client.get(channel_url("?steps=2000")).status_code == 200


def test_inconsistent_parameters_are_a_400_naming_the_field(client, registered):
    for query, field in [
        ("?objective=interpolate&count=3", "channel_b"),
        ("?objective=diversity", "count"),
        ("?objective=dream&style=pixel", "photo"),
        ("?objective=paint", "objective"),
        ("?objective=diversity&count=40", "count"),
        ("?objective=interpolate&count=3&channel_b=112", "channel_b"),
    ]:
        page = client.get(channel_url(query))
        assert page.status_code == 400, query
        assert f"<code>{field}</code>".encode() in page.content, query


def test_every_style_and_set_objective_renders_through_a_worker(
    client, registered, run_worker, settings
):
    settings.ATLAS_MAX_PENDING_PER_VISITOR = 5
    queries = [
        "?style=transparent",
        "?style=pixel",
        "?objective=diversity&count=3",
        "?objective=interpolate&count=3&channel_b=5",
        "?objective=neuron&style=cppn",
    ]
    for query in queries:
        client.get(channel_url(query + "&steps=4&size=40"))
    run_worker()
    stills = {s.spec["style"] + "/" + s.spec["objective"]: s for s in Still.objects.all()}
    assert {s.status for s in stills.values()} == {Still.DONE}
    assert Image.open(stills["transparent/channel"].image.path).mode == "RGBA"
    assert Image.open(stills["fourier/diversity"].image.path).size == (120, 40)
    assert len(stills["fourier/interpolate"].figures["frames"]) == 3
    page = client.get(channel_url("?style=transparent&steps=4&size=40")).content.decode()
    assert 'class="still transparent"' in page
    assert page.count("variant of block10:3") == 4  # the other four, linked as variants


def test_a_photograph_is_uploaded_and_dreamed_into(client, registered, run_worker):
    photo, _ = make_photograph()
    upload = upload_of(photo, "meadow.jpg")
    url = reverse("channel-dream", args=CHANNEL)
    response = client.post(url, {"photo": upload, "objective": "dream", "steps": 6, "size": 48})
    assert response.status_code == 302, response.content.decode()[-600:]
    assert client.get(response["Location"]).status_code == 200  # the page queues the dream
    still = Still.objects.get()
    assert still.spec["objective"] == "dream"
    assert private_storage().exists(photo_name(still.spec["photo"]))
    run_worker()
    still.refresh_from_db()
    assert still.status == Still.DONE, still.error
    result = np.asarray(Image.open(still.image.path), dtype=float)
    assert result.shape == (48, 48, 3) and result.std() > 10


def test_a_file_that_is_not_an_image_is_refused(client, registered):
    upload = io.BytesIO(b"not an image")
    upload.name = "notes.txt"
    url = reverse("channel-dream", args=CHANNEL)
    page = client.post(url, {"photo": upload, "objective": "dream", "steps": 6, "size": 48})
    assert page.status_code == 400 and b"<code>photo</code>" in page.content
    assert not Still.objects.exists()
