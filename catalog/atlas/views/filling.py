"""What a page that fills itself polls: the stills of its grey boxes that are done now,
and how many are still to come (`static/fill.js` swaps them in without a reload)."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404

from catalog.atlas import fill
from catalog.atlas.models import Network, Still
from catalog.atlas.thumbnails import grid_url
from catalog.atlas.views.lookup import layer_or_404


def home_stills(request):
    """Each network's strip on the home page, keyed "network/layer"."""
    networks, to_come = fill.home_cards()
    cells = {
        f"{network.name}/{layer.name}": _cell(still)
        for network, strip in networks
        for layer, still in strip
        if still
    }
    return _filling(cells, to_come)


def network_stills(request, network):
    """A network page's one still a layer, keyed by layer name."""
    network = get_object_or_404(Network, name=network)
    cards = network.layer_cards()
    cells = {layer.name: _cell(still) for layer, still in cards if still}
    return _filling(cells, fill.fill_network(network, cards))


def layer_stills(request, network, layer):
    """A layer page's channels, keyed by channel index."""
    layer = layer_or_404(network, layer)
    cells = {str(channel.index): _cell(still) for channel, still in layer.cells() if still}
    return _filling(cells, fill.fill_layer(layer), rendered=len(cells))


def _cell(still: Still) -> dict:
    return {"thumb": grid_url(still), "title": still.channel.title}


def _filling(cells: dict, to_come: int, **more) -> JsonResponse:
    return JsonResponse({"to_come": to_come, "cells": cells, **more})
