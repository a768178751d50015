"""Thin views: look rows up (404 when unknown), ask the models and jobs, render a template."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.static import serve

from catalog import sketch
from catalog.jobs import RenderingUnavailable, queue_render_for
from catalog.models import Channel, Layer, Network, Still
from renderer import SpecError


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
    channel = _channel_or_404(network, layer, index)
    try:
        spec = channel.spec(**sketch.variant_params(request.GET, request.user))
    except SpecError as exc:
        return _bad_request(request, channel, exc)
    still = channel.still_for(spec)
    limits = sketch.limits_for(request.user)
    context = {
        "channel": channel,
        "still": still,
        "unavailable": _queue_if_uncached(still),
        "sketch_form": sketch.SketchForm(initial=spec.to_dict(), limits=limits),
        "dream_form": sketch.DreamForm(limits=limits),
        "variants": _variants(channel, still),
        **_neighbours(channel),
    }
    return render(request, "catalog/channel.html", context)


@require_POST
def channel_dream(request, network, layer, index):
    """Upload a photograph and dream the channel into it: redirects to that variant."""
    channel = _channel_or_404(network, layer, index)
    form = sketch.DreamForm(request.POST, request.FILES, limits=sketch.limits_for(request.user))
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return _bad_request(request, channel, SpecError(field, " ".join(errors)))
    try:
        digest = sketch.store_photo(form.cleaned_data["photo"])
    except SpecError as exc:
        return _bad_request(request, channel, exc)
    query = {"objective": form.cleaned_data["objective"], "style": "pixel", "photo": digest}
    query.update(steps=form.cleaned_data["steps"], size=form.cleaned_data["size"])
    return redirect(channel.get_absolute_url() + "?" + urlencode(query))


def still_status(request, still_id):
    still = get_object_or_404(Still, id=still_id)
    return JsonResponse(still.status_dict())


def media(request, path):
    """Stills from the media folder (a production host may serve MEDIA_ROOT itself)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def _channel_or_404(network, layer, index) -> Channel:
    return get_object_or_404(
        Channel.objects.select_related("layer__network"),
        layer__network__name=network,
        layer__name=layer,
        index=index,
    )


def _bad_request(request, channel, error: SpecError):
    message = error.message.rstrip(".")
    context = {"field": error.field, "message": message, "channel": channel}
    return render(request, "catalog/bad_request.html", context, status=400)


def _variants(channel: Channel, current: Still) -> list[tuple[Still, str]]:
    """The channel's other rendered stills, each with the query string that shows it."""
    default = channel.spec()
    others = channel.stills.filter(status=Still.DONE).exclude(id=current.id)[:24]
    return [(still, sketch.variant_query(still.render_spec(), default)) for still in others]


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
