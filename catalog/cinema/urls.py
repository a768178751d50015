from django.urls import path

from catalog.cinema.views import films, tours

urlpatterns = [
    path("films/", films.film_list, name="films"),
    path("films/<int:film_id>/", films.film_detail, name="film"),
    path("films/<int:film_id>/status.json", films.film_status, name="film-status"),
    path("films/<int:film_id>/render/", films.film_render, name="film-render"),
    path("films/<int:film_id>/cancel/", films.film_cancel, name="film-cancel"),
    path("tours/", tours.tour_list, name="tours"),
    path("tours/new/", tours.tour_new, name="tour-new"),
    path("tours/<slug:slug>/", tours.tour_detail, name="tour"),
    path("tours/<slug:slug>/<int:number>/", tours.tour_detail, name="tour-stop"),
    path("tours/<slug:slug>/edit/", tours.tour_edit, name="tour-edit"),
    path("tours/<slug:slug>/film/", tours.tour_film, name="tour-film"),
    path("n/<str:network>/<str:layer>/montage/", films.layer_montage, name="layer-montage"),
]
