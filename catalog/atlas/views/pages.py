"""Thin views: look rows up (404 when unknown), ask the models and jobs, render a template."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from catalog.atlas import fill, showcase
from catalog.atlas.models import Channel, Network, Still
from catalog.atlas.views.lookup import layer_or_404
from catalog.corpora.training import training_report
from catalog.curation.models import Taxon

SEARCH_LIMIT = 120


def home(request):
    networks, to_come = fill.home_cards()
    context = {
        "networks": networks,
        "to_come": to_come,
        "featured": showcase.featured_channels(),
        "featured_taxa": showcase.featured_taxa(),
    }
    return render(request, "atlas/home.html", context)


def about(request):
    network = Network.objects.first()
    context = {
        "network": network,
        "depths": showcase.depth_examples(network) if network else [],
        "puppyslug": showcase.puppyslug_example(),
    }
    return render(request, "atlas/about.html", context)


def network_detail(request, network):
    network = get_object_or_404(Network, name=network)
    layers = network.layer_cards()
    context = {
        "network": network,
        "layers": layers,
        "to_come": fill.fill_network(network, layers),
        "trained": training_report(network) is not None,
    }
    return render(request, "atlas/network.html", context)


def layer_detail(request, network, layer):
    layer = layer_or_404(network, layer)
    to_come = fill.fill_layer(layer)
    order = "puppyslug" if request.GET.get("sort") == "puppyslug" else "index"
    cells = layer.cells(order)
    rendered = sum(1 for _, still in cells if still)
    before, after = layer.neighbours()
    context = {
        "layer": layer,
        "network": layer.network,
        "cells": cells,
        "rendered": rendered,
        "to_come": to_come,
        "order": order,
        "previous_layer": before,
        "next_layer": after,
        "layers": layer.network.layers.all(),
    }
    return render(request, "atlas/layer.html", context)


def contact_sheet(request, network, layer):
    layer = layer_or_404(network, layer)
    context = {"layer": layer, "network": layer.network, "cells": layer.cells()}
    return render(request, "atlas/contact_sheet.html", context)


def class_detail(request, label):
    """One class (a logit channel) side by side in every network that has it."""
    cells = Channel.class_cells(label)
    if not cells:
        raise Http404("no network has this class")
    return render(request, "atlas/class.html", {"label": label, "cells": cells})


SEARCH_WORDS = 12  # each word joins tables; SQLite refuses a query past about 35 words


def search(request):
    query = " ".join(request.GET.get("q", "").split()[:SEARCH_WORDS])
    channels, taxa_found = [], []
    if query:
        found = Channel.objects.search(query).select_related("layer__network")
        channels = list(
            found.order_by("layer__network__name", "layer__position", "index")[:SEARCH_LIMIT]
        )
        taxa_found = Taxon.objects.filter(name__icontains=query)
    thumbnail = Still.thumbnails(channels)
    context = {
        "query": query,
        "results": [(channel, thumbnail.get(channel.id)) for channel in channels],
        "taxa": taxa_found,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "atlas/search.html", context)
