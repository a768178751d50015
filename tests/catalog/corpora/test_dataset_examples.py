"""`dataset_examples`: each channel's top and bottom frames, resumable and incremental, on
the channel and frame pages, in the export, and as a queued job from the admin."""

import io
import json
import shutil

import pytest
import torch
from django.core.management import CommandError, call_command

from catalog.atlas.models import Channel
from catalog.catalogue.export import export_catalogue
from catalog.corpora import dataset_examples
from catalog.corpora.dataset_examples import compute_dataset_examples, image_path
from catalog.corpora.models import Corpus, DatasetExample, Frame, FrameScan
from renderer import RenderSpec, render_batch
from renderer.examples import images_to_batch
from renderer.layers import capture, forward_until
from tests.catalog.corpus_helpers import make_corpus_folder, natural

# Channels whose own stills join the corpus: class logits of things the natural pictures
# do not show (goldfish, zebra, pizza, volcano), and units of the last conv layer.
OWN_STILLS = {"logits": [1, 340, 963, 980], "head": [100, 500, 900, 0]}
LAYERS = ",".join(OWN_STILLS)
NATURALS = ["astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry"]


@pytest.fixture(scope="module")
def stills(lite0):
    """The channels' own stills, rendered once by the engine (small and quick)."""
    images = {}
    for layer, channels in OWN_STILLS.items():
        specs = [RenderSpec(lite0.name, layer, channel=c, size=64, steps=32) for c in channels]
        for channel, result in zip(channels, render_batch(lite0, specs), strict=True):
            images[(layer, channel)] = result.image
    return images


@pytest.fixture(scope="module")
def source_folder(tmp_path_factory, stills):
    """Natural pictures, a two-shot video, and the stills (in stills/)."""
    folder = make_corpus_folder(tmp_path_factory.mktemp("examples-source") / "films")
    for name in NATURALS:
        natural(name).save(folder / f"{name}.png")
    own = folder / "own"
    own.mkdir()
    for (layer, channel), image in stills.items():
        image.save(own / f"{layer}-{channel}.png")
    return folder


@pytest.fixture
def corpus(db, source_folder, tmp_path):
    folder = shutil.copytree(source_folder, tmp_path / "films")
    call_command("add_corpus", "films", str(folder), stdout=io.StringIO(), stderr=io.StringIO())
    return Corpus.objects.get(name="films")


def examples(network="efficientnet-lite0", *args):
    """Run the command (on the corpus "films" unless `args` name another); its output."""
    out = io.StringIO()
    corpus = [] if "--corpus" in args else ["--corpus", "films"]
    call_command("dataset_examples", network, *corpus, *args, stdout=out)
    return out.getvalue()


def as_json(*args) -> list[dict]:
    lines = examples("efficientnet-lite0", *args, "--json").splitlines()
    return [json.loads(line) for line in lines]


def test_each_channels_top_example_is_its_own_still(registered, corpus):
    rows = as_json("--layers", LAYERS, "--top", "3")
    by_channel = {(row["layer"], row["channel"]): row for row in rows}
    own = 0
    for layer, channels in OWN_STILLS.items():
        for channel in channels:
            top = by_channel[(layer, channel)]["top"][0]
            frame = Frame.objects.get(id=top["frame"])
            own += frame.source == f"own/{layer}-{channel}.png"
    assert own >= len(OWN_STILLS["logits"]) + len(OWN_STILLS["head"]) - 2, own


def test_json_is_one_object_per_channel_with_its_strongest_frames(registered, corpus, lite0):
    rows = as_json("--layers", "head", "--top", "4")
    assert len(rows) == lite0.layer("head").channels
    assert [row["channel"] for row in rows] == list(range(len(rows)))
    for row in rows[:50]:
        assert set(row) == {"network", "layer", "channel", "top"}
        assert (row["network"], row["layer"]) == ("efficientnet-lite0", "head")
        values = [item["value"] for item in row["top"]]
        assert len(values) == 4 and values == sorted(values, reverse=True)
        for item in row["top"]:
            assert set(item) == {"frame", "path", "value"}
            assert item["path"] == image_path(Frame.objects.get(id=item["frame"]))


