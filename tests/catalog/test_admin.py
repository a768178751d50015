import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.models import Channel, Still


@pytest.fixture
def admin_client(client, registered):
    user = User.objects.create_superuser("admin", "admin@example.org", "pw-for-tests")
    client.force_login(user)
    return client


def action(client, model, name, ids):
    url = reverse(f"admin:catalog_{model}_changelist")
    return client.post(url, {"action": name, "_selected_action": ids}, follow=True)


def test_every_model_has_an_admin_page(admin_client):
    for model in ("network", "layer", "channel", "still"):
        assert admin_client.get(reverse(f"admin:catalog_{model}_changelist")).status_code == 200


def test_render_action_queues_the_selected_channels(admin_client):
    ids = list(
        Channel.objects.filter(layer__name="block2", index__lt=3).values_list("id", flat=True)
    )
    page = action(admin_client, "channel", "render_channels", ids)
    assert b"Queued 3 still(s)" in page.content
    assert Still.objects.filter(status=Still.QUEUED).count() == 3


def test_render_action_on_a_layer_queues_all_its_channels(admin_client):
    layer_id = Channel.objects.filter(layer__name="block0").first().layer_id
    action(admin_client, "layer", "render_layers", [layer_id])
    assert Still.objects.filter(status=Still.QUEUED).count() == 16


def test_retry_failed_requeues_only_failed_stills(admin_client):
    channels = Channel.objects.filter(layer__name="block2")[:2]
    failed, done = (c.still_for(c.spec()) for c in channels)
    Still.objects.filter(id=failed.id).update(status=Still.FAILED, error="boom")
    Still.objects.filter(id=done.id).update(status=Still.DONE)
    page = action(admin_client, "still", "retry_failed", [failed.id, done.id])
    assert b"Queued 1 still(s)" in page.content
    assert Still.objects.get(id=failed.id).status == Still.QUEUED
    assert Still.objects.get(id=failed.id).error == ""
    assert Still.objects.get(id=done.id).status == Still.DONE


def test_visitors_cannot_reach_the_admin(client, registered):
    page = client.get(reverse("admin:catalog_still_changelist"))
    assert page.status_code == 302 and "/admin/login/" in page["Location"]
