"""`compute_circuits`: stored signed links between adjacent layers, resumable, as JSON, on
the channel and circuit pages, in the export, in films and as an admin job."""

import io
import json
import re
import shutil

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from catalog.atlas.models import Channel
from catalog.catalogue.export import export_catalogue
from catalog.corpora.dataset_examples import open_frame
from catalog.corpora.models import Corpus
from catalog.corpora.samples import PHOTOGRAPHS, add_sample_corpus
from catalog.relations import circuits
from catalog.relations.circuit_films import expand_circuit_shots
from catalog.relations.circuits import compute_circuits
from catalog.relations.models import CircuitLink, CircuitScan
from renderer.cinema import FilmSpecError
from renderer.circuits import attribution
from renderer.examples import images_to_batch
from tests.catalog.corpus_helpers import natural

PICTURES = ["astronaut", "coffee", "chelsea", "rocket", "camera", "coins"]
LAYER = "block12"  # its links: block11 → block12 and block12 → block13


@pytest.fixture(scope="module")
def source_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("circuit-source") / "pictures"
    folder.mkdir()
    for name in PICTURES:
        natural(name).save(folder / f"{name}.png")
    return folder


def add_corpus(folder, name="pictures"):
    call_command("add_corpus", name, str(folder), stdout=io.StringIO(), stderr=io.StringIO())
    return Corpus.objects.get(name=name)


@pytest.fixture
def corpus(db, source_folder, tmp_path):
    return add_corpus(shutil.copytree(source_folder, tmp_path / "pictures"))