def test_values_are_the_channels_spatial_extremes_as_the_network_computes_them(
    registered, corpus, lite0
):
    examples("efficientnet-lite0", "--layers", "block6", "--top", "3")
    frames = list(corpus.frames.order_by("id"))
    images = [dataset_examples.open_frame(frame) for frame in frames]
    module = lite0.layer("block6").module
    with torch.no_grad():
        with capture(lite0.model, {"block6": module}, "block6") as outputs:
            forward_until(lite0.model, lite0.preprocess(images_to_batch(images, lite0)))
    activations = outputs["block6"].flatten(2)
    for index in (0, 17, 42):
        channel = Channel.objects.get(layer__name="block6", index=index)
        top = DatasetExample.objects.filter(channel=channel, side="top").order_by("rank")
        bottom = DatasetExample.objects.filter(channel=channel, side="bottom").order_by("rank")
        maxima, minima = activations[:, index].max(1).values, activations[:, index].min(1).values
        expected_top = [frames[i].id for i in maxima.argsort(descending=True)[:3].tolist()]
        expected_bottom = [frames[i].id for i in minima.argsort()[:3].tolist()]
        assert [e.frame_id for e in top] == expected_top
        assert [e.frame_id for e in bottom] == expected_bottom
        assert top[0].value == pytest.approx(float(maxima.max()), rel=1e-4)
        for example in top:
            assert 0 <= example.box_left and example.box_left + example.box_width <= 1 + 1e-6
            assert 0 < example.box_width < 1  # a crop, not the whole frame


def test_one_forward_pass_serves_every_layer(registered, corpus, lite0, monkeypatch):
    passes = []
    real = dataset_examples.read_layers

    def counting(network, batch, names):
        passes.append((len(batch), tuple(names)))
        return real(network, batch, names)

    monkeypatch.setattr(dataset_examples, "read_layers", counting)
    examples("efficientnet-lite0", "--layers", "block3,head,logits", "--batch-size", "8")
    frames = corpus.frames.count()
    assert sum(size for size, _ in passes) == frames
    assert all(names == ("block3", "head", "logits") for _, names in passes)
    assert FrameScan.objects.count() == 3 * frames


def test_a_re_run_reads_only_new_frames_and_merges_them(registered, source_folder, tmp_path):
    whole, grown = tmp_path / "whole", tmp_path / "grown"
    shutil.copytree(source_folder, whole)
    shutil.copytree(source_folder, grown, ignore=shutil.ignore_patterns("own"))
    for folder in (whole, grown):
        call_command(
            "add_corpus", folder.name, str(folder), stdout=io.StringIO(), stderr=io.StringIO()
        )
    expected = top_sources("whole")
    examples("efficientnet-lite0", "--corpus", "grown", "--layers", "logits", "--top", "3")
    shutil.copytree(source_folder / "own", grown / "own")
    call_command("add_corpus", "grown", str(grown), stdout=io.StringIO(), stderr=io.StringIO())
    report = examples("efficientnet-lite0", "--corpus", "grown", "--layers", "logits", "--top", "3")
    assert f"read {len(list((source_folder / 'own').iterdir()))} new frames" in report
    assert top_sources("grown") == expected
    again = examples("efficientnet-lite0", "--corpus", "grown", "--layers", "logits", "--top", "3")
    assert "read 0 new frames" in again


def top_sources(corpus: str) -> dict:
    """Each logit's top frames in `corpus`, by source file (computed when not yet)."""
    examples("efficientnet-lite0", "--corpus", corpus, "--layers", "logits", "--top", "3")
    rows = DatasetExample.objects.filter(frame__corpus__name=corpus, channel__layer__name="logits")
    return {
        (row.channel.index, row.side, row.rank): row.frame.source
        for row in rows.select_related("channel", "frame")
    }


def corpus_network():
    from catalog.atlas.models import Network

    return Network.objects.get(name="efficientnet-lite0")


