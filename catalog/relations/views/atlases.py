"""A layer's activation atlas page: the map (zoomable, pannable), each cell's frames and
channels, and for staff the form that queues an atlas; its status for the progress bar."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from catalog.atlas.models import Layer, Still
from catalog.atlas.views.lookup import layer_or_404
from catalog.corpora.models import Corpus
from catalog.queues import RenderingUnavailable, position_in_queue
from catalog.relations.atlases import (
    DEFAULT_CORPUS,
    DEFAULTS,
    LIMITS,
    AtlasRequestError,
    checked_parameters,
    prepare_atlas,
    queue_activation_atlas,
    shown_atlas,
)
from catalog.relations.models import ActivationAtlas

FRAMES_SHOWN = 12  # frames a cell lists
CHANNELS_SHOWN = 6


def activation_atlas(request, network, layer):
    """GET: the atlas of the layer (`?corpus=`, `grid`, `steps`, `size` choose one);
    POST (staff): queue the atlas of the form's values."""
    layer_row = layer_or_404(network, layer)
    if request.method == "POST":
        return _queue(request, layer_row)
    corpus = None
    if request.GET.get("corpus"):
        corpus = get_object_or_404(Corpus, name=request.GET["corpus"])
    try:
        wanted = _wanted(request.GET)
    except AtlasRequestError as exc:
        return bad_request(request, layer_row, exc)
    atlas = shown_atlas(layer_row, corpus, **wanted)
    context = atlas_context(layer_row, atlas)
    if request.user.is_staff:
        context["form"] = _form_values(atlas, corpus)
        context["corpora"] = Corpus.objects.order_by("name")
    return render(request, "relations/activation_atlas.html", context)


def atlas_status(request, network, layer):
    """The atlas's status, for the progress bar (`?id=`)."""
    layer_row = layer_or_404(network, layer)
    try:
        atlas_id = int(request.GET.get("id", ""))
    except ValueError:
        raise Http404("no such atlas") from None
    atlas = get_object_or_404(ActivationAtlas, id=atlas_id, layer=layer_row)
    try:
        position = position_in_queue("render", atlas.job_id)
    except RenderingUnavailable:
        position = None
    return JsonResponse(
        {
            "status": atlas.status,
            "stage": atlas.stage,
            "progress": atlas.progress,
            "error": atlas.error,
            "position": position,
            "url": page_url(atlas),
        }
    )


def page_url(atlas: ActivationAtlas) -> str:
    """The page of exactly this atlas (its corpus, grid, steps and size)."""
    query = {"corpus": atlas.corpus.name, "grid": atlas.grid}
    query.update(steps=atlas.steps, size=atlas.size)
    return atlas.get_absolute_url().split("?")[0] + "?" + urlencode(query)


def _wanted(query) -> dict:
    """The grid, steps and size the query string names (checked), the others None."""
    given = {name: query.get(name) for name in ("grid", "steps", "size") if query.get(name)}
    if not given:
        return {}
    checked = checked_parameters(**{name: given.get(name) for name in DEFAULTS})
    return {name: checked[name] for name in given}


def _queue(request, layer: Layer):
    if not request.user.is_staff:
        raise PermissionDenied
    corpus = Corpus.objects.filter(name=request.POST.get("corpus", DEFAULT_CORPUS)).first()
    try:
        if corpus is None:
            name = request.POST.get("corpus", DEFAULT_CORPUS)
            raise AtlasRequestError("corpus", f"there is no corpus {name!r}")
        atlas = prepare_atlas(
            layer,
            corpus,
            request.POST.get("grid"),
            request.POST.get("steps"),
            request.POST.get("size"),
        )
    except AtlasRequestError as exc:
        return bad_request(request, layer, exc)
    try:
        queue_activation_atlas(atlas)
    except RenderingUnavailable as exc:
        context = {**atlas_context(layer, atlas), "unavailable": str(exc)}
        return render(request, "relations/activation_atlas.html", context, status=503)
    return redirect(page_url(atlas))


def bad_request(request, layer: Layer, error: AtlasRequestError):
    """400: the field and why."""
    context = {
        "layer": layer,
        "network": layer.network,
        "field": error.field,
        "message": error.message.rstrip("."),
    }
    return render(request, "relations/atlas_bad_request.html", context, status=400)


def _form_values(atlas: ActivationAtlas | None, corpus: Corpus | None) -> dict:
    values = {"corpus": corpus.name if corpus else DEFAULT_CORPUS, **DEFAULTS}
    if atlas is not None:
        values.update(corpus=atlas.corpus.name, grid=atlas.grid, steps=atlas.steps)
        values["size"] = atlas.size
    return {**values, "limits": LIMITS}


def atlas_context(
    layer: Layer,
    atlas: ActivationAtlas | None,
    still: Callable[[Still | None], Still | None] = lambda still: still,
    media: Callable[[str], bool] = lambda name: True,
) -> dict:
    """The page's context; the static export passes `still` and `media`, which copy a
    still or a stored file into the catalogue (and say whether it is there)."""
    context = {"layer": layer, "network": layer.network, "atlas": atlas, "cells": []}
    if atlas is None or atlas.status != ActivationAtlas.DONE:
        return context
    cells = list(atlas.cells.prefetch_related("frames"))
    indices = {index for cell in cells for index, _ in cell.top_channels[:CHANNELS_SHOWN]}
    channels = {c.index: c for c in layer.channels.filter(index__in=indices)}
    stills = Still.thumbnails(channels.values())
    media(atlas.image)
    share = 100 / atlas.grid
    for cell in cells:
        media(cell.image)
        frames = sorted(cell.frames.all(), key=lambda frame: frame.id)
        cell.shown_frames = [f for f in frames[:FRAMES_SHOWN] if media(f.thumbnail.name)]
        cell.frame_count = len(frames)
        cell.channels = [
            (channels[index], z, still(stills.get(channels[index].id)))
            for index, z in cell.top_channels[:CHANNELS_SHOWN]
            if index in channels
        ]
        cell.left, cell.top, cell.side = cell.x * share, cell.y * share, share
    context["cells"] = cells
    return context
