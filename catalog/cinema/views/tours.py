"""Tours: the list, a tour stop by stop (public), a curator's form, a staff "render as film"."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog.cinema import storyboards
from catalog.cinema.films import queue_film
from catalog.cinema.forms import TourForm
from catalog.cinema.models import Film, Tour
from catalog.people import admin_required, can_edit_tours, is_admin, tour_editor_required
from catalog.queues import RenderingUnavailable


def tour_list(request):
    tours = Tour.objects.all()
    return render(
        request, "cinema/tours.html", {"tours": tours, "can_edit": can_edit_tours(request.user)}
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
    rows = tour.stop_rows()
    if not 1 <= number <= max(1, len(rows)):
        raise Http404("no such stop")
    context = {
        "tour": tour,
        **Tour.around(rows, number),
        "can_edit": can_edit_tours(request.user),
        "can_film": is_admin(request.user),
        "film_error": film_error,
    }
    return render(request, "cinema/tour.html", context, status=status)


def _tour_form(request, tour: Tour):
    form = TourForm(request.POST or None, instance=tour)
    if request.method == "POST" and form.is_valid():
        tour = form.save()
        tour.set_stops(form.cleaned_data["stops"])
        return redirect(tour)
    return render(request, "cinema/tour_form.html", {"form": form, "tour": tour})
