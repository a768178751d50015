from django.urls import path

from catalog import views

urlpatterns = [
    path("", views.home, name="home"),
    path("stills/<int:still_id>/status.json", views.still_status, name="still-status"),
    path("n/<str:network>/", views.network_detail, name="network"),
    path("n/<str:network>/<str:layer>/", views.layer_detail, name="layer"),
    path("n/<str:network>/<str:layer>/<int:index>/", views.channel_detail, name="channel"),
    path(
        "n/<str:network>/<str:layer>/<int:index>/dream/",
        views.channel_dream,
        name="channel-dream",
    ),
]
