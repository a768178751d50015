"""train_network: a corpus's frames, labelled by a CSV or by folder, become a network."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.atlas.models import Network, Still
from catalog.corpora.models import Corpus, Frame
from catalog.corpora.training import FOLDERS, labelled_frames
from tests.conftest import render_inline
from tests.renderer.pattern_helpers import PATTERNS, pattern_image

JSON_KEYS = {
    "network",
    "train_accuracy",
    "val_accuracy",
    "classes",
    "frames",
    "confusion",
    "seconds",
}


@pytest.fixture
def pattern_folder(tmp_path):
    """Five images of each pattern, each pattern in its own folder, and a loose image."""
    folder = tmp_path / "patterns"
    rng = np.random.default_rng(3)
    for kind in PATTERNS:
        (folder / kind).mkdir(parents=True)
        for i in range(5):
            pattern_image(kind, rng, size=96).save(folder / kind / f"{kind}-{i}.png")
    pattern_image("dots", rng, size=96).save(folder / "loose.png")
    return folder


@pytest.fixture
def sources(db):
    """A corpus whose frames are rows only (sources, times): enough to test the labelling."""
    corpus = Corpus.objects.create(name="rows", folder="/nowhere")
    paths = [("wide/a.jpg", None), ("wide/b.jpg", None), ("close/c.jpg", None), ("d.png", None)]
    paths += [("films/clip.mp4", t) for t in (0.0, 2.0, 4.0)]
    for source, time in paths:
        Frame.objects.create(corpus=corpus, source=source, time=time, image=f"x/{source}")
    return corpus


def write_csv(path, text):
    path.write_text(text)
    return str(path)


def train_json(*args) -> dict:
    out = StringIO()
    call_command("train_network", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_it_trains_registers_and_reports_a_network_on_a_corpus(
    db, pattern_folder, tmp_path, client
):
    call_command("add_corpus", "patterns", str(pattern_folder), stdout=StringIO())
    frames = Frame.objects.filter(corpus__name="patterns")
    labels = write_csv(
        tmp_path / "labels.csv",
        "file,label\nchecks/*,checks\ndots/*.png,dots\nstripes/*,stripes\nloose.png,dots\n",
    )
    result = train_json("shapes", "--corpus", "patterns", "--labels", labels, "--epochs", "2",
                        "--size", "64")  # fmt: skip

    assert set(result) == JSON_KEYS
    assert result["network"] == "shapes" and result["classes"] == sorted(PATTERNS)
    assert result["frames"] == frames.count() == 16
    assert 0 <= result["val_accuracy"] <= 1 and 0 <= result["train_accuracy"] <= 1
    network = Network.objects.get(name="shapes")
    assert network.arch == "trained"
    logits = network.layers.get(kind="logits")
    assert [c.label for c in logits.channels.order_by("index")] == sorted(PATTERNS)
    names = list(network.layers.values_list("name", flat=True))
    assert names[:2] == ["stem", "block0"] and names[-2:] == ["head", "logits"]

    (still,) = render_inline([logits.channels.get(label="stripes")])
    assert still.status == Still.DONE and still.image
    assert still.spec["network"] == "shapes"

    out = StringIO()
    call_command("dataset_examples", "shapes", "--corpus", "patterns", "--layers", "logits",
                 "--top", "3", "--json", stdout=out)  # fmt: skip
    examples = {item["channel"]: item for item in map(json.loads, out.getvalue().splitlines())}
    assert sorted(examples) == [0, 1, 2] and all(len(e["top"]) == 3 for e in examples.values())
    # Each logit carries its label: the frame that excites it most is mostly of that class.
    top_sources = [Frame.objects.get(id=examples[i]["top"][0]["frame"]).source for i in range(3)]
    top_labels = ["dots" if s == "loose.png" else s.split("/")[0] for s in top_sources]
    assert sum(a == b for a, b in zip(top_labels, sorted(PATTERNS), strict=True)) >= 2, top_sources

    page = client.get(reverse("training", args=["shapes"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"{round(result['val_accuracy'] * 100)} %" in text
    assert "Confusion matrix" in text and text.count('<th scope="row">') == 3
    network_page = client.get(reverse("network", args=["shapes"])).content.decode()
    assert reverse("training", args=["shapes"]) in network_page
    assert "efficientnet-lite0 fine-tuned here to 3 labels of a corpus." in network_page

    # The catalogue carries the training page too, linked from the network's page.
    network.layers.exclude(kind="logits").delete()
    call_command("export_catalogue", str(tmp_path / "catalogue"), stdout=StringIO())
    folder = tmp_path / "catalogue" / "n" / "shapes"
    exported = (folder / "training" / "index.html").read_text()
    assert "Confusion matrix" in exported and exported.count('<th scope="row">') == 3
    assert 'href="training/index.html"' in (folder / "index.html").read_text()


def test_folders_label_each_frame_by_its_first_folder(sources):
    labelled = {frame.source: label for frame, label in labelled_frames(sources, FOLDERS)}
    assert labelled == {
        "wide/a.jpg": "wide",
        "wide/b.jpg": "wide",
        "close/c.jpg": "close",
        "films/clip.mp4": "films",
    }  # d.png, in no folder, has no label
    assert len(labelled_frames(sources, FOLDERS)) == 6  # the clip's three frames


def test_a_videos_label_applies_to_its_frames_and_later_lines_win(sources, tmp_path):
    labels = write_csv(
        tmp_path / "l.csv",
        "file,label\n*.jpg,still\n/nowhere/films/clip.mp4,moving\n./close/c.jpg,near\n",
    )
    labelled = [
        (frame.source, frame.time, label) for frame, label in labelled_frames(sources, labels)
    ]
    assert sorted(labelled, key=str) == sorted(
        [
            ("wide/a.jpg", None, "still"),
            ("wide/b.jpg", None, "still"),
            ("close/c.jpg", None, "near"),
            ("films/clip.mp4", 0.0, "moving"),
            ("films/clip.mp4", 2.0, "moving"),
            ("films/clip.mp4", 4.0, "moving"),
        ],
        key=str,
    )


@pytest.mark.parametrize(
    "csv_text, message",
    [
        ("wide/a.jpg,wide\n", "needs the header 'file,label'"),
        ("", "needs the header 'file,label'"),
        (
            "file,label\nwide/*,wide\nportrait/*,portrait\n",
            r"line 3: 'portrait/\*' .*matches no frame",
        ),
        ("file,label\nwide/*,wide\nclose/c.jpg,wide\n", "at least 2 classes"),
        ("file,label\nwide/a.jpg,\n", "line 2 needs a file and a label"),
    ],
)
def test_bad_labels_are_refused_and_register_nothing(sources, tmp_path, csv_text, message):
    labels = write_csv(tmp_path / "labels.csv", csv_text)
    with pytest.raises(CommandError, match=message):
        call_command("train_network", "net", "--corpus", "rows", "--labels", labels)
    assert not Network.objects.filter(name="net").exists()


def test_an_unknown_corpus_is_named(sources):
    with pytest.raises(CommandError, match=r"unknown corpus 'film' \(corpora: rows\)"):
        call_command("train_network", "net", "--corpus", "film", "--labels", FOLDERS)


def test_a_missing_labels_file_is_named(sources, tmp_path):
    with pytest.raises(CommandError, match="cannot read .*nothing.csv"):
        call_command("train_network", "n", "--corpus", "rows", "--labels", "nothing.csv")


def test_a_taken_name_and_bad_options_are_refused(sources, registered):
    with pytest.raises(CommandError, match="'efficientnet-lite0' is taken"):
        call_command("train_network", "efficientnet-lite0", "--corpus", "rows", "--labels", FOLDERS)
    with pytest.raises(CommandError, match="epochs: must be at least 1"):
        call_command("train_network", "n", "--corpus", "rows", "--labels", FOLDERS, "--epochs", "0")


def test_the_training_page_is_only_for_trained_networks(registered, client):
    assert client.get(reverse("training", args=["efficientnet-lite0"])).status_code == 404
    page = client.get(reverse("network", args=["efficientnet-lite0"])).content.decode()
    assert reverse("training", args=["efficientnet-lite0"]) not in page
