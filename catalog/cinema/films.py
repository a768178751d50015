"""Films from the site: a spec checked against the catalog, queued, rendered by a worker.

The renderer does the film (`renderer.cinema.render_film`); this module only checks a
spec against the registered networks, queues the job and stores what it makes: the MP4
as films/ in the media storage (PyAV writes a temporary file first), a poster frame
beside it, progress on the `Film` row. Frames are cached in `frame_cache()` (shared with
`render_video`), so a film that was stopped renders only the frames it lacks. Status
changes go through `Film.objects`.
"""

from __future__ import annotations

import io
import logging
import tempfile
import time
import traceback
from pathlib import Path
from types import SimpleNamespace

import av
from django.conf import settings
from rq import Callback

from catalog import queues
from catalog.atlas.jobs import network_for
from catalog.atlas.models import Network
from catalog.cinema.models import Film
from catalog.queues import RenderingUnavailable
from catalog.relations.atlas_films import atlas_pictures, check_atlas_shots
from catalog.relations.circuit_films import expand_circuit_shots
from catalog.storage import save_bytes, save_file
from renderer.cinema import FilmSpec, FilmSpecError, render_film
from renderer.cinema.film import Progress
from renderer.errors import UnknownLayer

log = logging.getLogger(__name__)
FILMS_DIR = "films"  # in the media storage
POSTER_WIDTH = 480
# A film beats once a frame, and a first 4K frame can take minutes: only a film silent for
# this long counts as dead when it is queued again (a live one then stops at its next frame).
STALE_AFTER = 15 * 60


class FilmCancelled(Exception):
    """The film was cancelled while it rendered."""


def check_spec(data) -> FilmSpec:
    """Validate parsed JSON as a film spec for a network of the catalog: its fields, then
    its layers and channels against the registered rows (`circuit` shots spelled out from
    the stored links first). Raises `FilmSpecError`."""
    spec = FilmSpec.from_json(expand_circuit_shots(data))
    row = Network.objects.filter(name=spec.network).first()
    if row is None:
        raise FilmSpecError(None, "network", f"{spec.network!r} is not registered in the atlas")
    spec.check_network(_CatalogNetwork(row))
    check_atlas_shots(spec, row)
    return spec


class _CatalogNetwork:
    """A registered network's layer rows, read as `FilmSpec.check_network` reads a loaded
    network, so a spec is checked without loading any weights."""

    def __init__(self, row: Network):
        self.name = row.name
        self.layers = [
            SimpleNamespace(name=layer.name, kind=layer.kind, channels=layer.channel_count)
            for layer in row.layers.all()  # in the network's order
        ]

    def layer(self, name: str):
        for layer in self.layers:
            if layer.name == name:
                return layer
        known = ", ".join(layer.name for layer in self.layers)
        raise UnknownLayer(f"network {self.name!r} has no layer {name!r}; layers: {known}")


def queue_film(film: Film) -> bool:
    """Queue a new, failed or cancelled film (a stale running one too) on the render queue;
    False when it is queued, running or done already. Raises `RenderingUnavailable`."""
    rows = Film.objects.filter(id=film.id)
    rows.recover(STALE_AFTER)
    rows.reset()
    film.refresh_from_db()
    job_id = f"film-{film.id}-{film.attempts + 1}"
    if not rows.filter(attempts=film.attempts).queue(job_id):
        film.refresh_from_db()
        return False
    try:
        queues.enqueue(
            queues.RENDER,
            render_film_job,
            film.id,
            job_id=job_id,
            job_timeout=settings.ATLAS_FILM_TIMEOUT,
            on_failure=Callback(fail_film_of_job),
        )
    except RenderingUnavailable:
        rows.unqueue(job_id)
        raise
    finally:
        film.refresh_from_db()
    return True


def recover_films(films, seconds: float = STALE_AFTER) -> int:
    """Queue again the films of `films` whose render died (no heartbeat for `seconds`);
    how many. Frames already cached are not rendered again."""
    recovered = 0
    for film in films.stale(seconds):
        try:
            recovered += queue_film(film)
        except RenderingUnavailable:
            break
    return recovered


