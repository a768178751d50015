from django.urls import path

from catalog.catalogue import views

urlpatterns = [
    path("export/", views.catalogue_export, name="catalogue-export"),
]
