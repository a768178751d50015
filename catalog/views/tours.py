"""Tours: the list, a tour stop by stop (public), a curator's form, a staff "render as film"."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import storyboards
from catalog.films import queue_film
from catalog.forms import TourForm
from catalog.models import Film, Still, Tour
from catalog.people import admin_required, can_edit_tours, is_admin, tour_editor_required
from catalog.queues import RenderingUnavailable


def tour_list(request):
    tours = Tour.objects.all()
    return render(
        request, "catalog/tours.html", {"tours": tours, "can_edit": can_edit_tours(request.user)}
    )


def tour_detail(request, slug, number=1):
    """Stop `number` (from 1) of the tour, with the list of all its stops."""
    tour = get_object_or_404(Tour, slug=slug)
    return _tour_page(request, tour, number)


@tour_editor_required
def tour_new(request):
    return _tour_form(request, Tour(created_by=request.user))


@tour_editor_required
def tour_edit(request, slug):
    return _tour_form(request, get_object_or_404(Tour, slug=slug))


@require_POST
@admin_required
def tour_film(request, slug):
    """Queue the tour as a film (one a network it visits) and go to its page."""
    tour = get_object_or_404(Tour, slug=slug)
    try:
        films = storyboards.tour_films(tour, request.user)
    except storyboards.StoryboardError as exc:
        return _tour_page(request, tour, 1, film_error=str(exc), status=400)
    try:
        for film in films:
            queue_film(film)
    except RenderingUnavailable as exc:
        for film in films:
            Film.objects.filter(id=film.id).update(error=str(exc)[:300])
    return redirect(films[0]) if len(films) == 1 else redirect("films")


def _tour_page(request, tour: Tour, number: int, film_error: str = "", status: int = 200):
    stops = tour.stops_in_order()
    if stops and not 1 <= number <= len(stops):
        raise Http404("no such stop")
    stills = Still.thumbnails([stop.channel for stop in stops])
    rows = [
        {"number": i, "stop": stop, "still": stills.get(stop.channel_id), "url": _stop_url(tour, i)}
        for i, stop in enumerate(stops, start=1)
    ]
    context = {
        "tour": tour,
        "stops": rows,
        "current": rows[number - 1] if rows else None,
        "previous": rows[number - 2] if number > 1 else None,
        "next": rows[number] if number < len(rows) else None,
        "can_edit": can_edit_tours(request.user),
        "can_film": is_admin(request.user),
        "film_error": film_error,
    }
    return render(request, "catalog/tour.html", context, status=status)


def _stop_url(tour: Tour, number: int) -> str:
    return (
        tour.get_absolute_url() if number == 1 else reverse("tour-stop", args=[tour.slug, number])
    )


def _tour_form(request, tour: Tour):
    form = TourForm(request.POST or None, instance=tour)
    if request.method == "POST" and form.is_valid():
        tour = form.save()
        tour.set_stops(form.cleaned_data["stops"])
        return redirect(tour)
    return render(request, "catalog/tour_form.html", {"form": form, "tour": tour})
