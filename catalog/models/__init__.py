"""The atlas as data: networks, layers, channels and stills; curation; batch renders; films."""

from catalog.models.atlas import Channel, Layer, Network, Still
from catalog.models.batches import BatchRender
from catalog.models.curation import Annotation, AnnotationRevision, Taxon
from catalog.models.films import Film

__all__ = [
    "Annotation",
    "AnnotationRevision",
    "BatchRender",
    "Channel",
    "Film",
    "Layer",
    "Network",
    "Still",
    "Taxon",
]
