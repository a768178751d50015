"""The rows a URL names, or a 404 that says which part is unknown."""

from django.shortcuts import get_object_or_404

from catalog.atlas.models import Channel, Layer


def layer_or_404(network: str, layer: str) -> Layer:
    return get_object_or_404(
        Layer.objects.select_related("network"), network__name=network, name=layer
    )


def channel_or_404(network: str, layer: str, index: int) -> Channel:
    return get_object_or_404(
        Channel.objects.select_related("layer__network"),
        layer__network__name=network,
        layer__name=layer,
        index=index,
    )
