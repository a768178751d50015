"""Film pages, for staff: the list, a film's progress page and its status endpoint."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog import films, queues
from catalog.models import Film
from catalog.people import admin_required
from catalog.queues import RenderingUnavailable


@admin_required
def film_list(request):
    recent = Film.objects.select_related("created_by")[:100]
    return render(request, "catalog/films.html", {"films": recent})


@admin_required
def film_detail(request, film_id):
    film = get_object_or_404(Film, id=film_id)
    context = {"film": film, "progress": film.status_dict(_position(film))}
    return render(request, "catalog/film.html", context)


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


def _position(film: Film) -> int | None:
    """The film's place in the queue (1: next), None when it is not waiting."""
    if film.status != Film.QUEUED:
        return None
    try:
        return queues.position_in_queue(queues.RENDER, film.job_id)
    except RenderingUnavailable:
        return None
