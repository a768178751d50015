"""Staff order a print from a channel page; a worker renders it; the page offers it."""

from pathlib import Path

import django_rq
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.atlas import prints
from catalog.atlas.models import Channel
from catalog.queues import RENDER

ARGS = ["efficientnet-lite0", "block3", 7]


def staff_client(client):
    client.force_login(User.objects.create_user("ada", password="pw", is_staff=True))
    return client


def test_a_visitor_sees_no_print_form_and_cannot_order(client, registered):
    page = client.get(reverse("channel", args=ARGS)).content.decode()
    assert 'id="order-print"' not in page
    response = client.post(reverse("channel-print", args=ARGS), {"size": "1024"})
    assert response.status_code in (302, 403) and not django_rq.get_queue(RENDER).count


def test_staff_order_a_print_once_however_often_they_click(client, registered):
    staff = staff_client(client)
    page = staff.get(reverse("channel", args=ARGS)).content.decode()
    assert 'id="order-print"' in page and '<option value="2048">2048 px</option>' in page
    for _ in range(2):
        response = staff.post(reverse("channel-print", args=ARGS), {"size": "2048"})
        assert response["Location"].endswith("#print")
    channel = Channel.objects.get(layer__name="block3", index=7)
    assert django_rq.get_queue(RENDER).job_ids == [prints.job_id_for(channel, 2048)]
    state = staff.get(reverse("channel-prints", args=ARGS)).json()["prints"]
    assert [p["status"] for p in state] == ["none", "queued", "none"]


def test_a_print_size_not_offered_is_refused_naming_the_field(client, registered):
    response = staff_client(client).post(reverse("channel-print", args=ARGS), {"size": "99999"})
    assert response.status_code == 400 and b"<code>size</code>" in response.content
    assert not django_rq.get_queue(RENDER).count


def test_a_worker_renders_the_print_and_the_page_offers_its_download(
    client, registered, run_worker, settings
):
    settings.ATLAS_PRINT_SIZES = (96,)
    settings.ATLAS_PRINT_STILL = {"size": 48, "steps": 4}
    staff = staff_client(client)
    staff.post(reverse("channel-print", args=ARGS), {"size": "96"})
    run_worker()
    channel = Channel.objects.select_related("layer__network").get(layer__name="block3", index=7)
    path = Path(settings.MEDIA_ROOT) / prints.print_name(channel, 96)
    from PIL import Image

    with Image.open(path) as image:
        assert image.size == (96, 96)
    page = staff.get(reverse("channel", args=ARGS)).content.decode()
    assert '<a href="/media/prints/efficientnet-lite0-block3-7-96.png" download>' in page
