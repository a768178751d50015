"""The static catalogue, crawled from the file system."""

import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import av
import numpy as np
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from PIL import Image

from catalog.atlas.models import Channel, Layer
from catalog.catalogue.export import read_manifest
from catalog.cinema.models import Film
from catalog.curation.models import Annotation, Taxon
from tests.conftest import render_inline

KEPT_LAYERS = ("stem", "block0")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)


def broken_links(root: Path) -> list[str]:
    """Every href and src of every page, resolved from the page's folder, that is missing."""
    broken = []
    for page in root.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto") or link.startswith("#"):
                continue
            assert not parts.scheme and not link.startswith("/"), (page, link)
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                broken.append(f"{page.relative_to(root)} -> {link}")
    return broken


@pytest.fixture
def small_atlas(registered, curator, settings):
    """efficientnet-lite0 with two layers, six rendered stills and two annotated channels."""
    settings.ATLAS_DEFAULT_STILL = {"size": 32, "steps": 2}
    Layer.objects.exclude(name__in=KEPT_LAYERS).delete()
    render_inline(Channel.objects.filter(layer__name="stem", index__lt=4))
    render_inline(Channel.objects.filter(layer__name="block0", index__in=[3, 9]))
    first = Channel.objects.get(layer__name="stem", index=1)
    Annotation.revise(
        first,
        curator,
        "Dog **snouts**; compare [block0:3](/n/efficientnet-lite0/block0/3/), "
        "[the taxon](/taxa/snouts/) and [Distill](https://distill.pub/2017/feature-visualization/).",
        Taxon.objects.filter(slug__in=["dog-faces", "snouts"]),
    )
    Annotation.revise(Channel.objects.get(layer__name="block0", index=3), curator, "Eyes.", [])
    return registered


def export(out: Path) -> str:
    output = StringIO()
    call_command("export_catalogue", str(out), stdout=output, stderr=StringIO())
    return output.getvalue()


def test_the_catalogue_has_every_page_and_no_broken_link_or_missing_image(small_atlas, tmp_path):
    out = tmp_path / "site" / "catalogue"
    message = export(out)
    assert "Exported" in message and "6 stills" in message
    assert broken_links(out) == []
    network = out / "n" / "efficientnet-lite0"
    assert (out / "index.html").is_file() and (network / "index.html").is_file()
    for layer, count in (("stem", 32), ("block0", 16)):
        assert (network / layer / "index.html").is_file()
        assert (network / layer / "print" / "index.html").is_file()
        assert len(list((network / layer).glob("*/index.html"))) == count + 1  # + print
    taxa = Taxon.objects.count()
    assert len(list((out / "taxa").glob("*/index.html"))) == taxa
    assert len(list((out / "media").rglob("*.png"))) == 6
    assert (out / "static" / "atlas.css").is_file()
    manifest = read_manifest(out)
    tours = corpora = 1  # the list of tours, of corpora (there are none); + about
    pages = 1 + 1 + 1 + taxa + 1 + 2 * 2 + 48 + tours + corpora
    assert manifest["pages"] == pages and manifest["stills"] == 6
    assert not (out / "films").exists() and manifest["films"] == 0  # no film: no film page
    assert "films/index.html" not in (out / "index.html").read_text()


def test_pages_show_stills_notes_and_tags_with_relative_links(small_atlas, tmp_path):
    out = tmp_path / "catalogue"
    export(out)
    channel = (out / "n/efficientnet-lite0/stem/1/index.html").read_text()
    assert "Dog <strong>snouts</strong>" in channel
    assert 'href="../../block0/3/index.html"' in channel
    assert 'href="../../../../taxa/snouts/index.html"' in channel
    assert 'href="https://distill.pub/2017/feature-visualization/"' in channel
    assert 'src="../../../../media/stills/efficientnet-lite0/stem/1-' in channel
    assert 'href="../../../../static/atlas.css"' in channel
    for server_only in ("status.json", "progress.js", "log in", 'name="q"', "Edit note"):
        assert server_only not in channel
    unrendered = (out / "n/efficientnet-lite0/stem/20/index.html").read_text()
    assert "Not rendered yet." in unrendered
    snouts = (out / "taxa/snouts/index.html").read_text()
    assert 'href="../../n/efficientnet-lite0/stem/1/index.html"' in snouts
    sheet = (out / "n/efficientnet-lite0/stem/print/index.html").read_text()
    assert sheet.count("<img ") == 4 and 'class="print"' in sheet


def test_re_exporting_replaces_the_catalogue_in_one_move(small_atlas, tmp_path):
    out = tmp_path / "catalogue"
    Taxon.objects.create(name="Passing fad", slug="passing-fad")
    export(out)
    stale = out / "taxa" / "passing-fad" / "index.html"
    assert stale.is_file() and "taxa/passing-fad/index.html" in read_manifest(out)["files"]
    Taxon.objects.filter(slug="passing-fad").delete()
    channel = Channel.objects.get(layer__name="stem", index=2)
    Annotation.revise(channel, None, "A new note.", [])
    export(out)
    assert "A new note." in (out / "n/efficientnet-lite0/stem/2/index.html").read_text()
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue", "media"]


