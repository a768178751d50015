from django.urls import path

from catalog.corpora import training_views, views

urlpatterns = [
    path("corpora/", views.corpus_list, name="corpora"),
    path("corpora/<slug:name>/", views.corpus_detail, name="corpus"),
    path("corpora/<slug:name>/<int:frame_id>/", views.frame_detail, name="frame"),
    path("n/<str:network>/training/", training_views.training_detail, name="training"),
]
