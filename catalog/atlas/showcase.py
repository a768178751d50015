"""What the home and about pages show a first-time visitor: each network's stills from its
early to its late layers, the channels and taxa curators featured, and the examples the
introduction explains (a read-only view of the atlas; nothing here renders)."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.atlas.models import Channel, Layer, Network, Still
from catalog.curation.models import Taxon

STRIP_LENGTH = 8  # stills on a network's card on the home page
FEATURED = 12  # featured channels on the home page


def network_strip(network: Network, length: int = STRIP_LENGTH) -> list[tuple[Layer, Still]]:
    """Up to `length` rendered stills of `network`, one a layer, spread evenly from its
    first rendered layer to its last."""
    cards = [(layer, still) for layer, still in network.layer_cards() if still]
    if len(cards) <= length:
        return cards
    step = (len(cards) - 1) / (length - 1)
    return [cards[round(i * step)] for i in range(length)]


def featured_channels(limit: int = FEATURED) -> list[tuple[Channel, Still | None]]:
    """The channels curators featured (on their note), with their rendered stills."""
    channels = list(
        Channel.objects.filter(annotation__featured=True)
        .select_related("layer__network")
        .order_by("layer__network__name", "layer__position", "index")[:limit]
    )
    thumbnail = Still.thumbnails(channels)
    return [(channel, thumbnail.get(channel.id)) for channel in channels]


def featured_taxa() -> list[tuple[Taxon, Still | None]]:
    """The taxa curators featured, each with a still of a channel tagged with it."""
    shown = []
    for taxon in Taxon.objects.filter(featured=True):
        cells = [cell for cell in taxon.tagged_cells() if cell[1]]
        shown.append((taxon, cells[0][1] if cells else None))
    return shown


@dataclass
class Example:
    """A still the introduction points at, and what it illustrates."""

    still: Still
    caption: str


def depth_examples(network: Network) -> list[Example]:
    """Up to three stills of `network`, from an early, a middle and a late layer, each
    captioned by how deep its layer lies."""
    depth = max(1, network.layers.count() - 1)
    return [
        Example(still, f"{layer.name}, {_depth_words(layer.position / depth)}")
        for layer, still in network_strip(network, length=3)
    ]


def _depth_words(fraction: float) -> str:
    if fraction < 1 / 3:
        return "an early layer: edges, colours, textures"
    if fraction < 2 / 3:
        return "a middle layer: patterns and parts"
    return "a late layer: objects and animals"


def puppyslug_example() -> Still | None:
    """The atlas still the network itself finds most animal-like."""
    return (
        Still.objects.public()
        .filter(status=Still.DONE, puppyslug_index__isnull=False)
        .select_related("channel__layer__network")
        .order_by("-puppyslug_index")
        .first()
    )


def candidate_channels(taxon: Taxon, limit: int = FEATURED) -> list[tuple[Channel, Still]]:
    """Channels a curator might tag with an empty taxon: the atlas stills the network
    itself finds most animal-like (highest puppyslug index) first."""
    stills = (
        Still.objects.public()
        .filter(status=Still.DONE, puppyslug_index__isnull=False)
        .exclude(channel__annotation__tags=taxon)
        .select_related("channel__layer__network")
        .order_by("-puppyslug_index")[:limit]
    )
    return [(still.channel, still) for still in stills]
