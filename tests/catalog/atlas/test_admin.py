import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.atlas.batches import prepare_batch
from catalog.atlas.models import BatchRender, Channel, Still


@pytest.fixture
def admin_client(client, registered):
    user = User.objects.create_superuser("admin", "admin@example.org", "pw-for-tests")
    client.force_login(user)
    return client


def action(client, model, name, ids):
    url = reverse(f"admin:atlas_{model}_changelist")
    return client.post(url, {"action": name, "_selected_action": ids}, follow=True)


def test_every_model_has_an_admin_page(admin_client):
    for model in ("network", "layer", "channel", "still"):
        assert admin_client.get(reverse(f"admin:atlas_{model}_changelist")).status_code == 200


def test_render_action_queues_the_selected_channels(admin_client):
    ids = list(
        Channel.objects.filter(layer__name="block2", index__lt=3).values_list("id", flat=True)
    )
    page = action(admin_client, "channel", "render_channels", ids)
    assert b"Queued 3 still(s)" in page.content
    assert Still.objects.filter(status=Still.QUEUED).count() == 3


def test_the_one_batch_render_action_names_its_layers_and_queues_all_their_channels(
    admin_client,
):
    page = admin_client.get(reverse("admin:atlas_layer_changelist"))
    assert b"batch_render_layers" in page.content and b"render_layers" not in page.content.replace(
        b"batch_render_layers", b""
    )
    layer_ids = [Channel.objects.filter(layer__name=n).first().layer_id for n in ("stem", "block0")]
    action(admin_client, "layer", "batch_render_layers", layer_ids)
    batch = BatchRender.objects.get()
    assert str(batch) == f"batch {batch.id}: efficientnet-lite0 stem, block0"
    prepare_batch(batch.id)
    assert Still.objects.filter(status=Still.QUEUED).count() == 32 + 16


def test_batch_counts_add_up_to_the_total(admin_client):
    layer = Channel.objects.filter(layer__name="block0").first().layer
    action(admin_client, "layer", "batch_render_layers", [layer.id])
    batch = BatchRender.objects.get()
    prepare_batch(batch.id)
    stills = list(batch.stills.order_by("id"))
    statuses = [Still.DONE] * 3 + [Still.RUNNING] * 2 + [Still.FAILED]
    for still, status in zip(stills, statuses, strict=False):
        Still.objects.filter(id=still.id).update(status=status)
    batch.refresh_from_db()
    counts = batch.counts()
    parts = ("done", "queued", "running", "failed", "cancelled")
    assert [counts[p] for p in parts] == [3, 10, 2, 1, 0]
    assert sum(counts[p] for p in parts) == counts["total"] == 16
    assert counts["pending"] == 12 and batch.status() == "running"


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
    page = client.get(reverse("admin:atlas_still_changelist"))
    assert page.status_code == 302 and "/admin/login/" in page["Location"]


def test_adding_a_network_in_the_admin_registers_its_layers(client, db):
    from catalog.atlas.models import Network

    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    response = client.post(
        reverse("admin:atlas_network_add"),
        {"name": "efficientnet-lite0", "arch": "", "weights": "", "labels_file": ""},
    )
    assert response.status_code == 302
    network = Network.objects.get()
    assert network.layers.count() == 19 and network.weight_hash
    bad = client.post(
        reverse("admin:atlas_network_add"),
        {"name": "nonet", "arch": "", "weights": "", "labels_file": ""},
    )
    assert bad.status_code == 200 and b"could not load" in bad.content
    assert Network.objects.count() == 1


def test_annotations_show_their_history_in_the_admin(admin_client, curator):
    from catalog.curation.models import Annotation

    channel = Channel.objects.get(layer__name="block2", index=0)
    Annotation.revise(channel, curator, "one", [])
    Annotation.revise(channel, curator, "two", [])
    page = admin_client.get(
        reverse("admin:curation_annotation_change", args=[Annotation.objects.get().id])
    )
    assert page.status_code == 200 and page.content.count(b"carla") >= 2


def test_batch_renders_are_listed_cancelled_and_retried_in_the_admin(admin_client):
    from catalog.atlas.batches import prepare_stills, start_batch
    from catalog.atlas.models import Layer, Network

    batch = start_batch(Network.objects.get(), Layer.objects.filter(name="block0"), prepare=False)
    prepare_stills(batch)
    listing = admin_client.get(reverse("admin:atlas_batchrender_changelist")).content
    assert b"0 of 16 done" in listing and batch.get_absolute_url().encode() in listing
    page = action(admin_client, "batchrender", "cancel_batches", [batch.id])
    assert b"16 still(s)" in page.content and batch.counts()["cancelled"] == 16
    page = action(admin_client, "batchrender", "retry_batches", [batch.id])
    assert b"Queued 16 still(s) again" in page.content and batch.counts()["queued"] == 16