def test_the_manifest_names_the_generator_and_every_file_written(small_atlas, tmp_path):
    out = tmp_path / "catalogue"
    export(out)
    manifest = read_manifest(out)
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert manifest["generator"] == "Neural Atlas"
    assert set(manifest["files"]) == written and "catalogue.json" in written


def test_it_refuses_to_replace_a_folder_that_is_not_a_catalogue(small_atlas, tmp_path):
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(CommandError, match="not a catalogue"):
        export(precious)
    assert (precious / "thesis.tex").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "media"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its contents."""
    files = (p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


@pytest.mark.parametrize(
    "manifest",
    [
        "{}",
        "not json at all",
        '["generator", "Neural Atlas"]',
        '{"generator": "Neural Atlas"}',
        '{"generator": "Someone else", "files": ["catalogue.json", "thesis.tex", "data/run.csv"]}',
    ],
)
def test_a_folder_with_a_foreign_catalogue_json_is_refused_and_untouched(
    small_atlas, tmp_path, manifest
):
    precious = tmp_path / "home"
    (precious / "data").mkdir(parents=True)
    (precious / "catalogue.json").write_text(manifest)
    (precious / "thesis.tex").write_text("years of work")
    (precious / "data" / "run.csv").write_text("1,2,3")
    before = snapshot(precious)
    with pytest.raises(CommandError, match="not a catalogue"):
        export(precious)
    assert snapshot(precious) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "media"]


def test_an_export_with_a_strangers_file_added_is_refused_and_untouched(small_atlas, tmp_path):
    out = tmp_path / "catalogue"
    export(out)
    (out / "n" / "notes.txt").write_text("someone's notes")
    before = snapshot(out)
    with pytest.raises(CommandError, match=r"1 file\(s\) no export wrote \(n/notes.txt\)"):
        export(out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue", "media"]


def test_admins_start_an_export_from_the_site(admin_client, small_atlas, run_worker, settings):
    settings.ATLAS_CATALOGUE_DIR = settings.MEDIA_ROOT.parent / "published"
    assert b"Not exported yet." in admin_client.get("/export/").content
    admin_client.post("/export/")
    assert b"queued or running" in admin_client.get("/export/").content
    run_worker()
    page = admin_client.get("/export/").content.decode()
    assert "Last export:" in page and "6 stills" in page
    assert (settings.ATLAS_CATALOGUE_DIR / "index.html").is_file()


def test_a_failed_export_says_why_on_the_export_page(
    admin_client, small_atlas, run_worker, settings
):
    settings.ATLAS_CATALOGUE_DIR = settings.MEDIA_ROOT  # holds stills: not a catalogue
    admin_client.post("/export/")
    run_worker()
    page = admin_client.get("/export/").content.decode()
    assert "is not a catalogue" in page and "Not exported yet." in page


def tiny_film(title: str, name: str, **fields) -> Film:
    """A film with a real 2-frame 16×16 MP4 (4 fps) and a PNG poster in MEDIA_ROOT/films/."""
    folder = Path(django_settings.MEDIA_ROOT) / "films"
    folder.mkdir(parents=True, exist_ok=True)
    with av.open(str(folder / f"{name}.mp4"), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=4)
        stream.width, stream.height, stream.pix_fmt = 16, 16, "yuv420p"
        for shade in (0, 255):
            frame = np.full((16, 16, 3), shade, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    Image.new("RGB", (16, 16), "gray").save(folder / f"{name}.png")
    spec = {"network": "efficientnet-lite0", "size": [16, 16], "fps": 4, "shots": []}
    fields = {"status": Film.DONE, "frames_total": 2, "frames_done": 2, **fields}
    return Film.objects.create(
        title=title, spec=spec, output=f"films/{name}.mp4", preview=f"films/{name}.png", **fields
    )


def test_finished_films_get_a_page_of_their_own_with_their_mp4s(small_atlas, tmp_path):
    film = tiny_film("A walk through stem", "walk")
    tiny_film("Still rendering", "pending", status=Film.RUNNING)
    preview = tiny_film("Loop of block0:3", "loop")
    preview.preview_of = Channel.objects.get(layer__name="block0", index=3)
    preview.save()
    out = tmp_path / "catalogue"
    export(out)

    films = out / "films" / "index.html"
    page = films.read_text()
    assert "A walk through stem" in page and "0.5 s" in page
    assert "Still rendering" not in page and "Loop of block0:3" not in page  # not done; a preview
    (video,) = re.findall(r"<video[^>]*>", page)
    assert 'controls preload="none"' in video
    assert 'poster="../media/films/walk.png"' in video
    source = re.search(r'<source src="([^"]+)"', page).group(1)
    assert source == "../media/films/walk.mp4"
    assert (films.parent / source).resolve() == (out / "media" / film.output.name).resolve()
    assert (films.parent / source).resolve().is_file()
    assert not (out / "media" / "films" / "pending.mp4").exists()
    assert 'href="films/index.html"' in (out / "index.html").read_text()

    manifest = read_manifest(out)
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == written
    assert {"films/index.html", "media/films/walk.mp4", "media/films/walk.png"} <= written
    assert manifest["films"] == 1 and manifest["previews"] == 1
    taxa = Taxon.objects.count()
    assert (
        manifest["pages"] == 1 + 1 + 1 + taxa + 1 + 2 * 2 + 48 + 1 + 1 + 1
    )  # about, tours, films, corpora
    assert broken_links(out) == []
