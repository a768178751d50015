"""A curator's tools: the note form shows the still, previews the Markdown, picks tags
from a list; the history shows what each edit changed and reverts to a version."""

from django.test import Client
from django.urls import reverse

from catalog.curation.models import Annotation, Taxon

CHANNEL = ("efficientnet-lite0", "block5", 7)


def taxa(*slugs) -> list[int]:
    return [Taxon.objects.get(slug=slug).id for slug in slugs]


def annotate(client, text, tags=(), **extra):
    data = {"text": text, "tags": taxa(*tags), **extra}
    return client.post(reverse("annotate", args=CHANNEL), data)


def test_preview_shows_the_rendered_note_and_saves_nothing(curator_client, registered):
    response = annotate(curator_client, "A **dog** snout", ["eyes"], preview="1")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="preview"' in page
    assert "A <strong>dog</strong> snout" in page
    assert 'value="{}" class="tag-choice"'.format(taxa("eyes")[0]) in page
    assert not Annotation.objects.exists()


def test_tags_are_checkboxes_with_a_filter_box(curator_client, registered):
    page = curator_client.get(reverse("annotate", args=CHANNEL)).content.decode()
    assert 'type="checkbox" name="tags"' in page and 'id="tag-filter"' in page
    assert "Ctrl" not in page


def test_the_history_shows_the_changes_and_a_curator_reverts(curator_client, registered):
    annotate(curator_client, "Eyes\nand fur", ["eyes"])
    annotate(curator_client, "Eyes\nand scales", ["eyes", "fur"])
    history = curator_client.get(reverse("history", args=CHANNEL)).content.decode()
    assert "<del>- and fur</del>" in history and "<ins>+ and scales</ins>" in history
    assert "<ins>added Fur</ins>" in history
    first = Annotation.objects.get().revisions.last()
    url = reverse("revert", args=[*CHANNEL, first.id])
    assert curator_client.post(url)["Location"] == reverse("history", args=CHANNEL)
    annotation = Annotation.objects.get()
    assert annotation.text == "Eyes\nand fur"
    assert list(annotation.tags.values_list("slug", flat=True)) == ["eyes"]
    assert annotation.revisions.count() == 3  # the revert is an edit of its own


def test_a_visitor_cannot_revert(curator_client, registered):
    annotate(curator_client, "Eyes", ["eyes"])
    annotate(curator_client, "Fur", ["fur"])
    first = Annotation.objects.get().revisions.last()
    response = Client().post(reverse("revert", args=[*CHANNEL, first.id]))
    assert response.status_code in (302, 403)
    assert Annotation.objects.get().text == "Fur"


def test_an_empty_taxon_suggests_the_most_puppyslug_channels_to_curators(
    curator_client, registered
):
    from catalog.atlas.models import Channel, Still

    for index, share in ((1, 0.2), (2, 0.9)):
        channel = Channel.objects.get(layer__name="block5", index=index)
        still = channel.still_for(channel.spec())
        Still.objects.filter(id=still.id).update(
            status=Still.DONE, image=f"stills/{index}.png", puppyslug_index=share
        )
    url = reverse("taxon", args=["snouts"])
    page = curator_client.get(url).content.decode()
    assert 'id="candidates"' in page
    assert page.index("block5:2") < page.index("block5:1")
    assert 'id="candidates"' not in Client().get(url).content.decode()
