import json

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

import renderer
from catalog.atlas.jobs import network_for
from catalog.atlas.models import Network
from catalog.cinema.films import frame_cache, render_film_job
from catalog.cinema.models import Film
from catalog.relations.atlas_films import atlas_pictures
from catalog.relations.circuit_films import expand_circuit_shots
from renderer.cinema import FilmSpec, FilmSpecError, render_film
from renderer.cinema.encode import OddSize


class Command(BaseCommand):
    help = "Render a film spec (JSON, see docs/films/) to an MP4, or to N synchronised screens."

    def add_arguments(self, parser):
        parser.add_argument("spec", nargs="?", help="film spec, a JSON file")
        parser.add_argument("--output", help="video file to write (film.mp4)")
        parser.add_argument(
            "--film", type=int, help="render the site's film with this id here, not a SPEC"
        )
        parser.add_argument("--steps", type=int, help="optimizer steps per frame (the spec's)")
        parser.add_argument(
            "--screens", type=int, default=1, help="synchronised files side by side"
        )
        parser.add_argument(
            "--prores", action="store_true", help="ProRes 422 HQ (.mov) for playback"
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="one JSON object")

    def handle(self, spec, output, film, steps, screens, prores, as_json, **options):
        if film is not None:
            if spec or output:
                raise CommandError("--film renders a film of the site: give no SPEC or --output")
            return self.render_row(film, as_json)
        if not spec or not output:
            raise CommandError("give a SPEC and an --output, or --film ID")
        if steps is not None and steps < 1:
            raise CommandError("--steps: must be at least 1")
        if prores and not output.lower().endswith(".mov"):
            raise CommandError("--prores writes QuickTime: give an --output ending in .mov")
        try:
            film = FilmSpec.from_json(expand_circuit_shots(FilmSpec.read(spec)))
        except OSError as exc:
            raise CommandError(f"cannot read {spec}: {exc.strerror}") from exc
        except FilmSpecError as exc:
            raise CommandError(f"{spec}: {exc}") from exc
        network = _network(film.network)
        with tqdm(total=film.frames, unit="frame", desc="film", disable=as_json) as bar:
            try:
                report = render_film(
                    network,
                    film,
                    output,
                    frame_cache(),
                    steps=steps,
                    screens=screens,
                    progress=lambda done, total: bar.update(done - bar.n),
                    codec="prores" if prores else "h264",
                    pictures=atlas_pictures(film),
                )
            except (FilmSpecError, OddSize) as exc:
                raise CommandError(f"{spec}: {exc}") from exc
        self.stdout.write(json.dumps(report) if as_json else _sentence(report))

    def render_row(self, film_id: int, as_json: bool) -> None:
        """Render a `Film` of the site in this process, as a worker would (failed or
        cancelled ones again), its progress on its page and on a progress bar."""
        film = Film.objects.filter(id=film_id).first()
        if film is None:
            raise CommandError(f"there is no film {film_id}")
        Film.objects.filter(id=film_id).reset()
        with tqdm(total=film.frames_total, unit="frame", desc=str(film), disable=as_json) as bar:
            report = render_film_job(film_id, lambda done, total: bar.update(done - bar.n))
        film.refresh_from_db()
        if film.status == Film.FAILED:
            raise CommandError(f"film {film_id}: {film.error}")
        if report is None:
            raise CommandError(f"film {film_id} is {film.status}: nothing rendered")
        self.stdout.write(json.dumps(report) if as_json else _sentence(report))


def _network(name: str) -> renderer.Network:
    """The catalog's network of that name, else one the renderer's zoo can load."""
    row = Network.objects.filter(name=name).first()
    if row is not None:
        return network_for(row.id)
    try:
        return renderer.load_network(name)
    except renderer.RendererError as exc:
        raise CommandError(f"network {name!r}: {exc}") from exc


def _sentence(report: dict) -> str:
    width, height = report["size"]
    return (
        f"Wrote {report['output']} ({report['frames']} frames, {width}×{height} at "
        f"{report['fps']} fps): {report['rendered']} rendered, {report['cached']} from the "
        f"frame cache, in {report['seconds']} s."
    )
