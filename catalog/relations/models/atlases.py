"""Activation atlases: a layer's activations over a corpus, laid out in 2-D, one feature
visualization per grid cell."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from catalog.atlas.models import Layer
from catalog.corpora.models import Corpus, Frame


class ActivationAtlas(models.Model):
    """One map of `layer` over `corpus`: an N×N grid over the UMAP of its activations."""

    NEW, RUNNING, DONE, FAILED = "new", "running", "done", "failed"
    STATUSES = [(s, s) for s in (NEW, RUNNING, DONE, FAILED)]

    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="activation_atlases")
    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="activation_atlases")
    grid = models.PositiveSmallIntegerField()
    steps = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="pixels of one cell's image")
    status = models.CharField(max_length=10, choices=STATUSES, default=NEW)
    stage = models.CharField(max_length=100, blank=True, help_text="what it is doing now")
    progress = models.FloatField(default=0.0)
    error = models.TextField(blank=True)
    points = models.PositiveIntegerField(default=0, help_text="activation vectors mapped")
    image = models.CharField(max_length=500, blank=True, help_text="the whole map (storage)")
    job_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["layer", "corpus", "grid", "steps", "size"], name="unique_activation_atlas"
            ),
        ]

    def __str__(self) -> str:
        return f"atlas of {self.layer} over {self.corpus.name} ({self.grid}×{self.grid})"

    def get_absolute_url(self) -> str:
        url = reverse("activation-atlas", args=[self.layer.network.name, self.layer.name])
        return f"{url}?corpus={self.corpus.name}&grid={self.grid}"


class AtlasCell(models.Model):
    """One grid cell with enough points: its mean activation's feature visualization,
    the frames whose positions fall in it and the channels its direction excites most."""

    atlas = models.ForeignKey(ActivationAtlas, on_delete=models.CASCADE, related_name="cells")
    x = models.PositiveSmallIntegerField()
    y = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(help_text="activation vectors in the cell")
    image = models.CharField(max_length=500, help_text="the cell's image (storage)")
    frames = models.ManyToManyField(Frame, related_name="atlas_cells", blank=True)
    top_channels = models.JSONField(
        default=list,
        help_text="[[channel index, z]], strongest first: the cell's mean above the corpus's, "
        "in the corpus's standard deviations",
    )

    class Meta:
        ordering = ["atlas", "y", "x"]
        constraints = [
            models.UniqueConstraint(fields=["atlas", "x", "y"], name="unique_atlas_cell"),
        ]

    def __str__(self) -> str:
        return f"cell ({self.x}, {self.y}) of {self.atlas}"
