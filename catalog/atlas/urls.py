from django.urls import path

from catalog.atlas.views import batches, channels, filling, pages, prints, stills

urlpatterns = [
    path("", pages.home, name="home"),
    path("stills.json", filling.home_stills, name="home-stills"),
    path("about/", pages.about, name="about"),
    path("search/", pages.search, name="search"),
    path("classes/<path:label>/", pages.class_detail, name="class"),
    path("batches/", batches.batch_list, name="batches"),
    path("batches/<int:batch_id>/", batches.batch_detail, name="batch"),
    path("batches/<int:batch_id>/status.json", batches.batch_status, name="batch-status"),
    path("batches/<int:batch_id>/cancel/", batches.batch_cancel, name="batch-cancel"),
    path("batches/<int:batch_id>/retry/", batches.batch_retry, name="batch-retry"),
    path("stills/<int:still_id>/status.json", stills.still_status, name="still-status"),
    path("stills/<int:still_id>/image.png", stills.still_image, name="still-image"),
    path("stills/<int:still_id>/clip.mp4", stills.still_video, name="still-video"),
    path("stills/<int:still_id>/thumb.png", stills.still_thumbnail, name="still-thumbnail"),
    path("stills/<int:still_id>/download.png", stills.still_download, name="still-download"),
    path("n/<str:network>/", pages.network_detail, name="network"),
    path("n/<str:network>/stills.json", filling.network_stills, name="network-stills"),
    path("n/<str:network>/<str:layer>/", pages.layer_detail, name="layer"),
    path("n/<str:network>/<str:layer>/stills.json", filling.layer_stills, name="layer-stills"),
    path("n/<str:network>/<str:layer>/print/", pages.contact_sheet, name="contact-sheet"),
    path("n/<str:network>/<str:layer>/<int:index>/", channels.channel_detail, name="channel"),
    path(
        "n/<str:network>/<str:layer>/<int:index>/dream/",
        channels.channel_dream,
        name="channel-dream",
    ),
    path(
        "n/<str:network>/<str:layer>/<int:index>/print/",
        prints.channel_print,
        name="channel-print",
    ),
    path(
        "n/<str:network>/<str:layer>/<int:index>/prints.json",
        prints.channel_print_status,
        name="channel-prints",
    ),
]
