"""The atlas itself: networks, their layers and channels, and the cached stills."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, models
from django.db.models import Q
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

    def layer_cards(self) -> list[tuple[Layer, Still | None]]:
        """Every layer with a rendered still to show as its thumbnail (None if none yet)."""
        return [(layer, layer.sample_still()) for layer in self.layers.all()]

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

    def cells(self, order: str = "index") -> list[tuple[Channel, Still | None]]:
        """Every channel with its thumbnail still; `order="puppyslug"` puts the most
        animal-like stills first (channels without an index last)."""
        channels = list(self.channels.all())
        for channel in channels:
            channel.layer = self
        thumbnail = Still.thumbnails(channels)
        cells = [(channel, thumbnail.get(channel.id)) for channel in channels]
        if order == "puppyslug":
            cells.sort(key=lambda cell: -_puppyslug_of(cell[1]))
        return cells

    def default_stills(self) -> list[Still]:
        """The default still of every channel by index, created (status new) where missing."""
        channels = list(self.channels.all())
        specs = {}
        for channel in channels:
            channel.layer = self
            specs[channel.id] = channel.spec()
        keys = {c.id: specs[c.id].cache_key(self.network.weight_hash) for c in channels}
        Still.objects.bulk_create(
            [
                Still(channel=c, spec=specs[c.id].to_dict(), spec_hash=keys[c.id], is_default=True)
                for c in channels
            ],
            ignore_conflicts=True,
        )
        by_key = Still.objects.in_bulk(list(keys.values()), field_name="spec_hash")
        return [by_key[keys[c.id]] for c in channels]


def _puppyslug_of(still: Still | None) -> float:
    if still is None or still.puppyslug_index is None:
        return -1.0
    return still.puppyslug_index


class ChannelQuerySet(models.QuerySet):
    def search(self, query: str) -> ChannelQuerySet:
        """Channels matching every word of `query` in their title, note or tags.

        A word `block10:3` (or `:3`) names a channel by layer and index; other words match
        a layer or network name exactly, or a class label, note or tag partly.
        """
        found = self
        for word in query.split():
            layer, colon, index = word.rpartition(":")
            if colon and index.isdigit():
                found = found.filter(index=int(index))
                if layer:
                    found = found.filter(layer__name__iexact=layer)
                continue
            found = found.filter(
                Q(layer__name__iexact=word)
                | Q(layer__network__name__iexact=word)
                | Q(label__icontains=word)
                | Q(annotation__text__icontains=word)
                | Q(annotation__tags__name__icontains=word)
                | Q(annotation__tags__slug__iexact=word)
            )
        return found.distinct()


class Channel(models.Model):
    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="channels")
    index = models.PositiveIntegerField()
    label = models.CharField(max_length=200, blank=True, help_text="class name for logits")

    objects = ChannelQuerySet.as_manager()

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

    def neighbours(self) -> dict:
        """The previous and next channel of the layer (None at either end)."""
        siblings = Channel.objects.filter(layer=self.layer)
        return {
            "previous": siblings.filter(index__lt=self.index).order_by("-index").first(),
            "next": siblings.filter(index__gt=self.index).order_by("index").first(),
        }

    def annotation_or_none(self):
        """The channel's annotation, or None if nobody has annotated it."""
        try:
            return self.annotation
        except ObjectDoesNotExist:
            return None

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
    CANCELLED = "cancelled"  # taken off the queue by a cancelled batch; renders when asked
    STATUSES = [(s, s) for s in (NEW, QUEUED, RUNNING, DONE, FAILED, CANCELLED)]

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
    top_classes = models.JSONField(
        default=list, blank=True, help_text="the network's own top classes for this still"
    )
    puppyslug_index = models.FloatField(
        null=True,
        blank=True,
        db_index=True,
        help_text="share of probability on ImageNet's animal classes (ImageNet networks only)",
    )

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

    @classmethod
    def thumbnails(cls, channels) -> dict[int, Still]:
        """Channel id → the still to show for it: its default still if rendered, else the
        first other rendered still."""
        stills = (
            cls.objects.filter(channel__in=channels, status=cls.DONE)
            .select_related("channel__layer")
            .order_by("is_default", "-created")
        )
        return {still.channel_id: still for still in stills}

    def display_classes(self) -> list[tuple[str, str]]:
        """The top classes as the channel page shows them: ("golden retriever", "23%")."""
        return [(top["label"], f"{top['probability']:.0%}") for top in self.top_classes or []]

    def display_figures(self) -> dict[str, str]:
        """The figures as the channel page shows them ("–" until rendered)."""
        figures, missing = self.figures or {}, "–"
        channels = self.channel.layer.channel_count
        return {
            "objective": f"{figures['objective']:.3f}" if "objective" in figures else missing,
            "rank": f"{figures['rank']} of {channels}" if "rank" in figures else missing,
            "seconds": f"{self.seconds:.1f} s" if self.seconds is not None else missing,
            "puppyslug": f"{index:.2f}" if (index := self.puppyslug_index) is not None else missing,
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
            "classes": self.display_classes(),
        }

    def reset_for_retry(self) -> bool:
        """Make a failed (or cancelled) still renderable again; False if it was neither."""
        retryable = (self.FAILED, self.CANCELLED)
        updated = Still.objects.filter(id=self.id, status__in=retryable).update(
            status=self.NEW, error="", progress=0.0, finished_at=None
        )
        self.refresh_from_db()
        return bool(updated)

    def mark_failed(self, error: str) -> None:
        Still.objects.filter(id=self.id).exclude(status=self.DONE).update(
            status=self.FAILED, error=error[:4000], finished_at=timezone.now()
        )
