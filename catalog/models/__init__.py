"""The atlas as data: networks, layers, channels and stills; curation; batch renders."""

from catalog.models.atlas import Channel, Layer, Network, Still
from catalog.models.batches import BatchRender
from catalog.models.curation import Annotation, AnnotationRevision, Taxon

__all__ = [
    "Annotation",
    "AnnotationRevision",
    "BatchRender",
    "Channel",
    "Layer",
    "Network",
    "Still",
    "Taxon",
]
