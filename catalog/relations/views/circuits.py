"""A channel's circuit page: the SVG graph of its inputs, their inputs, and its outputs."""

from django.http import Http404
from django.shortcuts import render

from catalog.atlas.views.lookup import channel_or_404
from catalog.relations.graph import MAX_DEPTH, chosen_corpus, circuit_graph, corpora_with_links


def circuit(request, network, layer, index):
    channel = channel_or_404(network, layer, index)
    try:
        depth = int(request.GET.get("depth", 2))
    except ValueError:
        depth = 0
    if not 1 <= depth <= MAX_DEPTH:
        return render(
            request,
            "atlas/bad_request.html",
            {
                "channel": channel,
                "field": "depth",
                "message": f"depth must be a whole number from 1 to {MAX_DEPTH}",
            },
            status=400,
        )
    corpus = chosen_corpus(channel, request.GET.get("corpus"))
    if request.GET.get("corpus") and (corpus is None or corpus.name != request.GET["corpus"]):
        raise Http404("no circuit of this channel over that corpus")
    context = {
        "channel": channel,
        "corpus": corpus,
        "corpora": corpora_with_links(channel),
        "graph": circuit_graph(channel, corpus, depth) if corpus else None,
        "depth": depth,
        "depths": range(1, MAX_DEPTH + 1),
    }
    return render(request, "relations/circuit.html", context)
