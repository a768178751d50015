"""Every app's pages. The atlas's come last: its `n/<network>/<layer>/` would take the
other apps' fixed words (`n/<network>/training/`) for a layer's name."""

from django.urls import include, path

urlpatterns = [
    path("", include("catalog.curation.urls")),
    path("", include("catalog.corpora.urls")),
    path("", include("catalog.cinema.urls")),
    path("", include("catalog.catalogue.urls")),
    path("", include("catalog.relations.urls")),
    path("", include("catalog.atlas.urls")),
]
