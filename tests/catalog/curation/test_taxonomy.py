from django.urls import reverse

from catalog.atlas.models import Channel, Layer, Network
from catalog.curation.models import Annotation, Taxon
from catalog.curation.puppyslug import seed_puppyslug_taxonomy
from tests.conftest import render_inline


def other_network_channel() -> Channel:
    """A channel of a second network (rows only: its pages need no weights)."""
    network = Network.objects.create(name="places-resnet", arch="resnet18", weight_hash="p")
    layer = Layer.objects.create(network=network, name="layer4", position=0, channel_count=4)
    return Channel.objects.create(layer=layer, index=2)


def test_the_puppyslug_taxonomy_is_seeded_as_a_tree(db):
    faces = Taxon.objects.get(slug="animal-faces")
    kinds = set(faces.children.values_list("slug", flat=True))
    assert {"dog-faces", "bird-faces", "reptile-faces", "insect-faces", "fish-faces"} <= kinds
    assert "primate-faces" in kinds  # human-like faces
    for slug in ("eyes", "fur-and-feathers", "snouts", "architecture", "textures"):
        assert Taxon.objects.get(slug=slug).parent is None
    assert seed_puppyslug_taxonomy() == 0  # seeding again adds nothing


def test_the_taxonomy_page_lists_the_tree_with_counts(client, registered, curator):
    channel = Channel.objects.get(layer__name="block1", index=0)
    Annotation.revise(channel, curator, "", Taxon.objects.filter(slug="fur"))
    page = client.get(reverse("taxa")).content.decode()
    assert page.index("Animal faces") < page.index("Dog faces") < page.index("Eyes")
    assert 'href="/taxa/fur/"' in page
    fur_line = page[page.index('href="/taxa/fur/"') :].split("</li>")[0]
    assert '<span class="muted">1</span>' in fur_line


def test_a_taxon_page_shows_the_channels_tagged_with_it_or_below_across_networks(
    client, registered, curator
):
    lite0 = Channel.objects.get(layer__name="block1", index=5)
    other = other_network_channel()
    untagged = Channel.objects.get(layer__name="block1", index=6)
    Annotation.revise(lite0, curator, "a beagle", Taxon.objects.filter(slug="dog-faces"))
    Annotation.revise(other, curator, "a heron", Taxon.objects.filter(slug="bird-faces"))
    Annotation.revise(untagged, curator, "nothing", [])
    (still,) = render_inline([lite0])

    faces = client.get(reverse("taxon", args=["animal-faces"])).content.decode()
    assert lite0.get_absolute_url() in faces and other.get_absolute_url() in faces
    assert untagged.get_absolute_url() not in faces
    assert still.image.url in faces and "2 channels tagged" in faces
    dogs = client.get(reverse("taxon", args=["dog-faces"])).content.decode()
    assert lite0.get_absolute_url() in dogs and other.get_absolute_url() not in dogs
    assert 'href="/taxa/animal-faces/"' in dogs  # its ancestors as crumbs


def test_an_unknown_taxon_is_404(client, db):
    assert client.get(reverse("taxon", args=["unicorns"])).status_code == 404


def test_admins_edit_the_taxonomy_in_the_admin(admin_client, db):
    parent = Taxon.objects.get(slug="eyes")
    response = admin_client.post(
        reverse("admin:curation_taxon_add"),
        {"name": "Third eyes", "slug": "third-eyes", "parent": parent.id, "position": 3},
    )
    assert response.status_code == 302
    assert Taxon.objects.get(slug="third-eyes").parent == parent
    looping = admin_client.post(
        reverse("admin:curation_taxon_change", args=[parent.id]),
        {
            "name": "Eyes",
            "slug": "eyes",
            "parent": Taxon.objects.get(slug="third-eyes").id,
            "position": 0,
        },
    )
    assert looping.status_code == 200 and b"cannot sit below itself" in looping.content


def test_pages_survive_a_cycle_of_parents_and_deep_nesting_in_the_database(
    client, registered, curator
):
    # Bad data that came in by other means than the checked import (a script, the shell).
    parent = None
    for i in range(1200):
        parent = Taxon.objects.create(name=f"Level {i}", slug=f"level-{i}", parent=parent)
    a = Taxon.objects.create(name="Chicken", slug="chicken")
    b = Taxon.objects.create(name="Egg", slug="egg", parent=a)
    Taxon.objects.filter(id=a.id).update(parent=b)
    channel = Channel.objects.get(layer__name="block1", index=0)
    Annotation.revise(channel, curator, "which came first", [a, parent])

    tree = Taxon.tree()
    assert len(tree) == Taxon.objects.count()
    assert {taxon.slug for taxon, _ in tree} >= {"chicken", "egg", "level-1199"}
    assert dict((t.slug, depth) for t, depth in tree)["level-1199"] == 1199
    page = client.get(reverse("taxa"))
    assert page.status_code == 200 and b'href="/taxa/chicken/"' in page.content
    for url in (
        reverse("taxon", args=["chicken"]),
        reverse("taxon", args=["level-1199"]),
        reverse("taxon", args=["level-0"]),
        reverse("search") + "?q=chicken",
        channel.get_absolute_url(),
        reverse("annotate", args=["efficientnet-lite0", "block1", 0]),
    ):
        client.force_login(curator)
        assert client.get(url).status_code == 200, url
    assert [t.slug for t in Taxon.objects.get(slug="egg").ancestors()] == ["chicken"]
