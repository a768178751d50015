"""train_network --temporal: clips of a corpus's videos, labelled by a CSV or by their
camera movement, become a network whose channels' stills are moving images."""

import json
from io import StringIO

import av
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.atlas.models import Network, Still
from catalog.cinema.films import check_spec
from catalog.corpora.clips import MOTION, corpus_clips, labelled_clips
from catalog.corpora.models import Corpus
from catalog.corpora.training import TrainingInputError, network_folder
from renderer.cinema.encode import VideoWriter
from renderer.cinema.spec import FilmSpecError
from renderer.temporal.camera import CAMERA_MOVES, film, photograph
from tests.conftest import render_inline

PHOTOS = ("astronaut", "coffee", "immunohistochemistry", "chelsea")
SIDE = 80


def write_video(path, frames, fps=8):
    writer = VideoWriter(path, SIDE, SIDE, fps)
    for frame in frames:
        writer.write(frame)
    writer.close()


@pytest.fixture
def camera_folder(tmp_path):
    """A video of each camera move over each photograph (16 frames: two clips of 8), and
    one with a cut after 12 frames (a pan over one photograph, then over another)."""
    folder = tmp_path / "films"
    folder.mkdir()
    for name in PHOTOS:
        for move in CAMERA_MOVES:
            shot = film(photograph(name), move, 16, (SIDE, SIDE), speed=0.02)
            write_video(folder / f"{move.replace(' ', '-')}-{name}.mp4", shot)
    first = film(photograph("astronaut"), "pan left", 12, (SIDE, SIDE))
    second = film(photograph("hubble_deep_field"), "pan left", 12, (SIDE, SIDE))
    write_video(folder / "cut.mp4", first + second)
    return folder


@pytest.fixture
def camera_corpus(db, camera_folder):
    call_command("add_corpus", "films", str(camera_folder), stdout=StringIO())
    return Corpus.objects.get(name="films")


