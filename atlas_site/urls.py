from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from catalog.views import media

urlpatterns = [
    path("admin/", admin.site.urls),
    path(settings.MEDIA_URL.lstrip("/") + "<path:path>", media, name="media"),
    path("", include("catalog.urls")),
]
