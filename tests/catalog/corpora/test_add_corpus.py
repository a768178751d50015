"""`add_corpus`: images and video frames, scene cuts, subtitles, dedup, re-runs, bad files."""

import io
import json
import shutil

import av
import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image

from catalog.corpora.models import Corpus, Frame, SourceFile
from tests.catalog.corpus_helpers import CUT_AT, make_corpus_folder, natural

EVERY = 1.0


@pytest.fixture(scope="module")
def corpus_source(tmp_path_factory):
    """The test corpus's files, made once for the module (each test copies them)."""
    return make_corpus_folder(tmp_path_factory.mktemp("corpus-source") / "films")


@pytest.fixture
def folder(corpus_source, tmp_path):
    return shutil.copytree(corpus_source, tmp_path / "films")


def add(folder, name="films", every=EVERY):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "add_corpus", name, str(folder), "--every", str(every), "--json", stdout=out, stderr=err
    )
    return json.loads(out.getvalue()), err.getvalue()


def test_it_ingests_images_and_video_frames_and_reports_in_json(db, folder):
    summary, _ = add(folder)
    assert set(summary) == {"corpus", "files", "frames", "skipped", "seconds"}
    assert summary["corpus"] == "films"
    assert summary["files"] == 5  # the video, three images, the broken file
    assert summary["skipped"] == 1
    frames = Frame.objects.filter(corpus__name="films")
    assert summary["frames"] == frames.count()
    images = frames.filter(time__isnull=True)
    assert sorted(images.values_list("source", flat=True)) == [
        "stills/astronaut.png", "stills/camera.webp", "stills/coffee.jpg",
    ]  # fmt: skip
    video = frames.filter(source="clip.mp4").order_by("time")
    assert video.count() >= 4
    assert video.first().time == 0.0
    for frame in frames:
        assert default_storage.exists(frame.image.name)
        with default_storage.open(frame.thumbnail.name) as handle:
            assert max(Image.open(handle).size) <= 256
        with default_storage.open(frame.image.name) as handle:
            assert Image.open(handle).size == (frame.width, frame.height)
    assert Corpus.objects.get(name="films").folder == str(folder.resolve())


def test_it_finds_the_scene_cut_at_the_right_time(db, folder):
    add(folder)
    cuts = list(Frame.objects.filter(scene_cut=True).values_list("source", "time"))
    assert len(cuts) == 1, cuts
    source, time = cuts[0]
    assert source == "clip.mp4"
    assert abs(time - CUT_AT) <= EVERY / 2  # within one cut probe (half the sampling step)


def test_it_attaches_subtitles_by_time(db, folder):
    add(folder)
    video = Frame.objects.filter(source="clip.mp4")
    cat = video.get(subtitle="The cat looks at the camera")
    rocket = video.filter(subtitle="Lift-off at dawn")
    assert 0.5 <= cat.time <= 1.5
    assert rocket and all(4.0 <= frame.time <= 5.0 for frame in rocket)
    assert not video.filter(time__gt=1.5, time__lt=4.0).exclude(subtitle="")


def test_re_running_adds_nothing_and_a_new_file_only_itself(db, folder):
    first, _ = add(folder)
    again, _ = add(folder)
    assert again["frames"] == 0
    assert again["files"] == 1  # only the broken file is tried again
    assert Frame.objects.count() == first["frames"]
    natural("rocket").save(folder / "stills" / "rocket.png")
    grown, _ = add(folder)
    assert (grown["files"], grown["frames"]) == (2, 1)
    assert Frame.objects.filter(source="stills/rocket.png", time__isnull=True).exists()


def test_an_unreadable_file_is_reported_and_skipped(db, folder):
    summary, err = add(folder)
    assert "skipped broken.mov" in err
    assert not Frame.objects.filter(source="broken.mov").exists()
    assert SourceFile.objects.get(path="broken.mov").error
    assert summary["frames"] > 0


def test_near_duplicates_are_dropped(db, folder):
    add(folder)
    astronaut = natural("astronaut")
    astronaut.resize((400, 400)).save(folder / "stills" / "astronaut-small.jpg", quality=80)
    summary, _ = add(folder)
    assert summary["frames"] == 0
    assert not Frame.objects.filter(source="stills/astronaut-small.jpg").exists()
    assert SourceFile.objects.get(path="stills/astronaut-small.jpg").frames_added == 0


def test_a_changed_file_replaces_its_frames_and_their_files(
    db, folder, django_capture_on_commit_callbacks
):
    add(folder)
    old = Frame.objects.get(source="stills/coffee.jpg")
    natural("immunohistochemistry").save(folder / "stills" / "coffee.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        summary, _ = add(folder)
    assert (summary["files"], summary["frames"]) == (2, 1)
    new = Frame.objects.get(source="stills/coffee.jpg")
    assert new.phash != old.phash
    assert not default_storage.exists(old.image.name) or old.image.name == new.image.name
    assert (
        not default_storage.exists(old.thumbnail.name) or old.thumbnail.name == new.thumbnail.name
    )


@pytest.mark.parametrize(
    "args, field",
    [
        (["Not A Slug", "."], "name"),
        (["films", "/no/such/folder"], "folder"),
        (["films", ".", "--every", "0"], "every"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(db, args, field):
    with pytest.raises(CommandError, match=field):
        call_command("add_corpus", *args)
    assert not Corpus.objects.exists()


def test_a_file_with_sound_but_no_picture_is_skipped_with_the_reason(db, folder):
    with av.open(str(folder / "sound.mp4"), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        silence = np.zeros((1, 1024), dtype=np.float32)
        for index in range(20):
            frame = av.AudioFrame.from_ndarray(silence, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44100, index * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    summary, err = add(folder)
    assert "skipped sound.mp4: the file has no video stream" in err
    assert summary["skipped"] == 2  # with broken.mov