def test_a_killed_run_resumes_from_its_last_checkpoint(registered, corpus, lite0, monkeypatch):
    network, layers = corpus_network(), ["block9", "logits"]
    compute_dataset_examples(network, corpus, layers, top=2, loaded=lite0, batch_size=4)
    whole = set(DatasetExample.objects.values_list("channel_id", "side", "rank", "frame_id"))
    DatasetExample.objects.all().delete()
    FrameScan.objects.all().delete()

    monkeypatch.setattr(dataset_examples, "CHECKPOINT_FRAMES", 4)
    seen = []

    def die_after_six(frames):
        seen.append(frames)
        if sum(seen) >= 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compute_dataset_examples(
            network, corpus, layers, top=2, loaded=lite0, batch_size=2, progress=die_after_six
        )
    assert FrameScan.objects.count() == 4 * len(layers)  # the first checkpoint only
    resumed = compute_dataset_examples(network, corpus, layers, top=2, loaded=lite0, batch_size=2)
    assert resumed.frames == corpus.frames.count() - 4
    assert (
        set(DatasetExample.objects.values_list("channel_id", "side", "rank", "frame_id")) == whole
    )


def test_the_channel_page_shows_its_examples_and_the_frame_page_the_channels(
    client, registered, corpus
):
    examples("efficientnet-lite0", "--layers", "logits", "--top", "3")
    channel = Channel.objects.get(layer__name="logits", index=980)
    best = DatasetExample.objects.get(channel=channel, side="top", rank=1)
    page = client.get(channel.get_absolute_url()).content.decode()
    assert 'id="dataset-examples"' in page
    assert best.frame.get_absolute_url() in page and best.frame.thumbnail.url in page
    assert best.crop_style in page
    frame_page = client.get(best.frame.get_absolute_url()).content.decode()
    assert f'href="{channel.get_absolute_url()}"' in frame_page
    assert "Among the top examples of" in frame_page


def test_the_export_has_the_corpus_pages_and_the_examples_thumbnails(registered, corpus, tmp_path):
    examples("efficientnet-lite0", "--layers", "logits", "--top", "2")
    out = tmp_path / "catalogue"
    export_catalogue(out)
    assert (out / "corpora" / "index.html").is_file()
    corpus_page = (out / "corpora" / "films" / "index.html").read_text()
    for frame in corpus.frames.all():
        assert (out / "media" / frame.thumbnail.name).is_file()
        assert (out / "corpora" / "films" / str(frame.id) / "index.html").is_file()
        assert f"{frame.id}/index.html" in corpus_page
    best = DatasetExample.objects.get(
        channel__layer__name="logits", channel__index=980, side="top", rank=1
    )
    channel_page = (out / "n" / "efficientnet-lite0" / "logits" / "980" / "index.html").read_text()
    assert best.frame.thumbnail.name in channel_page
    assert 'id="dataset-examples"' in channel_page


def test_the_admin_action_queues_a_job_that_a_worker_runs(
    admin_client, registered, corpus, run_worker
):
    response = admin_client.post(
        "/admin/corpora/corpus/",
        {"action": "compute_dataset_examples", "_selected_action": [corpus.id]},
        follow=True,
    )
    assert "Queued 1 dataset-example job" in response.content.decode()
    again = admin_client.post(
        "/admin/corpora/corpus/",
        {"action": "compute_dataset_examples", "_selected_action": [corpus.id]},
        follow=True,
    )
    assert "1 already queued or running" in again.content.decode()
    run_worker(timeout=600)
    layers = registered.layers.count()
    assert FrameScan.objects.count() == corpus.frames.count() * layers
    assert DatasetExample.objects.filter(channel__layer__name="logits", rank=1).count() == 2000


@pytest.mark.parametrize(
    "args, field",
    [
        (["--corpus", "nope"], "--corpus"),
        (["--corpus", "films", "--layers", "block3,nope"], "--layers"),
        (["--corpus", "films", "--top", "0"], "--top"),
    ],
)
def test_bad_input_names_the_argument_and_changes_nothing(registered, corpus, args, field):
    with pytest.raises(CommandError, match=field):
        call_command("dataset_examples", "efficientnet-lite0", *args)
    assert not FrameScan.objects.exists() and not DatasetExample.objects.exists()
