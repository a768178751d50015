from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from catalog.atlas.views.stills import media
from catalog.people import LoginView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(settings.MEDIA_URL.lstrip("/") + "<path:path>", media, name="media"),
    path("", include("catalog.urls")),
]
