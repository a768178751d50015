"""Activation atlases in the static catalogue: the atlas page of every layer with a done
atlas (the one its page shows), with the map, the cells, their frames' thumbnails and
their channels' stills copied beside it."""

from __future__ import annotations

from django.urls import reverse

from catalog.atlas.models import Layer
from catalog.relations.atlases import shown_atlas
from catalog.relations.models import ActivationAtlas
from catalog.relations.views.atlases import atlas_context


def write_activation_atlases(site) -> None:
    """Write the atlas pages through `site` (a `catalogue._Site`)."""
    done = ActivationAtlas.objects.filter(status=ActivationAtlas.DONE).exclude(image="")
    layers = Layer.objects.filter(id__in=done.values("layer_id")).select_related("network")
    for layer in layers.order_by("network__name", "position"):
        atlas = shown_atlas(layer)
        if atlas is None or not site.media(atlas.image):
            continue
        context = atlas_context(layer, atlas, still=site.still, media=site.media)
        path = reverse("activation-atlas", args=[layer.network.name, layer.name])
        site.page(path, "relations/activation_atlas.html", context)
