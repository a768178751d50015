"""Batch renders: an admin renders some layers, or a whole network, in bulk."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone

from catalog.atlas.models.networks import Layer, Network
from catalog.atlas.models.stills import Still


class BatchRender(models.Model):
    """A bulk render of some layers of a network, started by an admin.

    Its counts and status come from its stills; cancelling takes its queued stills off
    the queue (the job skips stills it cannot claim), retrying queues the failed ones.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="batches")
    layers = models.ManyToManyField(Layer, related_name="batches")
    stills = models.ManyToManyField(Still, blank=True, related_name="batches")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created = models.DateTimeField(auto_now_add=True)
    prepared = models.BooleanField(default=False, help_text="its stills are created and queued")
    cancelled = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        db_table = "catalog_batchrender"  # kept from before the split into apps
        ordering = ["-created", "-id"]
        verbose_name = "batch render"

    def __str__(self) -> str:
        return f"batch {self.id}: {self.network} {self.layer_names()}"

    def layer_names(self) -> str:
        """Its layers by name ("stem, block0"; "stem … logits (19 layers)" when many)."""
        if self.pk is None:
            return ""
        names = list(self.layers.order_by("position").values_list("name", flat=True))
        if len(names) > 4:
            return f"{names[0]} … {names[-1]} ({len(names)} layers)"
        return ", ".join(names)

    def get_absolute_url(self) -> str:
        return reverse("batch", args=[self.id])

    def counts(self) -> dict[str, int]:
        """How many of its stills are done, queued, running, failed and cancelled (these add
        up to `total`), and `pending` (queued + running)."""
        by_status = dict(
            self.stills.values_list("status").annotate(n=Count("id")).values_list("status", "n")
        )
        queued = sum(by_status.get(s, 0) for s in (Still.NEW, Still.QUEUED))
        running = by_status.get(Still.RUNNING, 0)
        return {
            "total": sum(by_status.values()),
            "done": by_status.get(Still.DONE, 0),
            "queued": queued,
            "running": running,
            "pending": queued + running,
            "failed": by_status.get(Still.FAILED, 0),
            "cancelled": by_status.get(Still.CANCELLED, 0),
        }

    def status(self, counts: dict | None = None) -> str:
        counts = counts or self.counts()
        if self.error:
            return "error"
        if not self.prepared and not self.cancelled:
            return "preparing"
        if counts["pending"]:
            return "cancelling" if self.cancelled else "running"
        return "cancelled" if self.cancelled else "finished"

    def seconds_left(self, counts: dict | None = None) -> float | None:
        """Time left at the pace of the stills this batch rendered so far (None: no pace yet)."""
        counts = counts or self.counts()
        if not counts["pending"] or self.cancelled:
            return 0.0 if self.prepared else None
        rendered = self.stills.filter(status=Still.DONE, finished_at__gte=self.created)
        pace = rendered.aggregate(n=Count("id"), first=Min("started_at"), last=Max("finished_at"))
        if not pace["n"] or pace["first"] is None:
            return None
        elapsed = (timezone.now() - min(pace["first"], pace["last"])).total_seconds()
        return round(counts["pending"] * elapsed / pace["n"], 1)

    def progress_dict(self) -> dict:
        """What the batch page shows and its status endpoint reports."""
        counts = self.counts()
        finished = counts["done"] + counts["failed"] + counts["cancelled"]
        return {
            "id": self.id,
            "status": self.status(counts),
            **counts,
            "fraction": round(finished / counts["total"], 4) if counts["total"] else 0.0,
            "seconds_left": self.seconds_left(counts),
            "error": self.error,
        }

    def layer_counts(self) -> list[dict]:
        """Done / total per layer, in layer order."""
        rows = (
            self.stills.values("channel__layer__name", "channel__layer__position")
            .annotate(total=Count("id"), done=Count("id", filter=Q(status=Still.DONE)))
            .order_by("channel__layer__position")
        )
        return [
            {"layer": row["channel__layer__name"], "done": row["done"], "total": row["total"]}
            for row in rows
        ]

    def cancel(self) -> int:
        """Stop the batch: its stills not yet running will not render. Returns how many."""
        BatchRender.objects.filter(id=self.id).update(cancelled=True)
        self.cancelled = True
        return Still.objects.filter(batches=self).cancel()
