from django.urls import path

from catalog.relations.views import atlases, circuits

urlpatterns = [
    path("n/<str:network>/<str:layer>/<int:index>/circuit/", circuits.circuit, name="circuit"),
    path("n/<str:network>/<str:layer>/atlas/", atlases.activation_atlas, name="activation-atlas"),
    path(
        "n/<str:network>/<str:layer>/atlas/status.json",
        atlases.atlas_status,
        name="activation-atlas-status",
    ),
]
