"""Film pages, for staff: the list, a film's progress page and its status endpoint, and a
layer's montage queued from the layer page."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog import queues
from catalog.atlas.models import Layer
from catalog.cinema import films, storyboards
from catalog.cinema.models import Film
from catalog.people import admin_required
from catalog.queues import RenderingUnavailable


@admin_required
def film_list(request):
    recent = Film.objects.select_related("created_by")[:100]
    return render(request, "cinema/films.html", {"films": recent})


@admin_required
def film_detail(request, film_id):
    film = get_object_or_404(Film, id=film_id)
    context = {"film": film, "progress": film.status_dict(_position(film))}
    return render(request, "cinema/film.html", context)


@admin_required
def film_status(request, film_id):
    film = get_object_or_404(Film, id=film_id)
    return JsonResponse(film.status_dict(_position(film)))


@require_POST
@admin_required
def film_render(request, film_id):
    film = get_object_or_404(Film, id=film_id)
    try:
        films.queue_film(film)
    except RenderingUnavailable as exc:
        Film.objects.filter(id=film.id).update(error=str(exc)[:300])
    return redirect(film)


@require_POST
@admin_required
def film_cancel(request, film_id):
    film = get_object_or_404(Film, id=film_id)
    Film.objects.filter(id=film.id).cancel()
    return redirect(film)


@require_POST
@admin_required
def layer_montage(request, network, layer):
    """Queue a montage of the layer's first channels (at most 16); its film page."""
    layer = get_object_or_404(
        Layer.objects.select_related("network"), network__name=network, name=layer
    )
    try:
        film = storyboards.montage_film(layer, request.user)
    except storyboards.StoryboardError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    return film_render(request, film.id)


def _position(film: Film) -> int | None:
    """The film's place in the queue (1: next), None when it is not waiting."""
    if film.status != Film.QUEUED:
        return None
    try:
        return queues.position_in_queue(queues.RENDER, film.job_id)
    except RenderingUnavailable:
        return None