def train_json(*args) -> dict:
    out = StringIO()
    call_command("train_network", *args, "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def test_clips_come_from_the_videos_and_never_span_a_cut(camera_corpus):
    clips = corpus_clips(camera_corpus, frames=8)
    assert len(clips) == 2 * len(PHOTOS) * len(CAMERA_MOVES) + 2
    cut = [clip for clip in clips if clip.source == "cut.mp4"]
    # 12 frames before the cut: one clip (frames 0-7); after it, one more (frames 12-19).
    assert [(clip.start, clip.end) for clip in cut] == [(0.0, 0.875), (1.5, 2.375)]
    assert all(clip.frames.shape == (8, SIDE, SIDE, 3) for clip in clips)
    at_half_rate = corpus_clips(camera_corpus, frames=4, rate=4)
    assert {c.end - c.start for c in at_half_rate if c.source != "cut.mp4"} == {0.75}


def test_motion_labels_each_clip_by_its_camera_movement(camera_corpus):
    clips = labelled_clips(camera_corpus, MOTION, frames=8, rate=None)
    for clip in clips:
        if clip.source != "cut.mp4":
            assert clip.label == clip.source.rsplit("-", 1)[0].replace("-", " "), clip.title


def test_a_csv_labels_files_or_seconds_of_them(camera_corpus, tmp_path):
    by_file = tmp_path / "files.csv"
    by_file.write_text("file,label\npan-*.mp4,pan\nzoom-*.mp4,zoom\n")
    clips = labelled_clips(camera_corpus, str(by_file), frames=8, rate=None)
    assert len(clips) == 2 * 2 * 2 * len(PHOTOS) and {c.label for c in clips} == {"pan", "zoom"}
    by_time = tmp_path / "times.csv"
    by_time.write_text("file,start,end,label\ncut.mp4,0,1.4,before\ncut.mp4,1.4,3,after\n")
    clips = labelled_clips(camera_corpus, str(by_time), frames=8, rate=None)
    assert [(c.label, c.start) for c in clips] == [("before", 0.0), ("after", 1.5)]
    nothing = tmp_path / "nothing.csv"
    nothing.write_text("file,start,end,label\ncut.mp4,0,1.4,before\ncut.mp4,5,9,late\n")
    with pytest.raises(TrainingInputError, match="line 3: 'cut.mp4' between 5 and 9 s"):
        labelled_clips(camera_corpus, str(nothing), frames=8, rate=None)


def test_bad_input_is_named_and_nothing_is_written(camera_corpus, tmp_path):
    one_class = tmp_path / "one.csv"
    one_class.write_text("file,label\n*.mp4,film\n")
    images = tmp_path / "images"
    images.mkdir()
    photograph("coffee").save(images / "coffee.png")
    photograph("rocket").save(images / "rocket.png")
    call_command("add_corpus", "stills", str(images), stdout=StringIO())
    cases = [
        (["--corpus", "stills", "--motion"], "corpus 'stills' has no videos"),
        (["--corpus", "films", "--motion", "--frames", "40"], "clips are shorter than --frames"),
        (["--corpus", "films", "--labels", str(one_class)], "at least 2 classes"),
        (["--corpus", "films", "--labels", str(one_class), "--motion"], "not both"),
        (["--corpus", "films"], "--labels"),
    ]
    for args, message in cases:
        with pytest.raises(CommandError, match=message):
            train_json("moves", "--temporal", *args)
    with pytest.raises(CommandError, match="needs --temporal"):
        train_json("moves", "--corpus", "films", "--motion")
    assert not Network.objects.filter(name="moves").exists()
    assert not network_folder("moves").exists()


def test_a_temporal_network_trains_registers_and_shows_moving_images(
    camera_corpus, client, tmp_path
):
    result = train_json("moves", "--corpus", "films", "--temporal", "--motion",
                        "--epochs", "3", "--size", "48")  # fmt: skip
    assert result["network"] == "moves" and result["classes"] == sorted(CAMERA_MOVES)
    assert result["clips"] == result["frames"] == 2 * len(PHOTOS) * len(CAMERA_MOVES) + 2
    assert 0 <= result["val_accuracy"] <= 1 and len(result["confusion"]) == 4
    network = Network.objects.get(name="moves")
    assert network.arch == "temporal"
    kinds = dict(network.layers.values_list("name", "kind"))
    assert kinds == {"temporal1": "clip", "temporal2": "clip", "logits": "logits"}
    logits = network.layers.get(name="logits")
    channel = logits.channels.get(label="pan left")

    (still,) = render_inline([channel])
    assert still.status == Still.DONE, still.error
    assert still.image.name.endswith(".png") and still.video.name.endswith(".mp4")
    with default_storage.open(still.video.name) as stored, av.open(stored) as container:
        assert len(list(container.decode(video=0))) == 8
    assert still.figures["rank"] >= 1 and "objective_backwards" in still.figures
    assert still.top_classes and still.top_classes[0]["label"] in CAMERA_MOVES

    page = client.get(channel.get_absolute_url()).content.decode()
    assert '<video id="still-video"' in page
    for attribute in ("autoplay", "loop", "muted", "playsinline", f'src="{still.video.url}"'):
        assert attribute in page.split('<video id="still-video"')[1].split(">")[0]
    refused = client.get(channel.get_absolute_url() + "?style=cppn&steps=6")
    assert refused.status_code == 400 and b"<code>style</code>" in refused.content
    grid = client.get(logits.get_absolute_url()).content.decode()
    assert 'class="thumb clip"' in grid and still.video.url in grid
    status = client.get(reverse("still-status", args=[still.id])).json()
    assert status["video"] == still.video.url

    out = StringIO()
    call_command("render_layer", "moves", "logits", "--channels", "0", "--inline", "--json",
                 stdout=out, stderr=StringIO())  # fmt: skip
    (line,) = [json.loads(row) for row in out.getvalue().splitlines() if row.strip()]
    assert line["image"].endswith(".png") and line["video"].endswith(".mp4")
    training_page = client.get(reverse("training", args=["moves"]))
    assert training_page.status_code == 200

    with pytest.raises(CommandError, match="sees time"):
        call_command("compute_circuits", "moves", "--corpus", "films", stdout=StringIO())

    hold = {"kind": "hold", "layer": "logits", "channel": 1, "seconds": 1}
    film = {"network": "moves", "size": [96, 48], "shots": [hold]}
    assert check_spec(film).shots[0].kind == "hold"
    zoom = {"kind": "zoom", "layer": "temporal1", "channel": 1, "seconds": 1}
    with pytest.raises(FilmSpecError, match="sees time"):
        check_spec({**film, "shots": [zoom]})


def test_a_temporal_channels_dataset_examples_are_clips_and_the_export_carries_them(
    camera_corpus, client, tmp_path
):
    train_json("moves", "--corpus", "films", "--temporal", "--motion", "--epochs", "2",
               "--size", "48")  # fmt: skip
    out = StringIO()
    call_command("dataset_examples", "moves", "--corpus", "films", "--layers", "logits",
                 "--top", "2", "--json", stdout=out, stderr=StringIO())  # fmt: skip
    entries = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [e["channel"] for e in entries] == [0, 1, 2, 3]
    sources = {clip.source for clip in corpus_clips(camera_corpus, frames=8)}
    for entry in entries:
        assert len(entry["top"]) == len(entry["bottom"]) == 2
        assert entry["top"][0]["value"] >= entry["top"][1]["value"]
        for example in entry["top"] + entry["bottom"]:
            assert example["source"] in sources and example["end"] > example["start"]
            with default_storage.open(example["video"]) as stored, av.open(stored) as clip:
                assert len(list(clip.decode(video=0))) == 8
    channel = Network.objects.get(name="moves").layers.get(name="logits").channels.get(index=0)
    page = client.get(channel.get_absolute_url()).content.decode()
    section = page.split('id="clip-examples"')[1]
    assert section.count("<video") == 4 and "autoplay loop muted playsinline" in section

    (still,) = render_inline([channel])
    export = tmp_path / "catalogue"
    call_command("export_catalogue", str(export), stdout=StringIO(), stderr=StringIO())
    assert (export / "media" / still.video.name).is_file()
    assert (export / "media" / entries[0]["top"][0]["video"]).is_file()
    exported = (export / channel.get_absolute_url().strip("/") / "index.html").read_text()
    assert '<video id="still-video"' in exported and still.video.name in exported
