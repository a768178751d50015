from django.test import Client
from django.urls import reverse

from catalog.atlas.models import Channel
from catalog.curation.models import Annotation, AnnotationRevision, Taxon

CHANNEL = ("efficientnet-lite0", "block5", 7)


def taxa(*slugs) -> list[int]:
    return [Taxon.objects.get(slug=slug).id for slug in slugs]


def annotate(client, text, tags=(), channel=CHANNEL):
    return client.post(reverse("annotate", args=channel), {"text": text, "tags": taxa(*tags)})


def test_a_curator_writes_a_note_and_tags_and_the_public_sees_them(
    curator_client, registered, client
):
    response = annotate(curator_client, "A **dog** snout, and eyes.", ["dog-faces", "snouts"])
    assert response.status_code == 302
    assert response["Location"] == reverse("channel", args=CHANNEL)
    visitor = Client()
    page = visitor.get(reverse("channel", args=CHANNEL)).content.decode()
    assert "A <strong>dog</strong> snout, and eyes." in page
    assert 'href="/taxa/dog-faces/"' in page and ">Snouts</a>" in page
    assert "Edit note" not in page and "history" not in page


def test_every_edit_is_kept_with_who_when_and_what(curator_client, registered, curator):
    annotate(curator_client, "first", ["eyes"])
    annotate(curator_client, "first", ["eyes"])  # unchanged: no new revision
    annotate(curator_client, "second take", ["eyes", "fur"])
    annotation = Annotation.objects.get()
    assert annotation.text == "second take"
    assert sorted(annotation.tags.values_list("slug", flat=True)) == ["eyes", "fur"]
    revisions = list(annotation.revisions.all())  # newest first
    assert [r.text for r in revisions] == ["second take", "first"]
    assert [r.tags for r in revisions] == [["eyes", "fur"], ["eyes"]]
    assert {r.author for r in revisions} == {curator} and revisions[0].author_name == "carla"
    assert revisions[0].created >= revisions[1].created
    history = curator_client.get(reverse("history", args=CHANNEL)).content.decode()
    assert history.index("second take") < history.index("first")
    assert "carla" in history and "Eyes, Fur" in history


def test_a_deleted_author_keeps_their_name_in_the_history(curator_client, registered, curator):
    annotate(curator_client, "by a curator who leaves")
    curator.delete()
    revision = AnnotationRevision.objects.get()
    assert revision.author is None and revision.author_name == "carla"


def test_notes_are_markdown_and_sanitized(curator_client, registered):
    note = (
        "# Title\n\n<script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[a neighbour](/n/efficientnet-lite0/block5/8/) and [bad](javascript:alert(1))\n\n"
        '<p style="color:red" onclick="alert(2)">styled</p>'
    )
    annotate(curator_client, note)
    page = Client().get(reverse("channel", args=CHANNEL)).content.decode()
    start = page.index('<div class="note">')
    note_html = page[start : page.index("</div>", start)]
    assert "<script" not in note_html and "alert('x')" not in note_html
    assert "onerror" not in note_html and "onclick" not in note_html
    assert "javascript:" not in note_html and "style=" not in note_html
    assert '<a href="/n/efficientnet-lite0/block5/8/" rel="noopener noreferrer">' in note_html
    assert "<h1>Title</h1>" not in note_html  # headings start at h2 on a channel page


def test_the_form_shows_the_current_note_and_the_taxonomy_as_a_tree(curator_client, registered):
    annotate(curator_client, "current text", ["bird-faces"])
    form = curator_client.get(reverse("annotate", args=CHANNEL)).content.decode()
    assert "current text" in form
    assert form.index("Animal faces") < form.index("Bird faces") < form.index("Eyes")
    checkbox = form[: form.index("Bird faces")].rsplit("<input", 1)[1]
    assert 'type="checkbox"' in checkbox and "checked" in checkbox


def test_an_unknown_tag_is_a_form_error_and_changes_nothing(curator_client, registered):
    response = curator_client.post(
        reverse("annotate", args=CHANNEL), {"text": "x", "tags": [999999]}
    )
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    assert not Annotation.objects.exists()


def test_annotating_an_unknown_channel_is_404(curator_client, registered):
    url = reverse("annotate", args=("efficientnet-lite0", "block5", 4000))
    assert curator_client.get(url).status_code == 404


def test_login_logout_and_csrf_are_djangos(registered, curator):
    browser = Client(enforce_csrf_checks=True)
    login = browser.get(reverse("login"))
    token = login.cookies["csrftoken"].value
    page = browser.post(
        reverse("login"),
        {"username": "carla", "password": "pw-for-tests", "csrfmiddlewaretoken": token},
    )
    assert page.status_code == 302
    url = reverse("annotate", args=CHANNEL)
    assert browser.post(url, {"text": "no token"}).status_code == 403
    form = browser.get(url)
    token = form.cookies.get("csrftoken", browser.cookies["csrftoken"]).value
    saved = browser.post(url, {"text": "with token", "csrfmiddlewaretoken": token})
    assert saved.status_code == 302 and Annotation.objects.get().text == "with token"
    browser.post(reverse("logout"), {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    assert browser.get(url).status_code == 302
    assert Channel.objects.get(layer__name="block5", index=7).annotation.text == "with token"
