"""Circuits in films: a `circuit` shot starts on a channel and travels to its strongest
inputs (or outputs), captioned with each link's weight.

The renderer knows holds and transitions, not circuits (they live in the database), so a
film spec's `circuit` shots are spelled out here, before the spec is checked or rendered:
a hold on the channel, then a hold on its strongest link's channel, a transition to the
next one (all in the layer before, or after), a hold on it, and so on.

    {"kind": "circuit", "layer": "block12", "channel": 5, "direction": "inputs",
     "links": 3, "seconds": 2, "corpus": "samples"}
"""

from __future__ import annotations

import copy

from catalog.atlas.models import Channel
from catalog.corpora.models import Corpus
from catalog.relations.graph import chosen_corpus
from catalog.relations.models import CircuitLink
from renderer.cinema import FilmSpecError

DIRECTIONS = ("inputs", "outputs")
FIELDS = {"kind", "layer", "channel", "direction", "links", "seconds", "corpus", "steps"}
MAX_LINKS = 8


def expand_circuit_shots(data):
    """`data` (a parsed film spec) with every `circuit` shot spelled out as holds and
    transitions; `data` itself when it has none. `FilmSpecError` names a bad shot."""
    if not isinstance(data, dict) or not isinstance(data.get("shots"), list):
        return data
    if not any(_is_circuit(shot) for shot in data["shots"]):
        return data
    expanded = copy.deepcopy(data)
    shots = []
    for index, shot in enumerate(data["shots"]):
        shots.extend(
            _spelled_out(index, shot, data.get("network")) if _is_circuit(shot) else [shot]
        )
    expanded["shots"] = shots
    return expanded


def _is_circuit(shot) -> bool:
    return isinstance(shot, dict) and shot.get("kind") == "circuit"


def _spelled_out(index: int, shot: dict, network: str | None) -> list[dict]:
    unknown = set(shot) - FIELDS
    if unknown:
        raise FilmSpecError(
            index,
            sorted(unknown)[0],
            f"is not a field of a circuit shot ({', '.join(sorted(FIELDS))})",
        )
    direction = shot.get("direction", "inputs")
    if direction not in DIRECTIONS:
        raise FilmSpecError(index, "direction", f"must be one of {', '.join(DIRECTIONS)}")
    count = shot.get("links", 3)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_LINKS:
        raise FilmSpecError(index, "links", f"must be a whole number from 1 to {MAX_LINKS}")
    channel = _channel(index, network, shot)
    links = _links(index, channel, shot.get("corpus"), direction)[:count]
    common = {"seconds": shot.get("seconds", 2)}
    if "steps" in shot:
        common["steps"] = shot["steps"]
    start = channel.layer.name
    shots = [
        {"kind": "hold", "layer": start, "channel": channel.index, **common,
         "caption": f"{channel.title}: its strongest {direction}"},
    ]  # fmt: skip
    previous = None
    for link in links:
        other = link.source if direction == "inputs" else link.target
        sign = "excites" if link.weight > 0 else "inhibits"
        caption = (
            f"{other.title} {sign} {channel.title} ({link.weight:+.3f})"
            if direction == "inputs"
            else f"{channel.title} {sign} {other.title} ({link.weight:+.3f})"
        )
        if previous is not None:
            shots.append(
                {"kind": "transition", "layer": other.layer.name, "from": previous.index,
                 "to": other.index, **common, "caption": caption}
            )  # fmt: skip
        shots.append(
            {"kind": "hold", "layer": other.layer.name, "channel": other.index, **common,
             "caption": caption}
        )  # fmt: skip
        previous = other
    return shots


def _channel(index: int, network: str | None, shot: dict) -> Channel:
    layer, number = shot.get("layer"), shot.get("channel")
    if not isinstance(layer, str) or not layer:
        raise FilmSpecError(index, "layer", "must be a layer name")
    if isinstance(number, bool) or not isinstance(number, int):
        raise FilmSpecError(index, "channel", "must be a channel index")
    found = Channel.objects.filter(
        layer__network__name=network, layer__name=layer, index=number
    ).select_related("layer__network")
    channel = found.first()
    if channel is None:
        raise FilmSpecError(index, "channel", f"{network} has no channel {layer}:{number}")
    return channel


def _links(index: int, channel: Channel, corpus_name, direction: str) -> list[CircuitLink]:
    before, after = channel.layer.neighbours()
    edge = before if direction == "inputs" else after
    if edge is None:
        where = "first" if direction == "inputs" else "last"
        raise FilmSpecError(
            index, "direction", f"{channel.layer.name} is the {where} layer: it has no {direction}"
        )
    if corpus_name is not None and not Corpus.objects.filter(name=corpus_name).exists():
        raise FilmSpecError(index, "corpus", f"there is no corpus {corpus_name!r}")
    corpus = chosen_corpus(channel, corpus_name)
    if corpus is None or (corpus_name and corpus.name != corpus_name):
        network = channel.layer.network.name
        raise FilmSpecError(
            index,
            "channel",
            f"no circuit of {channel.title} yet: compute it with `python manage.py "
            f"compute_circuits {network} --layers {channel.layer.name}`",
        )
    links = CircuitLink.objects.filter(corpus=corpus)
    chosen = links.inputs_of(channel) if direction == "inputs" else links.outputs_of(channel)
    return list(chosen.select_related("source__layer", "target__layer"))
