"""The atlas as data: networks, layers, channels and stills; curation; batch renders; films;
tours."""

from catalog.models.atlas import Channel, Layer, Network, Still
from catalog.models.batches import BatchRender
from catalog.models.curation import Annotation, AnnotationRevision, Taxon
from catalog.models.films import Film
from catalog.models.tours import Tour, TourStop

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
    "Tour",
    "TourStop",
]
