"""The atlas as data: networks, layers, channels and stills; curation; batch renders; films;
tours; corpora and dataset examples."""

from catalog.models.atlas import Channel, Layer, Network, Still
from catalog.models.batches import BatchRender
from catalog.models.corpora import Corpus, DatasetExample, Frame, FrameScan, SourceFile
from catalog.models.curation import Annotation, AnnotationRevision, Taxon
from catalog.models.films import Film
from catalog.models.tours import Tour, TourStop

__all__ = [
    "Annotation",
    "AnnotationRevision",
    "BatchRender",
    "Channel",
    "Corpus",
    "DatasetExample",
    "Film",
    "Frame",
    "FrameScan",
    "Layer",
    "Network",
    "SourceFile",
    "Still",
    "Taxon",
    "Tour",
    "TourStop",
]
