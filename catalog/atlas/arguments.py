"""Arguments that several management commands take: a network's layer, a channel list."""

from django.core.management.base import CommandError

from catalog.atlas.models import Layer


def layer_named(network: str, name: str) -> Layer:
    """The layer `name` of the registered `network`, or a CommandError listing what exists."""
    layer = Layer.objects.select_related("network").filter(network__name=network, name=name)
    if layer:
        return layer.get()
    known = Layer.objects.filter(network__name=network).values_list("name", flat=True)
    if not known:
        raise CommandError(f"unknown network {network!r}: register it with add_network")
    raise CommandError(f"network {network!r} has no layer {name!r}; layers: {', '.join(known)}")


def parse_channels(text: str | None, count: int) -> list[int]:
    """'0-7', '3,5,9' or a mix like '0-3,9' → sorted indices, each checked against `count`."""
    if not text:
        return list(range(count))
    indices = set()
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            indices.update(range(int(low), int(high or low) + 1))
    except ValueError:
        raise CommandError(f"--channels: expected e.g. 0-7 or 3,5,9, got {text!r}") from None
    bad = [i for i in indices if i >= count]
    if bad or not indices:
        raise CommandError(f"--channels: the layer has channels 0-{count - 1}, got {text!r}")
    return sorted(indices)
