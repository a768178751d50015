"""Every action, tried by a visitor, a curator and an admin."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.atlas.models import BatchRender, Layer, Network, Still
from catalog.catalogue.export import export_state
from catalog.curation.models import Annotation, Taxon

CHANNEL = ("efficientnet-lite0", "block3", 2)
ALLOWED, LOGIN, FORBIDDEN, ADMIN_LOGIN = "allowed", "login", "forbidden", "admin login"


@pytest.fixture
def batch(registered):
    network = Network.objects.get()
    batch = BatchRender.objects.create(network=network, prepared=True)
    batch.layers.set(Layer.objects.filter(name="block0"))
    batch.stills.add(*Layer.objects.get(name="block0").default_stills())
    return batch


@pytest.fixture(params=["visitor", "curator", "admin"])
def role(request, client, registered, curator):
    if request.param == "curator":
        client.force_login(curator)
    elif request.param == "admin":
        client.force_login(User.objects.create_superuser("ada", "ada@example.org", "pw"))
    return request.param, client


def outcome(response) -> str:
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith(reverse("login")):
            return LOGIN
    assert response.status_code in (200, 302), response.status_code
    return ALLOWED


def expect(role_name: str, visitor: str, curator: str, admin: str) -> str:
    return {"visitor": visitor, "curator": curator, "admin": admin}[role_name]


READING = [
    reverse("home"),
    reverse("network", args=CHANNEL[:1]),
    reverse("layer", args=CHANNEL[:2]),
    reverse("contact-sheet", args=CHANNEL[:2]),
    reverse("channel", args=CHANNEL),
    reverse("taxa"),
    reverse("taxon", args=["dog-faces"]),
    reverse("search") + "?q=block3",
    reverse("login"),
]


def test_everybody_reads_the_atlas(role):
    _, client = role
    for url in READING:
        assert client.get(url).status_code == 200, url


def test_only_curators_and_admins_annotate(role):
    name, client = role
    url = reverse("annotate", args=CHANNEL)
    assert outcome(client.get(url)) == expect(name, LOGIN, ALLOWED, ALLOWED)
    taxon = Taxon.objects.get(slug="eyes")
    response = client.post(url, {"text": "Eyes *everywhere*.", "tags": [taxon.id]})
    assert outcome(response) == expect(name, LOGIN, ALLOWED, ALLOWED)
    assert Annotation.objects.filter(text="Eyes *everywhere*.").exists() == (name != "visitor")
    history = client.get(reverse("history", args=CHANNEL))
    assert outcome(history) == expect(name, LOGIN, ALLOWED, ALLOWED)


def test_only_admins_see_batch_renders(role, batch):
    name, client = role
    for url in (
        reverse("batches"),
        reverse("batch", args=[batch.id]),
        reverse("batch-status", args=[batch.id]),
    ):
        assert outcome(client.get(url)) == expect(name, LOGIN, FORBIDDEN, ALLOWED), url


def test_only_admins_cancel_and_retry_batch_renders(role, batch):
    name, client = role
    response = client.post(reverse("batch-cancel", args=[batch.id]))
    assert outcome(response) == expect(name, LOGIN, FORBIDDEN, ALLOWED)
    batch.refresh_from_db()
    assert batch.cancelled == (name == "admin")
    cancelled = batch.stills.filter(status=Still.CANCELLED)
    assert cancelled.count() == (batch.stills.count() if name == "admin" else 0)
    batch.cancel()  # as an admin would: only an admin may undo it
    response = client.post(reverse("batch-retry", args=[batch.id]))
    assert outcome(response) == expect(name, LOGIN, FORBIDDEN, ALLOWED)
    batch.refresh_from_db()
    assert batch.cancelled == (name != "admin")
    assert cancelled.count() == (0 if name == "admin" else batch.stills.count())


def test_only_admins_export_the_catalogue(role):
    name, client = role
    assert outcome(client.get(reverse("catalogue-export"))) == expect(
        name, LOGIN, FORBIDDEN, ALLOWED
    )
    response = client.post(reverse("catalogue-export"))
    assert outcome(response) == expect(name, LOGIN, FORBIDDEN, ALLOWED)
    assert (export_state()[0] == "queued") == (name == "admin")


def test_only_admins_reach_the_admin_register_networks_and_start_batches(role):
    name, client = role
    for model in (
        "atlas_network",
        "atlas_layer",
        "curation_taxon",
        "curation_annotation",
        "atlas_batchrender",
    ):
        page = client.get(reverse(f"admin:{model}_changelist"))
        assert outcome(page) == expect(name, ADMIN_LOGIN, ADMIN_LOGIN, ALLOWED), model
    add_network = client.get(reverse("admin:atlas_network_add"))
    assert outcome(add_network) == expect(name, ADMIN_LOGIN, ADMIN_LOGIN, ALLOWED)
    layer = Layer.objects.get(name="block0")
    started = client.post(
        reverse("admin:atlas_layer_changelist"),
        {"action": "batch_render_layers", "_selected_action": [layer.id]},
    )
    assert outcome(started) == expect(name, ADMIN_LOGIN, ADMIN_LOGIN, ALLOWED)
    assert BatchRender.objects.exists() == (name == "admin")


def test_a_curator_is_not_staff_and_an_admin_can_annotate(curator):
    from catalog.people import can_annotate

    admin = User.objects.create_superuser("root", "root@example.org", "pw")
    assert can_annotate(curator) and not curator.is_staff
    assert can_annotate(admin)
    assert not can_annotate(User.objects.create_user("visitor", password="pw"))
