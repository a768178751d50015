"""The activation atlas in the catalog: the command, the stored cells and files, the job
and its progress, the page, the export and the film shot, over the sample corpus with the
real efficientnet-lite0 (the renderer runs once per session: `cached_atlas`)."""

import json
from io import StringIO
from pathlib import Path

import django_rq
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image
from rq import SimpleWorker

from catalog.atlas.models import Layer
from catalog.cinema.films import check_spec, render_film_job
from catalog.cinema.models import Film
from catalog.corpora.ingest import add_corpus
from catalog.corpora.models import Corpus
from catalog.corpora.samples import add_sample_corpus
from catalog.relations import atlases
from catalog.relations.atlases import (
    compute_activation_atlas,
    prepare_atlas,
    queue_activation_atlas,
)
from catalog.relations.models import ActivationAtlas
from renderer.cinema import FilmSpecError
from tests.catalog.corpus_helpers import natural
from tests.conftest import queued_job_ids
from tests.renderer.atlas_helpers import cached_atlas

NETWORK, LAYER = "efficientnet-lite0", "block5"
SMALL = {"grid": 4, "steps": 16, "size": 32}
ARGS = ["--grid", "4", "--steps", "16", "--size", "32"]


@pytest.fixture
def samples(db):
    return add_sample_corpus()


@pytest.fixture(autouse=True)
def rendered_once(monkeypatch):
    monkeypatch.setattr(atlases, "activation_atlas", cached_atlas)


@pytest.fixture
def done(registered, samples, lite0):
    layer = registered.layers.get(name=LAYER)
    return compute_activation_atlas(registered, layer, samples, **SMALL, loaded=lite0)


def tiny_corpus(tmp_path, count=3) -> Corpus:
    folder = tmp_path / "tiny"
    folder.mkdir()
    for name in ("astronaut", "coffee", "chelsea", "rocket")[:count]:
        natural(name).save(folder / f"{name}.png")
    add_corpus("tiny", folder)
    return Corpus.objects.get(name="tiny")


def command(*args) -> str:
    out = StringIO()
    call_command("activation_atlas", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_prints_the_layer_grid_cells_and_map_as_json(registered, samples):
    report = json.loads(command(NETWORK, LAYER, *ARGS, "--json"))
    assert set(report) == {"layer", "grid", "cells", "image"}
    assert report["layer"] == LAYER and report["grid"] == 4
    assert len(report["cells"]) >= 4
    for cell in report["cells"]:
        assert set(cell) == {"x", "y", "count", "image"}
        assert 0 <= cell["x"] < 4 and 0 <= cell["y"] < 4 and cell["count"] >= 3
        with Image.open(cell["image"]) as picture:
            assert picture.size == (32, 32)
    with Image.open(report["image"]) as picture:
        assert picture.size == (128, 128) and picture.mode == "RGBA"
    again = json.loads(command(NETWORK, LAYER, *ARGS, "--json"))
    assert again == report  # done: printed, not rendered again
    assert "4×4 cells" in command(NETWORK, LAYER, *ARGS)


def test_a_print_sizes_the_cells_so_the_map_is_that_wide(registered, samples):
    report = json.loads(
        command(NETWORK, LAYER, "--grid", "4", "--steps", "16", "--print", "130", "--json")
    )
    with Image.open(report["image"]) as picture:
        assert picture.size == (128, 128)  # 4 cells of 130 // 4 = 32 px
    with pytest.raises(CommandError, match="--print or --size"):
        command(NETWORK, LAYER, "--print", "256", "--size", "32")


def test_the_cells_their_frames_and_channels_are_stored(done, samples):
    assert done.status == ActivationAtlas.DONE and done.progress == 1.0
    assert done.points == samples.frames.count() * 16 and done.finished_at
    cells = list(done.cells.all())
    assert len(cells) >= 4
    for cell in cells:
        assert default_storage.exists(cell.image)
        frames = list(cell.frames.all())
        assert frames and all(frame.corpus_id == samples.id for frame in frames)
        assert len(cell.top_channels) == 8 and all(0 <= c < 80 for c, _ in cell.top_channels)
    # the points of a photograph and its crops fall together: a cell's frames are mostly
    # views of a few photographs
    sources = {frame.source.split("-")[0].split(".")[0] for frame in cells[0].frames.all()}
    assert len(sources) < cells[0].frames.count()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["resnet", LAYER], "unknown network 'resnet'"),
        ([NETWORK, "block99"], "no layer 'block99'"),
        ([NETWORK, LAYER, "--corpus", "nope"], "--corpus: no corpus 'nope'"),
        ([NETWORK, "logits"], "--layer: logits is the output of efficientnet-lite0"),
        ([NETWORK, LAYER, "--grid", "1"], "--grid: must be from 2 to 32, got 1"),
    ],
    ids=["network", "layer", "corpus", "logits", "grid"],
)
def test_bad_input_is_a_command_error_that_names_it(registered, samples, args, message):
    with pytest.raises(CommandError, match=message):
        command(*args)
    assert not ActivationAtlas.objects.exists()


