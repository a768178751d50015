"""Relations in the static catalogue: a circuit page for every channel with links (the
channel pages show their strongest links through their own template)."""

from __future__ import annotations

from django.urls import reverse

from catalog.atlas.models import Channel
from catalog.relations.graph import chosen_corpus, circuit_graph, corpora_with_links
from catalog.relations.models import CircuitLink


def write_relations(site) -> None:
    """Write the circuit pages through `site` (a `catalogue._Site`)."""
    linked = set(CircuitLink.objects.values_list("target_id", flat=True)) | set(
        CircuitLink.objects.values_list("source_id", flat=True)
    )
    channels = Channel.objects.filter(id__in=linked).select_related("layer__network")
    for channel in channels.order_by("layer__network__name", "layer__position", "index"):
        corpus = chosen_corpus(channel, None)
        graph = circuit_graph(channel, corpus)
        for node in graph.nodes:
            node.still = site.still(node.still)
        path = reverse(
            "circuit", args=[channel.layer.network.name, channel.layer.name, channel.index]
        )
        context = {
            "channel": channel,
            "corpus": corpus,
            "corpora": corpora_with_links(channel),
            "graph": graph,
            "depth": graph.depth,
        }
        site.page(path, "relations/circuit.html", context)
