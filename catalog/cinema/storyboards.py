"""Films the atlas writes itself: a channel's preview, a layer's montage, a tour's film.

Each function here builds a film spec from rows of the atlas (sizes and lengths from the
`ATLAS_*_FILM` settings), checks it as any spec is checked (`films.check_spec`) and saves
a `Film` (or finds the one made from the same spec before); the caller queues it with
`films.queue_film`, which leaves a film queued, running or done as it is. A film shows channels
of one network and of spatial layers only (`FilmSpec`), so what cannot be filmed is
refused here with a `StoryboardError` that says which channel or stop.
"""

from __future__ import annotations

from django.conf import settings

from catalog.atlas.models import Channel, Layer
from catalog.cinema.films import check_spec, queue_film
from catalog.cinema.models import Film, Tour
from renderer.cinema import FilmSpecError

MAX_MONTAGE = 16  # a montage shot shows at most 16 channels (`FilmSpec`)


class StoryboardError(Exception):
    """These rows cannot make a film (the message says why, for the page or the admin)."""


def preview_film(channel: Channel, user=None) -> Film:
    """The channel's preview film for the current settings: a square, gently zooming
    loop. Raises `StoryboardError` for a non-spatial layer."""
    _check_spatial(channel.layer, str(channel))
    options = settings.ATLAS_PREVIEW_FILM
    side = options["size"]
    spec = {
        "network": channel.layer.network.name,
        "title": f"Preview of {channel.title}",
        "size": [side, side],
        "fps": options["fps"],
        "steps": options["steps"],
        "first_steps": options["first_steps"],
        "shots": [
            {
                "kind": "zoom",
                "layer": channel.layer.name,
                "channel": channel.index,
                "seconds": options["seconds"],
                "zoom": 1.01,
                "easing": "ease-in-out",
            }
        ],
    }
    return _save(spec, user, preview_of=channel)


def queue_previews(channels, user=None) -> tuple[list[Film], list[str]]:
    """Make and queue the preview film of each of `channels` (one already queued, running
    or done is left as it is); the films, and why the others were refused. Raises
    `RenderingUnavailable` when Redis is down."""
    made, refused = [], []
    for channel in channels:
        try:
            film = preview_film(channel, user)
        except StoryboardError as exc:
            refused.append(str(exc))
            continue
        queue_film(film)
        made.append(film)
    return made, refused


def montage_film(layer: Layer, user=None) -> Film:
    """The film of the first channels (at most 16) of `layer`, side by side."""
    _check_spatial(layer, str(layer))
    options = settings.ATLAS_MONTAGE_FILM
    count = min(MAX_MONTAGE, options["channels"], layer.channel_count)
    if count < 2:
        raise StoryboardError(f"{layer} has {layer.channel_count} channel(s): a montage needs 2")
    channels = list(range(count))
    spec = {
        "network": layer.network.name,
        "title": f"Montage of {layer.network.name} {layer.name}, channels 0-{count - 1}",
        "size": list(options["size"]),
        "fps": options["fps"],
        "shots": [
            {
                "kind": "montage",
                "layer": layer.name,
                "channels": channels,
                "seconds": options["seconds"],
                "caption": f"{layer.name} · channels 0-{count - 1}",
            }
        ],
    }
    return _save(spec, user)


def tour_films(tour: Tour, user=None) -> list[Film]:
    """The films of `tour`: one a network, in the order of the stops (a tour that goes
    from one network to another and back makes a film for each part). Each stop is held
    with its caption as the title; between consecutive stops of one layer, a transition."""
    stops = tour.stops_in_order()
    if not stops:
        raise StoryboardError(f"the tour {tour.title!r} has no stops")
    for number, stop in enumerate(stops, start=1):
        _check_spatial(stop.channel.layer, f"stop {number} ({stop.channel})")
    parts = _parts_by_network(stops)
    films = []
    for number, part in enumerate(parts, start=1):
        title = tour.title if len(parts) == 1 else f"{tour.title} (part {number} of {len(parts)})"
        films.append(_save(tour_spec(part, title), user))
    return films


def tour_spec(stops: list, title: str) -> dict:
    """The film spec of consecutive stops of one network."""
    options = settings.ATLAS_TOUR_FILM
    shots = []
    for stop, after in zip(stops, stops[1:] + [None], strict=True):
        layer, index = stop.channel.layer, stop.channel.index
        hold = {"kind": "hold", "layer": layer.name, "channel": index}
        shots.append({**hold, "seconds": options["hold"], "caption": stop.caption})
        if (
            after is not None
            and after.channel.layer_id == layer.id
            and after.channel != stop.channel
        ):
            shots.append(
                {
                    "kind": "transition",
                    "layer": layer.name,
                    "from": index,
                    "to": after.channel.index,
                    "seconds": options["transition"],
                }
            )
    return {
        "network": stops[0].channel.layer.network.name,
        "title": title,
        "size": list(options["size"]),
        "fps": options["fps"],
        "shots": shots,
    }


def _parts_by_network(stops: list) -> list[list]:
    parts: list[list] = []
    for stop in stops:
        network = stop.channel.layer.network_id
        if parts and parts[-1][0].channel.layer.network_id == network:
            parts[-1].append(stop)
        else:
            parts.append([stop])
    return parts


def _check_spatial(layer: Layer, what: str) -> None:
    if layer.kind != "conv":
        raise StoryboardError(
            f"{what}: layer {layer.name!r} is not spatial (a film shows conv layers only)"
        )


def _save(spec: dict, user, preview_of: Channel | None = None) -> Film:
    """A film of `spec`: the one made earlier from the same spec (so that asking twice
    queues it once; one that failed is queued again), else a new one."""
    try:
        checked = check_spec(spec)
    except FilmSpecError as exc:
        raise StoryboardError(str(exc)) from exc
    for film in Film.objects.filter(title=spec["title"][:200], preview_of=preview_of):
        if film.spec == spec:
            return film
    return Film.objects.create(
        title=spec["title"][:200],
        spec=spec,
        frames_total=checked.frames,
        created_by=user if user is not None and user.is_authenticated else None,
        preview_of=preview_of,
    )