def test_a_corpus_too_small_for_the_grid_is_refused_and_nothing_is_written(
    registered, tmp_path, settings
):
    tiny_corpus(tmp_path)
    with pytest.raises(
        CommandError, match="^--corpus: corpus tiny has 3 frames: a 8×8 grid needs at least 24$"
    ):
        command(NETWORK, LAYER, "--corpus", "tiny", "--grid", "8")
    assert not ActivationAtlas.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / atlases.ATLAS_DIR).exists()


def test_a_failed_render_marks_the_atlas_failed_and_keeps_its_cells(done, monkeypatch):
    before = {(c.x, c.y): c.image for c in done.cells.all()}

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(atlases, "activation_atlas", broken)
    with pytest.raises(RuntimeError):
        compute_activation_atlas(done.layer.network, done.layer, done.corpus, **SMALL, again=True)
    done.refresh_from_db()
    assert done.status == ActivationAtlas.FAILED and "out of memory" in done.error
    assert {(c.x, c.y): c.image for c in done.cells.all()} == before
    assert all(default_storage.exists(name) for name in before.values())


def test_the_job_reports_its_stages_and_is_queued_once(registered, samples, monkeypatch, settings):
    layer = registered.layers.get(name=LAYER)
    atlas = prepare_atlas(layer, samples, **SMALL)
    assert queue_activation_atlas(atlas) is True
    assert queue_activation_atlas(atlas) is False  # waiting already
    assert queued_job_ids(settings) == [f"activation-atlas-{atlas.id}"]
    seen = []
    writer = atlases._stage_writer

    def watched(rows, progress):
        write = writer(rows, progress)

        def spy(stage, fraction):
            write(stage, fraction)
            seen.append(rows.values_list("stage", "progress").get())

        return spy

    monkeypatch.setattr(atlases, "_stage_writer", watched)
    queue = django_rq.get_queue("render")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    atlas.refresh_from_db()
    assert atlas.status == ActivationAtlas.DONE and atlas.cells.exists()
    stages = [stage for stage, _ in seen]
    assert stages[0] == "reading frames" and stages[-1] == "rendering the cells"
    assert "mapping (UMAP)" in stages
    fractions = [fraction for _, fraction in seen]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert queue_activation_atlas(atlas) is False  # done: never rendered twice
    assert queue.count == 0


def test_the_page_shows_the_map_and_each_cells_frames_and_channels(client, done):
    response = client.get(f"/n/{NETWORK}/{LAYER}/atlas/")
    assert response.status_code == 200
    html = response.content.decode()
    assert default_storage.url(done.image) in html
    cells = list(done.cells.all())
    assert html.count('class="atlas-cell"') == len(cells)
    cell = cells[0]
    assert f'href="#cell-{cell.x}-{cell.y}"' in html and f'id="cell-{cell.x}-{cell.y}"' in html
    for frame in list(cell.frames.order_by("id"))[:3]:
        assert f'href="{frame.get_absolute_url()}"' in html
    top = cell.top_channels[0][0]
    assert f'href="/n/{NETWORK}/{LAYER}/{top}/"' in html
    assert 'id="atlas-form"' not in html  # visitors get no form
    assert 'id="activation-atlas-link"' in client.get(f"/n/{NETWORK}/{LAYER}/").content.decode()


