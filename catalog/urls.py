from django.urls import path

from catalog.views import atlas as views
from catalog.views import corpora as views_corpora
from catalog.views import films as views_films
from catalog.views import prints as views_prints
from catalog.views import tours as views_tours
from catalog.views import training as views_training

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("search/", views.search, name="search"),
    path("taxa/", views.taxa, name="taxa"),
    path("taxa/<slug:slug>/", views.taxon_detail, name="taxon"),
    path("classes/<path:label>/", views.class_detail, name="class"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/status.json", views.batch_status, name="batch-status"),
    path("batches/<int:batch_id>/cancel/", views.batch_cancel, name="batch-cancel"),
    path("batches/<int:batch_id>/retry/", views.batch_retry, name="batch-retry"),
    path("films/", views_films.film_list, name="films"),
    path("films/<int:film_id>/", views_films.film_detail, name="film"),
    path("films/<int:film_id>/status.json", views_films.film_status, name="film-status"),
    path("films/<int:film_id>/render/", views_films.film_render, name="film-render"),
    path("films/<int:film_id>/cancel/", views_films.film_cancel, name="film-cancel"),
    path("tours/", views_tours.tour_list, name="tours"),
    path("tours/new/", views_tours.tour_new, name="tour-new"),
    path("tours/<slug:slug>/", views_tours.tour_detail, name="tour"),
    path("tours/<slug:slug>/<int:number>/", views_tours.tour_detail, name="tour-stop"),
    path("tours/<slug:slug>/edit/", views_tours.tour_edit, name="tour-edit"),
    path("tours/<slug:slug>/film/", views_tours.tour_film, name="tour-film"),
    path("corpora/", views_corpora.corpus_list, name="corpora"),
    path("corpora/<slug:name>/", views_corpora.corpus_detail, name="corpus"),
    path("corpora/<slug:name>/<int:frame_id>/", views_corpora.frame_detail, name="frame"),
    path("export/", views.catalogue_export, name="catalogue-export"),
    path("stills/<int:still_id>/status.json", views.still_status, name="still-status"),
    path("stills/<int:still_id>/image.png", views.still_image, name="still-image"),
    path("stills/<int:still_id>/thumb.png", views.still_thumbnail, name="still-thumbnail"),
    path("stills/<int:still_id>/download.png", views.still_download, name="still-download"),
    path("n/<str:network>/", views.network_detail, name="network"),
    path("n/<str:network>/training/", views_training.training_detail, name="training"),
    path("n/<str:network>/<str:layer>/", views.layer_detail, name="layer"),
    path("n/<str:network>/<str:layer>/print/", views.contact_sheet, name="contact-sheet"),
    path("n/<str:network>/<str:layer>/montage/", views_films.layer_montage, name="layer-montage"),
    path("n/<str:network>/<str:layer>/<int:index>/", views.channel_detail, name="channel"),
    path(
        "n/<str:network>/<str:layer>/<int:index>/dream/",
        views.channel_dream,
        name="channel-dream",
    ),
    path("n/<str:network>/<str:layer>/<int:index>/annotate/", views.annotate, name="annotate"),
    path(
        "n/<str:network>/<str:layer>/<int:index>/print/",
        views_prints.channel_print,
        name="channel-print",
    ),
    path(
        "n/<str:network>/<str:layer>/<int:index>/prints.json",
        views_prints.channel_print_status,
        name="channel-prints",
    ),
    path("n/<str:network>/<str:layer>/<int:index>/history/", views.history, name="history"),
    path(
        "n/<str:network>/<str:layer>/<int:index>/history/<int:revision_id>/revert/",
        views.revert,
        name="revert",
    ),
]
