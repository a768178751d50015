"""Thin views: look rows up (404 when unknown), ask the models and jobs, render a template."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.static import serve

from catalog.jobs import RenderingUnavailable, queue_render_for
from catalog.models import Channel, Layer, Network, Still
from renderer import SpecError

VARIANT_FIELDS = ("style", "size", "steps", "seed")


def home(request):
    networks = Network.objects.all()
    return render(request, "catalog/home.html", {"networks": networks})


def network_detail(request, network):
    network = get_object_or_404(Network, name=network)
    layers = [(layer, layer.sample_still()) for layer in network.layers.all()]
    return render(request, "catalog/network.html", {"network": network, "layers": layers})


def layer_detail(request, network, layer):
    layer = get_object_or_404(
        Layer.objects.select_related("network"), network__name=network, name=layer
    )
    stills = Still.objects.filter(channel__layer=layer, status=Still.DONE).order_by("is_default")
    thumbnail = {still.channel_id: still for still in stills}  # the default still wins
    cells = [(channel, thumbnail.get(channel.id)) for channel in layer.channels.all()]
    context = {"layer": layer, "network": layer.network, "cells": cells, "rendered": len(thumbnail)}
    return render(request, "catalog/layer.html", context)


def channel_detail(request, network, layer, index):
    channel = get_object_or_404(
        Channel.objects.select_related("layer__network"),
        layer__network__name=network,
        layer__name=layer,
        index=index,
    )
    try:
        spec = channel.spec(**_variant_params(request))
    except SpecError as exc:
        context = {"field": exc.field, "message": exc.message, "channel": channel}
        return render(request, "catalog/bad_request.html", context, status=400)
    still = channel.still_for(spec)
    context = {"channel": channel, "still": still, "unavailable": _queue_if_uncached(still)}
    return render(request, "catalog/channel.html", {**context, **_neighbours(channel)})


def still_status(request, still_id):
    still = get_object_or_404(Still, id=still_id)
    return JsonResponse(still.status_dict())


def media(request, path):
    """Stills from the media folder (a production host may serve MEDIA_ROOT itself)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def _variant_params(request) -> dict:
    """Render parameters from the query string, checked against the visitor limits."""
    params = {k: request.GET[k] for k in VARIANT_FIELDS if request.GET.get(k, "") != ""}
    if not request.user.is_staff:
        for field, limit in settings.ATLAS_VISITOR_LIMITS.items():
            value = params.get(field, "")
            if value.isdigit() and int(value) > limit:
                raise SpecError(field, f"visitors may ask for at most {limit}, got {value}")
    return params


def _queue_if_uncached(still: Still) -> str | None:
    """Queue a new (or lost) still; the message to show when rendering is unavailable."""
    if still.status not in (Still.NEW, Still.QUEUED):
        return None
    try:
        queue_render_for([still])
    except RenderingUnavailable:
        return "Rendering is unavailable right now: this still will render once it is back."
    return None


def _neighbours(channel: Channel) -> dict:
    siblings = Channel.objects.filter(layer=channel.layer)
    return {
        "previous": siblings.filter(index__lt=channel.index).order_by("-index").first(),
        "next": siblings.filter(index__gt=channel.index).order_by("index").first(),
    }
