from django.urls import path

from catalog.curation import views

urlpatterns = [
    path("taxa/", views.taxa, name="taxa"),
    path("taxa/<slug:slug>/", views.taxon_detail, name="taxon"),
    path("n/<str:network>/<str:layer>/<int:index>/annotate/", views.annotate, name="annotate"),
    path("n/<str:network>/<str:layer>/<int:index>/history/", views.history, name="history"),
    path(
        "n/<str:network>/<str:layer>/<int:index>/history/<int:revision_id>/revert/",
        views.revert,
        name="revert",
    ),
]