def test_without_an_atlas_the_page_says_so_and_staff_queue_one_once(
    admin_client, samples, registered, settings
):
    response = admin_client.get(f"/n/{NETWORK}/{LAYER}/atlas/")
    assert response.status_code == 200 and b'id="no-atlas"' in response.content
    assert b'id="atlas-form"' in response.content
    form = {"corpus": "samples", "grid": "4", "steps": "16", "size": "32"}
    response = admin_client.post(f"/n/{NETWORK}/{LAYER}/atlas/", form)
    assert response.status_code == 302
    atlas = ActivationAtlas.objects.get()
    assert queued_job_ids(settings) == [f"activation-atlas-{atlas.id}"]
    admin_client.post(f"/n/{NETWORK}/{LAYER}/atlas/", form)
    assert queued_job_ids(settings) == [f"activation-atlas-{atlas.id}"]
    page = admin_client.get(response["Location"]).content.decode()
    assert 'id="atlas-progress"' in page
    status = admin_client.get(f"/n/{NETWORK}/{LAYER}/atlas/status.json?id={atlas.id}").json()
    assert status["status"] == "new" and status["stage"] == "queued" and status["position"] == 1


def test_visitors_cannot_queue_an_atlas(client, samples, registered, settings):
    response = client.post(f"/n/{NETWORK}/{LAYER}/atlas/", {"corpus": "samples"})
    assert response.status_code == 403
    assert not ActivationAtlas.objects.exists() and queued_job_ids(settings) == []


@pytest.mark.parametrize(
    ("method", "data", "field"),
    [
        ("get", {"grid": "eight"}, "grid"),
        ("get", {"steps": "0"}, "steps"),
        ("post", {"corpus": "samples", "size": "5000"}, "size"),
        ("post", {"corpus": "nope"}, "corpus"),
    ],
)
def test_a_bad_value_is_a_400_that_names_its_field(
    admin_client, samples, registered, method, data, field
):
    response = getattr(admin_client, method)(f"/n/{NETWORK}/{LAYER}/atlas/", data)
    assert response.status_code == 400
    assert f"<code>{field}</code>".encode() in response.content
    assert not ActivationAtlas.objects.exists()


def test_unknown_network_or_layer_is_a_404_and_the_logits_have_no_atlas(client, registered):
    assert client.get(f"/n/{NETWORK}/block99/atlas/").status_code == 404
    assert client.get(f"/n/resnet/{LAYER}/atlas/").status_code == 404
    response = client.get(f"/n/{NETWORK}/logits/atlas/")
    assert response.status_code == 200 and b"maps a spatial layer" in response.content
    assert b'id="activation-atlas-link"' not in client.get(f"/n/{NETWORK}/logits/").content


def test_the_export_has_the_atlas_page_with_its_map_cells_and_frames(done, tmp_path):
    from tests.catalog.catalogue.test_export_catalogue import broken_links, export

    Layer.objects.exclude(name__in=[LAYER, "block4"]).delete()
    out = tmp_path / "catalogue"
    export(out)
    page = out / "n" / NETWORK / LAYER / "atlas" / "index.html"
    html = page.read_text()
    assert f"../../../../media/{done.image}" in html
    assert (out / "media" / done.image).is_file()
    assert html.count('class="atlas-cell"') == done.cells.count()
    assert 'id="atlas-form"' not in html and "status.json" not in html
    assert "activation-atlas-link" in (out / "n" / NETWORK / LAYER / "index.html").read_text()
    assert (
        "activation-atlas-link" not in (out / "n" / NETWORK / "block4" / "index.html").read_text()
    )
    assert not (out / "n" / NETWORK / "block4" / "atlas").exists()
    assert [link for link in broken_links(out) if "atlas" in link] == []


def test_an_atlas_shot_needs_a_done_atlas_and_films_its_map(done, settings):
    shot = {
        "kind": "atlas",
        "layer": LAYER,
        "grid": 4,
        "seconds": 0.5,
        "zoom": 2,
        "centre": [0.4, 0.4],
    }
    spec = {"network": NETWORK, "size": [64, 36], "fps": 8, "shots": [shot]}
    with pytest.raises(FilmSpecError, match="shot 0, field 'grid': no activation atlas .* 6×6"):
        check_spec({**spec, "shots": [{**shot, "grid": 6}]})
    check_spec(spec)
    film = Film.objects.create(title="atlas", spec=spec, frames_total=4)
    report = render_film_job(film.id)
    film.refresh_from_db()
    assert film.status == Film.DONE, film.error
    assert report["frames"] == 4 and report["rendered"] == 4
    assert default_storage.exists(film.output.name)
