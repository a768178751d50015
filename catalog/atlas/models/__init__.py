"""The atlas as data: networks, layers, channels, stills and batch renders."""

from catalog.atlas.models.batches import BatchRender
from catalog.atlas.models.networks import Channel, Layer, Network
from catalog.atlas.models.stills import Still

__all__ = ["BatchRender", "Channel", "Layer", "Network", "Still"]