def run(*args) -> str:
    out = io.StringIO()
    call_command("compute_circuits", "efficientnet-lite0", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def linked(registered, corpus):
    run("--layers", LAYER, "--corpus", corpus.name, "--top", "4")
    return corpus


def test_json_lists_every_channel_with_its_strongest_links_first(linked, lite0):
    lines = [
        json.loads(line)
        for line in run(
            "--layers", LAYER, "--corpus", "pictures", "--top", "4", "--json"
        ).splitlines()
    ]
    assert len(lines) == 192
    first = lines[0]
    assert set(first) == {"layer", "channel", "inputs", "outputs"}
    assert (first["layer"], first["channel"]) == (LAYER, 0)
    for entry in lines:
        assert len(entry["inputs"]) == len(entry["outputs"]) == 4
        assert {link["layer"] for link in entry["inputs"]} == {"block11"}
        assert {link["layer"] for link in entry["outputs"]} == {"block13"}
        for side in ("inputs", "outputs"):
            strengths = [abs(link["weight"]) for link in entry[side]]
            assert strengths == sorted(strengths, reverse=True)
    weights = [link["weight"] for entry in lines for link in entry["inputs"]]
    assert min(weights) < 0 < max(weights)  # inhibitory and excitatory links
    # the stored weights are the renderer's gradient × activation, averaged per frame
    frames = [open_frame(frame) for frame in linked.frames.all()]
    expected = attribution(lite0, images_to_batch(frames, lite0), "block11", LAYER).numpy() / 6
    for entry in lines[:5]:
        for link in entry["inputs"]:
            assert link["weight"] == pytest.approx(
                expected[link["channel"], entry["channel"]], rel=1e-3, abs=1e-5
            )


def test_a_killed_run_resumes_and_a_grown_corpus_reads_only_new_frames(
    registered, corpus, source_folder, monkeypatch
):
    monkeypatch.setattr(circuits, "CHECKPOINT_FRAMES", 4)
    seen = []

    def killed(frames):
        seen.append(frames)
        if sum(seen) == 6:  # after the first checkpoint (4 frames)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compute_circuits(registered, corpus, ["block1"], top=3, batch_size=2, progress=killed)
    scans = CircuitScan.objects.filter(corpus=corpus)
    assert [len(s.frame_ids) for s in scans.order_by("source__position")] == [
        4
    ]  # stem → block1 not yet
    report = compute_circuits(registered, corpus, ["block1"], top=3, batch_size=2)
    assert report.frames == 2 + 6  # the first pair's last two frames, all of the second's
    assert all(len(scan.frame_ids) == 6 for scan in scans)
    natural("immunohistochemistry").save(Corpus.objects.get(id=corpus.id).folder + "/ihc.png")
    add_corpus(corpus.folder)
    grown = compute_circuits(registered, corpus, ["block1"], top=3)
    assert grown.frames == 2  # one new frame, two layer pairs
    reranked = compute_circuits(registered, corpus, ["block1"], top=5)
    assert reranked.frames == 0
    channel = Channel.objects.get(layer__network=registered, layer__name="block1", index=0)
    assert CircuitLink.objects.inputs_of(channel).count() == 5


def test_the_pages_show_the_links_and_the_circuit_graph(client, linked):
    page = client.get("/n/efficientnet-lite0/block12/3/").content.decode()
    assert 'id="circuit"' in page and "Strongest inputs (block11)" in page
    assert re.search(r'href="/n/efficientnet-lite0/block11/\d+/" data-key="input"', page)
    assert re.search(r'href="/n/efficientnet-lite0/block13/\d+/" data-key="output"', page)
    assert 'class="weight-bar excites"' in page or 'class="weight-bar inhibits"' in page
    graph = client.get("/n/efficientnet-lite0/block12/3/circuit/")
    assert graph.status_code == 200
    html = graph.content.decode()
    assert html.count('<a class="node') == 1 + 4 + 4  # the channel, its 4 kept inputs and outputs
    assert '<line class="edge' in html
    assert 'href="/n/efficientnet-lite0/block11/' in html and "/circuit/" in html
    bad = client.get("/n/efficientnet-lite0/block12/3/circuit/?depth=7")
    assert bad.status_code == 400 and "depth" in bad.content.decode()
    assert client.get("/n/efficientnet-lite0/block12/999/circuit/").status_code == 404
    assert client.get("/n/efficientnet-lite0/block12/3/circuit/?corpus=nope").status_code == 404


def test_a_channel_without_a_circuit_says_how_to_compute_one(client, registered):
    page = client.get("/n/efficientnet-lite0/block12/3/circuit/").content.decode()
    assert "compute_circuits efficientnet-lite0 --layers block12" in page
    assert 'id="circuit"' not in client.get("/n/efficientnet-lite0/block12/3/").content.decode()


def test_the_export_has_the_circuit_pages(linked, tmp_path):
    out = tmp_path / "catalogue"
    export_catalogue(out)
    page = (out / "n/efficientnet-lite0/block12/3/circuit/index.html").read_text()
    assert "<svg" in page and "../../../block11/" in page
    channel = (out / "n/efficientnet-lite0/block12/3/index.html").read_text()
    assert "circuit/index.html" in channel


def test_a_circuit_shot_travels_to_the_strongest_inputs_captioned_with_the_weights(linked):
    spec = {"network": "efficientnet-lite0", "size": [64, 64], "shots": [
        {"kind": "circuit", "layer": LAYER, "channel": 3, "links": 3, "seconds": 1},
    ]}  # fmt: skip
    shots = expand_circuit_shots(spec)["shots"]
    assert [shot["kind"] for shot in shots] == [
        "hold",
        "hold",
        "transition",
        "hold",
        "transition",
        "hold",
    ]
    channel = Channel.objects.get(layer__name=LAYER, index=3)
    inputs = list(CircuitLink.objects.inputs_of(channel)[:3])
    holds = [shot for shot in shots if shot["kind"] == "hold"][1:]
    assert [(h["layer"], h["channel"]) for h in holds] == [
        ("block11", link.source.index) for link in inputs
    ]
    assert f"({inputs[0].weight:+.3f})" in holds[0]["caption"]
    from catalog.cinema.films import check_spec

    assert len(check_spec(spec).shots) == 6
    last = {
        **spec,
        "shots": [{"kind": "circuit", "layer": "logits", "channel": 1, "direction": "outputs"}],
    }
    with pytest.raises(FilmSpecError, match="logits is the last layer: it has no outputs"):
        expand_circuit_shots(last)
    missing = {**spec, "shots": [{"kind": "circuit", "layer": "block3", "channel": 1}]}
    with pytest.raises(FilmSpecError, match="no circuit of block3:1 yet"):
        expand_circuit_shots(missing)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--layers", "block99"], "--layers: efficientnet-lite0 has no layer block99"),
        (["--corpus", "nope"], "--corpus: no corpus 'nope'"),
        (["--top", "0"], "--top: 0 must be at least 1"),
    ],
)
def test_bad_input_names_the_argument_and_writes_nothing(registered, corpus, args, message):
    args = [*args] if "--corpus" in args else [*args, "--corpus", corpus.name]
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not CircuitScan.objects.exists() and not CircuitLink.objects.exists()


def test_the_admin_action_queues_a_job_that_a_worker_runs(
    admin_client, registered, source_folder, tmp_path, run_worker
):
    two = tmp_path / "two"
    two.mkdir()
    for name in PICTURES[:2]:
        shutil.copy(source_folder / f"{name}.png", two)
    corpus = add_corpus(two, name="two")
    from catalog.relations import admin as relations_admin  # noqa: F401  (registers the action)

    response = admin_client.post(
        "/admin/atlas/network/",
        {"action": "compute_circuits", "_selected_action": [registered.id]},
        follow=True,
    )
    assert "Queued 1 circuit job(s)" in response.content.decode()
    assert run_worker().returncode == 0
    assert CircuitScan.objects.filter(corpus=corpus).count() == registered.layers.count() - 1


def test_the_sample_corpus_ships_real_photographs_and_is_added_once(db, settings, tmp_path):
    settings.ATLAS_PRIVATE_ROOT = tmp_path / "private"
    corpus = add_sample_corpus()
    assert corpus.name == "samples" and corpus.frames.count() == 5 * len(PHOTOGRAPHS)
    add_sample_corpus()
    assert Corpus.objects.get(name="samples").frames.count() == 5 * len(PHOTOGRAPHS)
    sizes = {(frame.width, frame.height) for frame in corpus.frames.all()}
    assert (512, 512) in sizes and np.mean([w for w, _ in sizes]) > 200
