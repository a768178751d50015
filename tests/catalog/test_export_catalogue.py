"""The static catalogue, crawled from the file system."""

from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.core.management import CommandError, call_command

from catalog.catalogue import read_manifest
from catalog.models import Annotation, Channel, Layer, Taxon
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
    tours = 1  # the list of tours (there are none)
    assert manifest["pages"] == 1 + 1 + taxa + 1 + 2 * 2 + 48 + tours and manifest["stills"] == 6


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
