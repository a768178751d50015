"""The corpus pages: the list, a corpus's frames searchable by subtitle, one frame."""

import shutil

import pytest
from django.core.management import call_command

from catalog.corpora.models import Frame
from tests.catalog.corpus_helpers import make_corpus_folder


@pytest.fixture(scope="module")
def corpus_source(tmp_path_factory):
    return make_corpus_folder(tmp_path_factory.mktemp("pages-source") / "films")


@pytest.fixture
def corpus(db, corpus_source, tmp_path):
    folder = shutil.copytree(corpus_source, tmp_path / "films")
    call_command("add_corpus", "films", str(folder), "--every", "1", stdout=None, stderr=None)
    return Frame.objects.first().corpus


def test_the_corpora_page_lists_each_corpus(client, corpus):
    page = client.get("/corpora/").content.decode()
    assert 'href="/corpora/films/"' in page
    assert f"{corpus.frames.count()} frames" in page


def test_the_corpus_page_shows_every_frame_as_a_thumbnail(client, corpus):
    page = client.get("/corpora/films/").content.decode()
    for frame in corpus.frames.all():
        assert frame.thumbnail.url in page
        assert frame.get_absolute_url() in page


def test_subtitles_are_searchable(client, corpus):
    response = client.get("/corpora/films/", {"q": "lift-OFF"})
    page = response.content.decode()
    rocket = corpus.frames.filter(subtitle="Lift-off at dawn")
    assert rocket
    shown = [frame for frame in corpus.frames.all() if frame.get_absolute_url() in page]
    assert set(shown) == set(rocket)
    nothing = client.get("/corpora/films/", {"q": "no such words"}).content.decode()
    assert not [f for f in corpus.frames.all() if f.get_absolute_url() in nothing]


def test_the_frame_page_shows_the_frame_its_time_and_subtitle(client, corpus):
    frame = corpus.frames.get(subtitle="The cat looks at the camera")
    page = client.get(frame.get_absolute_url()).content.decode()
    assert frame.image.url in page
    assert "The cat looks at the camera" in page
    assert f"{frame.time:.2f} s" in page
    assert "No network has read this frame yet" in page


def test_unknown_corpora_and_frames_are_404(client, corpus):
    assert client.get("/corpora/nope/").status_code == 404
    other = corpus.frames.order_by("-id").first().id + 1
    assert client.get(f"/corpora/films/{other}/").status_code == 404