def render_film_job(film_id: int, on_frame: Progress | None = None) -> dict | None:
    """RQ job: render the film unless it is done or somebody else claimed it; the report
    of `render_film`, or None when there was nothing to do (or it failed: see the row).
    `on_frame(done, total)` is called after every frame (the command's progress bar)."""
    film = Film.objects.filter(id=film_id).first()
    if film is None or not Film.objects.filter(id=film_id).claim():
        return None
    film.refresh_from_db()
    try:
        return _render(film, on_frame)
    except FilmCancelled:
        log.info("film %s was cancelled while it rendered", film_id)
        return None
    except Exception as exc:
        log.exception("film %s failed", film_id)
        rows = Film.objects.filter(id=film_id, job_id=film.job_id)
        rows.fail(_public_error(exc), traceback.format_exc(limit=12))
        return None


def _render(film: Film, on_frame: Progress | None) -> dict:
    spec = FilmSpec.from_json(expand_circuit_shots(film.spec))
    Film.objects.filter(id=film.id).update(frames_total=spec.frames)
    row = Network.objects.filter(name=spec.network).first()
    if row is None:
        raise FilmSpecError(None, "network", f"{spec.network!r} is not registered in the atlas")
    with tempfile.TemporaryDirectory(prefix="atlas-film-") as folder:
        video = Path(folder) / f"film-{film.id}.mp4"
        report = render_film(
            network_for(row.id),
            spec,
            video,
            frame_cache(),
            progress=_progress_writer(film, on_frame),
            pictures=atlas_pictures(spec),
        )
        poster = save_bytes(f"{FILMS_DIR}/film-{film.id}.png", _poster(video, report["frames"]))
        output = save_file(f"{FILMS_DIR}/film-{film.id}.mp4", video)
    Film.objects.filter(id=film.id, job_id=film.job_id).finish(
        output=output,
        preview=poster,
        frames_done=report["frames"],
        frames_total=report["frames"],
        rendered=report["rendered"],
        cached=report["cached"],
    )
    return report


def _progress_writer(film: Film, on_frame: Progress | None = None) -> Progress:
    """Throttled writes of frames done (and a heartbeat); stops the render when the film
    is no longer running in this job (cancelled, or queued again as dead)."""
    rows = Film.objects.filter(id=film.id, job_id=film.job_id)
    last_write = [0.0]

    def write(done: int, total: int) -> None:
        if on_frame:
            on_frame(done, total)
        now = time.monotonic()
        if now - last_write[0] >= settings.ATLAS_PROGRESS_INTERVAL or done == total:
            last_write[0] = now
            if not rows.beat(frames_done=done):
                raise FilmCancelled(film.id)

    return write


def frame_cache() -> Path:
    """The folder of cached film frames: ATLAS_FRAME_CACHE, else MEDIA_ROOT/frames."""
    return Path(settings.ATLAS_FRAME_CACHE or Path(settings.MEDIA_ROOT) / "frames")


def _poster(video: Path, frames: int) -> bytes:
    """The film's middle frame, small, as a PNG."""
    image = None
    with av.open(str(video)) as container:
        for number, frame in enumerate(container.decode(video=0)):
            image = frame.to_image()
            if number >= frames // 2:
                break
    if image is None:
        raise ValueError(f"{video.name} has no frames")
    image.thumbnail((POSTER_WIDTH, POSTER_WIDTH))
    png = io.BytesIO()
    image.save(png, format="PNG")
    return png.getvalue()


def _public_error(exc: Exception) -> str:
    """A short message for the film page; the traceback goes to staff only."""
    message = str(exc).splitlines()[0] if str(exc) else ""
    if isinstance(exc, FilmSpecError):
        return message
    return f"{type(exc).__name__}: {message}"[:300]


def fail_film_of_job(job, connection, exc_type, exc_value, tb) -> None:
    """RQ failure callback (a timeout, an error outside the render): no film stays running."""
    Film.objects.filter(id=job.args[0]).fail(f"the render job failed: {exc_type.__name__}")
