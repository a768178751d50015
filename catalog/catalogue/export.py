"""The static catalogue: the whole atlas as files, for the file system or any static host.

The pages are the site's own templates, rendered with `export_page` (the page's site
path) in the context, which turns every link relative (see `templatetags/atlas.py`) and
leaves out what needs the server (progress, forms, search). A page at site path
/n/lite0/block3/ is written as n/lite0/block3/index.html; stills and films (channels'
previews and the other finished films, listed on /films/ when there are any) go to
media/ and CSS to static/, as on the site. Tours are pages too, one a stop; corpora too,
a page a frame, with the frames' thumbnails (which dataset examples show).
The catalogue is built in a temporary folder beside OUT_DIR and swapped into place only
when complete, so a reader never sees half of it.

The manifest (catalogue.json) names the generator and lists every file the export wrote.
An existing OUT_DIR is replaced only when it is empty or is such an export, untouched
since: a folder whose manifest is foreign, or that holds a file no export wrote, is
refused, so an export never deletes someone's work.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import django_rq
from django.contrib.staticfiles.finders import FileSystemFinder
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from rq.exceptions import NoSuchJobError
from rq.job import Job

from catalog import queues
from catalog.atlas import showcase
from catalog.atlas.models import Channel, Layer, Network, Still
from catalog.cinema.models import Film, Tour
from catalog.corpora.export import write_corpora
from catalog.corpora.training import training_page
from catalog.curation.models import Annotation, Taxon
from catalog.queues import RenderingUnavailable
from catalog.relations.atlas_export import write_activation_atlases
from catalog.relations.export import write_relations
from catalog.templatetags.atlas import relative_link

MANIFEST = "catalogue.json"
GENERATOR = "Neural Atlas"
EXPORT_JOB_ID = "export-catalogue"


class CatalogueError(Exception):
    """The catalogue cannot be written where it was asked to be."""


def export_catalogue(out_dir: str | Path, on_page: Callable[[str], None] | None = None) -> dict:
    """Write the static catalogue to `out_dir` (replacing an earlier one); its manifest."""
    out_dir = Path(out_dir).resolve()
    _check_replaceable(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    building = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".part", dir=out_dir.parent)
    )
    try:
        site = _Site(building, on_page)
        site.write_all()
        files = _files_in(building) | {MANIFEST}
        manifest = {
            "generator": GENERATOR,
            "exported": timezone.now().isoformat(),
            "networks": Network.objects.count(),
            "pages": site.pages,
            "stills": len(site.stills),
            "previews": len(site.previews),
            "films": len(site.films),
            "bytes": sum(f.stat().st_size for f in building.rglob("*") if f.is_file()),
            "seconds": round(time.monotonic() - started, 2),
            "files": sorted(files),
        }
        (building / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        building.chmod(0o755)
        _swap(building, out_dir)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return manifest


def read_manifest(out_dir: str | Path) -> dict | None:
    """The manifest of the catalogue in `out_dir`, or None if there is none (or not a JSON
    object)."""
    try:
        manifest = json.loads((Path(out_dir) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def queue_export(out_dir: str | Path) -> None:
    """Queue an export for a worker (one at a time); `RenderingUnavailable` if Redis is down."""
    if export_state()[0] == "queued":
        return
    queues.enqueue(
        queues.DEFAULT,
        export_job,
        str(out_dir),
        job_id=EXPORT_JOB_ID,
        result_ttl=0,
        failure_ttl=86400,
    )


def export_state() -> tuple[str | None, str]:
    """("queued", "") while an export waits or runs, ("failed", why) after one failed,
    else (None, "")."""
    try:
        with queues.redis_errors_as_unavailable():
            job = Job.fetch(EXPORT_JOB_ID, connection=django_rq.get_connection(queues.DEFAULT))
            status = job.get_status(refresh=False)
    except NoSuchJobError:
        return None, ""
    except RenderingUnavailable as exc:
        return "failed", str(exc)
    if status in ("queued", "started", "deferred", "scheduled"):
        return "queued", ""
    if status == "failed":
        result = job.latest_result()
        lines = (result.exc_string or "").strip().splitlines() if result else []
        return "failed", lines[-1] if lines else "the export failed"
    return None, ""


def export_job(out_dir: str) -> dict:
    """RQ job: export the catalogue to `out_dir`."""
    return export_catalogue(out_dir)


class _Site:
    """Writes the pages of the catalogue into `root`, and the stills and CSS they show."""

    def __init__(self, root: Path, on_page: Callable[[str], None] | None):
        self.root = root
        self.on_page = on_page
        self.pages = 0
        self.stills: set[str] = set()
        self.previews: set[str] = set()
        self.films: set[str] = set()
        self.copied: set[str] = set()
        self.exported = timezone.now()

    def write_all(self) -> None:
        networks = list(Network.objects.all())
        films = self.finished_films()
        cards = [(network, self.shown_strip(network)) for network in networks]
        self.page("/", "atlas/home.html", {"networks": cards, "films": films})
        self.about(networks[0] if networks else None)
        if films:
            self.page(reverse("films"), "cinema/films_export.html", {"films": films})
        self.page(reverse("taxa"), "curation/taxa.html", {"tree": Taxon.tree()})
        for taxon in Taxon.objects.all():
            path = taxon.get_absolute_url()
            context = {
                "taxon": taxon,
                "cells": self.shown(taxon.tagged_cells()),
                "note": taxon.description_html(link=self.linker(path)),
            }
            self.page(path, "curation/taxon.html", context)
        for network in networks:
            cards = [(layer, self.still(sample)) for layer, sample in network.layer_cards()]
            training = training_page(network)
            self.page(
                network.get_absolute_url(),
                "atlas/network.html",
                {"network": network, "layers": cards, "trained": training is not None},
            )
            if training:
                self.page(
                    reverse("training", args=[network.name]), "corpora/training.html", training
                )
            for layer in network.layers.all():
                self.layer(layer)
        self.classes()
        self.tours()
        write_corpora(self)
        write_relations(self)
        write_activation_atlases(self)
        self.static_files()

    def layer(self, layer: Layer) -> None:
        cells = self.shown(layer.cells())
        base = {"layer": layer, "network": layer.network, "cells": cells}
        rendered = sum(1 for _, still in cells if still)
        self.page(layer.get_absolute_url(), "atlas/layer.html", {**base, "rendered": rendered})
        self.page(
            reverse("contact-sheet", args=[layer.network.name, layer.name]),
            "atlas/contact_sheet.html",
            base,
        )
        annotations = {
            a.channel_id: a
            for a in Annotation.objects.filter(channel__layer=layer).prefetch_related("tags")
        }
        previews = Film.objects.previews_of([channel for channel, _ in cells])
        for i, (channel, still) in enumerate(cells):
            path = channel.get_absolute_url()
            annotation = annotations.get(channel.id)
            context = {
                "channel": channel,
                "still": still,
                "annotation": annotation,
                "note": annotation.html(link=self.linker(path)) if annotation else "",
                "previous": cells[i - 1][0] if i > 0 else None,
                "next": cells[i + 1][0] if i + 1 < len(cells) else None,
                "preview": self.preview(previews.get(channel.id)),
            }
            self.page(path, "atlas/channel.html", context)

    def classes(self) -> None:
        """A page per class that several networks have (their channel pages link to it)."""
        for label in Channel.shared_class_labels():
            context = {"label": label, "cells": self.shown(Channel.class_cells(label))}
            self.page(reverse("class", args=[label]), "atlas/class.html", context)

    def tours(self) -> None:
        """The tours, a page a stop, as the site shows them to a visitor."""
        tours = list(Tour.objects.all())
        self.page(reverse("tours"), "cinema/tours.html", {"tours": tours})
        for tour in tours:
            rows = [{**row, "still": self.still(row["still"])} for row in tour.stop_rows()]
            for number in range(1, max(1, len(rows)) + 1):
                context = {"tour": tour, **Tour.around(rows, number)}
                self.page(tour.stop_url(number), "cinema/tour.html", context)

    def finished_films(self) -> list[Film]:
        """The done films that are not a channel's preview, their MP4s and posters copied
        into the catalogue (a film whose MP4 is lost is left out)."""
        shown = []
        done = Film.objects.filter(status=Film.DONE, preview_of__isnull=True).exclude(output="")
        for film in done:
            if not self.media(film.output.name):
                continue
            if film.preview and not self.media(film.preview.name):
                film.preview = None  # the list then shows the video without a poster
            film.seconds = _seconds(film)
            self.films.add(film.output.name)
            shown.append(film)
        return shown

    def page(self, path: str, template: str, context: dict) -> None:
        html = render_to_string(
            template, {**context, "export_page": path, "exported": self.exported}
        )
        target = self.root / unquote(path).lstrip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.pages += 1
        if self.on_page:
            self.on_page(path)

    def linker(self, page: str) -> Callable[[str], str]:
        return lambda path: relative_link(path, page)

    def shown_strip(self, network: Network) -> list:
        """The home page's strip of `network`, the stills copied into the catalogue."""
        return [
            (layer, still) for layer, still in showcase.network_strip(network) if self.still(still)
        ]

    def about(self, network: Network | None) -> None:
        depths = showcase.depth_examples(network) if network else []
        context = {
            "network": network,
            "depths": [example for example in depths if self.still(example.still)],
            "puppyslug": self.still(showcase.puppyslug_example()),
        }
        self.page(reverse("about"), "atlas/about.html", context)

    def shown(self, cells: list) -> list:
        return [(channel, self.still(still)) for channel, still in cells]

    def still(self, still: Still | None) -> Still | None:
        """Copy a still's image into the catalogue; None if there is none or it is lost."""
        if still is None or not still.image or not self.media(still.image.name):
            return None
        if still.video and not self.media(still.video.name):
            still.video = None  # its poster is shown as a still image
        self.stills.add(still.image.name)
        return still

    def preview(self, film: Film | None) -> Film | None:
        """Copy a preview film (its MP4 and poster) into the catalogue; None if it is lost."""
        if film is None or not film.output or not self.media(film.output.name):
            return None
        if film.preview and not self.media(film.preview.name):
            film.preview = None  # the page then shows the video without a poster
        self.previews.add(film.output.name)
        return film

    def media(self, name: str) -> bool:
        """Copy `name` from the media storage to media/`name` in the catalogue (once);
        False if it is lost."""
        if name not in self.copied:
            target = self.root / "media" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with default_storage.open(name, "rb") as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
            except (OSError, SuspiciousFileOperation):  # lost, or not a file
                target.unlink(missing_ok=True)
                return False
            self.copied.add(name)
        return True

    def static_files(self) -> None:
        for path, storage in FileSystemFinder().list([]):
            target = self.root / "static" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(storage.path(path), target)


