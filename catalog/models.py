"""The atlas as data: networks, their layers and channels, and the cached stills."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, models
from django.urls import reverse
from django.utils import timezone

from renderer.errors import SpecError
from renderer.spec import RenderSpec


class Network(models.Model):
    """A registered network; `arch`, `weights` and `labels_file` say how to load it."""

    name = models.CharField(max_length=100, unique=True)
    arch = models.CharField(max_length=100, blank=True, help_text="torchvision architecture")
    weights = models.CharField(max_length=500, blank=True, help_text="state-dict file")
    labels_file = models.CharField(max_length=500, blank=True)
    weight_hash = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network", args=[self.name])

    def load_kwargs(self) -> dict:
        """Arguments for `renderer.load_network` that load this network."""
        return {
            "name": self.name,
            "weights": self.weights or None,
            "arch": self.arch or None,
            "labels": self.labels_file or None,
        }


class Layer(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField()
    channel_count = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, default="conv")

    class Meta:
        ordering = ["network", "position"]
        constraints = [
            models.UniqueConstraint(fields=["network", "name"], name="unique_layer_name"),
        ]

    def __str__(self) -> str:
        return f"{self.network.name} / {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("layer", args=[self.network.name, self.name])

    def sample_still(self) -> Still | None:
        """A rendered still of this layer to show as its thumbnail, if there is one."""
        return (
            Still.objects.filter(channel__layer=self, status=Still.DONE)
            .order_by("-is_default", "channel__index")
            .first()
        )


class Channel(models.Model):
    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="channels")
    index = models.PositiveIntegerField()
    label = models.CharField(max_length=200, blank=True, help_text="class name for logits")

    class Meta:
        ordering = ["layer", "index"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "index"], name="unique_channel_index"),
        ]

    def __str__(self) -> str:
        return f"{self.layer} : {self.index}"

    @property
    def title(self) -> str:
        base = f"{self.layer.name}:{self.index}"
        return f"{base} ({self.label})" if self.label else base

    def get_absolute_url(self) -> str:
        return reverse("channel", args=[self.layer.network.name, self.layer.name, self.index])

    def spec(self, **overrides) -> RenderSpec:
        """The render spec of this channel: the atlas defaults, then `overrides`."""
        params = {**settings.ATLAS_DEFAULT_STILL, **overrides}
        spec = RenderSpec.from_params(
            network=self.layer.network.name, layer=self.layer.name, channel=self.index, **params
        )
        if spec.channel_b is not None and spec.channel_b >= self.layer.channel_count:
            count = self.layer.channel_count
            raise SpecError("channel_b", f"the layer has channels 0-{count - 1}")
        if spec.objective == "neuron" and self.layer.kind != "conv":
            raise SpecError("objective", "neuron needs a spatial layer, not class logits")
        return spec

    def still_for(self, spec: RenderSpec) -> Still:
        """The still row of `spec`, created (status new) if it does not exist yet."""
        cache_key = spec.cache_key(self.layer.network.weight_hash)
        defaults = {
            "channel": self,
            "spec": spec.to_dict(),
            "is_default": spec == self.spec(),
        }
        try:
            still, _ = Still.objects.get_or_create(spec_hash=cache_key, defaults=defaults)
        except IntegrityError:  # another visitor created it between our read and write
            still = Still.objects.get(spec_hash=cache_key)
        return still


class Still(models.Model):
    """One cached render of one spec, from queued to done (or failed, then retried)."""

    NEW, QUEUED, RUNNING, DONE, FAILED = "new", "queued", "running", "done", "failed"
    STATUSES = [(s, s) for s in (NEW, QUEUED, RUNNING, DONE, FAILED)]

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="stills")
    spec = models.JSONField()
    spec_hash = models.CharField(max_length=64, unique=True)
    is_default = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=STATUSES, default=NEW, db_index=True)
    progress = models.FloatField(default=0.0)
    job_id = models.CharField(max_length=100, blank=True)
    image = models.ImageField(upload_to="stills", blank=True)
    figures = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text="render time per still")

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.channel} [{self.status}]"

    @property
    def is_cached(self) -> bool:
        return self.status == self.DONE and bool(self.image)

    @property
    def is_pending(self) -> bool:
        return self.status in (self.QUEUED, self.RUNNING)

    def render_spec(self) -> RenderSpec:
        return RenderSpec(**self.spec)

    def display_figures(self) -> dict[str, str]:
        """The figures as the channel page shows them ("–" until rendered)."""
        figures, missing = self.figures or {}, "–"
        channels = self.channel.layer.channel_count
        return {
            "objective": f"{figures['objective']:.3f}" if "objective" in figures else missing,
            "rank": f"{figures['rank']} of {channels}" if "rank" in figures else missing,
            "seconds": f"{self.seconds:.1f} s" if self.seconds is not None else missing,
        }

    def status_dict(self) -> dict:
        """What the progress endpoint reports."""
        return {
            "id": self.id,
            "status": self.status,
            "progress": round(self.progress, 3),
            "image": self.image.url if self.is_cached else None,
            "figures": self.figures,
            "display": self.display_figures(),
            "error": self.error,
            "seconds": self.seconds,
        }

    def reset_for_retry(self) -> bool:
        """Make a failed still renderable again; False if it was not failed."""
        updated = Still.objects.filter(id=self.id, status=self.FAILED).update(
            status=self.NEW, error="", progress=0.0, finished_at=None
        )
        self.refresh_from_db()
        return bool(updated)

    def mark_failed(self, error: str) -> None:
        Still.objects.filter(id=self.id).exclude(status=self.DONE).update(
            status=self.FAILED, error=error[:4000], finished_at=timezone.now()
        )
