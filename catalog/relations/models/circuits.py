"""Circuits: the signed links between the channels of adjacent layers, over a corpus."""

from __future__ import annotations

from django.db import models

from catalog.atlas.models import Channel, Layer
from catalog.corpora.models import Corpus


class CircuitScan(models.Model):
    """How far the links from `source` (a layer) into `target` (the next) have read
    `corpus`: the running sums of the attribution and the frames read, saved at every
    checkpoint, so a killed run resumes and a grown corpus adds only its new frames."""

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="circuit_scans")
    source = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="circuit_scans")
    frame_ids = models.JSONField(default=list, help_text="the frames read so far")
    sums = models.BinaryField(help_text="(C source, C target) float64 sums, as .npy bytes")
    top = models.PositiveSmallIntegerField(default=0, help_text="links kept per channel")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["corpus", "source", "target"], name="unique_circuit_scan"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.name} → {self.target.name} over {self.corpus.name}"


class CircuitLinkQuerySet(models.QuerySet):
    def inputs_of(self, channel: Channel):
        """The channel's strongest inputs, strongest first."""
        return (
            self.filter(target=channel, input_rank__isnull=False)
            .select_related("source__layer__network")
            .order_by("corpus__name", "input_rank")
        )

    def outputs_of(self, channel: Channel):
        """The channels it drives most, strongest first."""
        return (
            self.filter(source=channel, output_rank__isnull=False)
            .select_related("target__layer__network")
            .order_by("corpus__name", "output_rank")
        )


class CircuitLink(models.Model):
    """`source` (a channel of the layer before) drives `target` by `weight` on the
    corpus's frames (gradient × activation: > 0 excites, < 0 inhibits). A link is kept
    when it is among the target's `top` inputs (`input_rank`) or the source's `top`
    outputs (`output_rank`), 1 for the strongest by |weight|."""

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="circuit_links")
    source = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="output_links")
    target = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="input_links")
    weight = models.FloatField()
    input_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    output_rank = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = CircuitLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["corpus", "source", "target"], name="unique_circuit_link"
            ),
        ]
        indexes = [models.Index(fields=["target", "input_rank"])]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}: {self.weight:+.3g}"

    @property
    def excites(self) -> bool:
        return self.weight > 0
