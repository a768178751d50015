"""Registering a network: load it once, store its layers and channels."""

from django.db import transaction

import renderer
from catalog.atlas.models import Channel, Layer, Network
from renderer.facts import facts_of


@transaction.atomic
def register_network(
    name: str,
    weights=None,
    arch=None,
    labels=None,
    loaded: renderer.Network | None = None,
    accuracy: str | None = None,
) -> Network:
    """Load the network (which validates weights and labels) and store its layers and
    the facts of what it is (source, input size, parameters, published accuracy).

    Re-registering refreshes the layers; channels and their stills are kept where the
    layer still exists with the same channel count. `loaded` skips loading it again;
    `accuracy` (as published) stands in for the zoo's, e.g. for a network from files.
    """
    if loaded is None:
        loaded = renderer.load_network(name, weights, arch, labels, device="cpu")
    facts = facts_of(loaded, arch=arch, weights=weights)
    network, _ = Network.objects.update_or_create(
        name=name,
        defaults={
            "weights": weights or "",
            "arch": arch or "",
            "labels_file": labels or "",
            "weight_hash": loaded.weight_hash,
            "description": facts.description,
            "source": facts.source,
            "input_size": facts.input_size,
            "parameter_count": facts.parameters,
            "accuracy": accuracy or facts.accuracy,
        },
    )
    for position, info in enumerate(loaded.layers):
        layer, _ = Layer.objects.update_or_create(
            network=network,
            name=info.name,
            defaults={"position": position, "channel_count": info.channels, "kind": info.kind},
        )
        layer.channels.filter(index__gte=info.channels).delete()
        existing = set(layer.channels.values_list("index", flat=True))
        labels_of = loaded.labels if info.kind == "logits" else []
        Channel.objects.bulk_create(
            Channel(layer=layer, index=i, label=labels_of[i] if i < len(labels_of) else "")
            for i in range(info.channels)
            if i not in existing
        )
    network.layers.exclude(name__in=[info.name for info in loaded.layers]).delete()
    return network