def _seconds(film: Film) -> float | None:
    """How long `film` plays: its frames at its spec's frame rate (24 fps unless set)."""
    spec = film.spec if isinstance(film.spec, dict) else {}
    fps = spec.get("fps") or 24
    if film.frames_total and isinstance(fps, int | float) and fps > 0:
        return film.frames_total / fps
    shots = spec.get("shots") if isinstance(spec.get("shots"), list) else []
    seconds = [s.get("seconds") for s in shots if isinstance(s, dict)]
    if seconds and all(isinstance(s, int | float) for s in seconds):
        return float(sum(seconds))
    return None


def _check_replaceable(out_dir: Path) -> None:
    """Raise `CatalogueError` unless `out_dir` is absent, empty, or an untouched export."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise CatalogueError(f"{out_dir} exists and is not a folder")
    if not any(out_dir.iterdir()):
        return
    manifest = read_manifest(out_dir)
    if manifest is None:
        raise CatalogueError(
            f"{out_dir} is not a catalogue (it has no readable {MANIFEST}) and not empty: "
            "choose a new or empty folder"
        )
    listed = manifest.get("files")
    if manifest.get("generator") != GENERATOR or not isinstance(listed, list):
        raise CatalogueError(
            f"{out_dir} is not a catalogue: its {MANIFEST} was not written by {GENERATOR} "
            "(or lists no files); choose a new or empty folder"
        )
    strangers = sorted(_files_in(out_dir) - {name for name in listed if isinstance(name, str)})
    if strangers:
        shown = ", ".join(strangers[:5]) + (", ..." if len(strangers) > 5 else "")
        raise CatalogueError(
            f"{out_dir} is not a catalogue as exported: it holds {len(strangers)} file(s) "
            f"no export wrote ({shown}); move them away or choose another folder"
        )


def _files_in(folder: Path) -> set[str]:
    """Every file below `folder` (links included, never followed), as relative POSIX paths."""
    found = set()

    def unreadable(error: OSError) -> None:
        raise CatalogueError(f"{error.filename} cannot be read ({error.strerror})")

    for parent, dirs, files in os.walk(folder, onerror=unreadable):
        here = Path(parent)
        links = [name for name in dirs if (here / name).is_symlink()]
        for name in files + links:
            found.add((here / name).relative_to(folder).as_posix())
    return found


def _swap(building: Path, out_dir: Path) -> None:
    """Move the finished catalogue into place; an earlier one is removed afterwards."""
    if not out_dir.exists():
        os.rename(building, out_dir)
        return
    old = out_dir.with_name(f".{out_dir.name}.old-{secrets.token_hex(4)}")
    os.rename(out_dir, old)
    os.rename(building, out_dir)
    shutil.rmtree(old, ignore_errors=True)
