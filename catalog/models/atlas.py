"""The atlas itself: networks, their layers and channels, and the cached stills."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from renderer.errors import SpecError
from renderer.spec import RenderSpec


class Network(models.Model):
    """A registered network; `arch`, `weights` and `labels_file` say how to load it, the
    facts (description … accuracy) what it is, filled in when it is registered."""

    name = models.CharField(max_length=100, unique=True)
    arch = models.CharField(
        max_length=100,
        blank=True,
        help_text="torchvision architecture, or 'torchscript' (weights: the TorchScript file)",
    )
    weights = models.CharField(
        max_length=500, blank=True, help_text="state-dict or checkpoint file"
    )
    labels_file = models.CharField(max_length=500, blank=True)
    weight_hash = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True, help_text="where it comes from")
    input_size = models.PositiveIntegerField(null=True, blank=True, help_text="pixels")
    parameter_count = models.PositiveBigIntegerField(null=True, blank=True)
    accuracy = models.CharField(max_length=300, blank=True, help_text="as published")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network", args=[self.name])

    def layer_cards(self) -> list[tuple[Layer, Still | None]]:
        """Every layer with a rendered still to show as its thumbnail (None if none yet)."""
        return [(layer, layer.sample_still()) for layer in self.layers.all()]

    def facts(self) -> list[tuple[str, str]]:
        """What the network page says it is: (term, value) for each fact that is known."""
        rows = [
            ("source", self.source),
            ("input size", f"{self.input_size} × {self.input_size} px" if self.input_size else ""),
            ("parameters", f"{self.parameter_count:,}" if self.parameter_count else ""),
            ("accuracy", self.accuracy),
        ]
        return [(term, value) for term, value in rows if value]

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

    def neighbours(self) -> tuple[Layer | None, Layer | None]:
        """The layers just before and after this one in its network."""
        layers = Layer.objects.filter(network_id=self.network_id).select_related("network")
        return (
            layers.filter(position__lt=self.position).order_by("-position").first(),
            layers.filter(position__gt=self.position).order_by("position").first(),
        )

    def sample_still(self) -> Still | None:
        """A rendered still of this layer to show as its thumbnail, if there is one."""
        return (
            Still.objects.public()
            .filter(channel__layer=self, status=Still.DONE)
            .order_by("channel__index")
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
    def of_class(self, label: str) -> ChannelQuerySet:
        """The class-logit channels labelled `label`, in every network."""
        return (
            self.filter(layer__kind="logits", label=label)
            .select_related("layer__network")
            .order_by("layer__network__name", "index")
        )

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

    def class_url(self) -> str:
        """The page of this class across networks (logit channels with a label only)."""
        return reverse("class", args=[self.label]) if self.is_class else ""

    @property
    def is_class(self) -> bool:
        return self.layer.kind == "logits" and bool(self.label)

    def same_class_elsewhere(self) -> list[Channel]:
        """The same class (same label) in the other networks' logits."""
        if not self.is_class:
            return []
        return list(Channel.objects.of_class(self.label).exclude(layer=self.layer))

    @classmethod
    def shared_class_labels(cls) -> list[str]:
        """The class labels that more than one network's logits have."""
        shared = (
            cls.objects.filter(layer__kind="logits")
            .exclude(label="")
            .values("label")
            .annotate(networks=models.Count("layer__network", distinct=True))
            .filter(networks__gt=1)
        )
        return sorted(shared.values_list("label", flat=True))

    @classmethod
    def class_cells(cls, label: str) -> list[tuple[Channel, Still | None]]:
        """Every network's channel of the class `label`, with its thumbnail still."""
        channels = list(cls.objects.of_class(label))
        thumbnail = Still.thumbnails(channels)
        return [(channel, thumbnail.get(channel.id)) for channel in channels]

    def neighbours(self) -> dict:
        """The previous and next channel, across layer edges (stem's last channel, then
        block0:0), and the previous and next layer; None past the network's ends."""
        siblings = Channel.objects.filter(layer=self.layer).select_related("layer__network")
        previous = siblings.filter(index__lt=self.index).order_by("-index").first()
        following = siblings.filter(index__gt=self.index).order_by("index").first()
        before, after = self.layer.neighbours()
        if previous is None and before is not None:
            previous = before.channels.select_related("layer__network").order_by("-index").first()
        if following is None and after is not None:
            following = after.channels.select_related("layer__network").order_by("index").first()
        return {
            "previous": previous,
            "next": following,
            "previous_layer": before,
            "next_layer": after,
        }

    def annotation_or_none(self):
        """The channel's annotation, or None if nobody has annotated it."""
        try:
            return self.annotation
        except ObjectDoesNotExist:
            return None

    def still_for(self, spec: RenderSpec, origin: str = "atlas") -> Still:
        """The still row of `spec`, created (status new) if it does not exist yet;
        `origin` says who asked for a variant ("visitor" or "staff")."""
        cache_key = spec.cache_key(self.layer.network.weight_hash)
        is_default = spec == self.spec()
        defaults = {
            "channel": self,
            "spec": spec.to_dict(),
            "is_default": is_default,
            "origin": Still.ATLAS if is_default else origin,
        }
        try:
            still, _ = Still.objects.get_or_create(spec_hash=cache_key, defaults=defaults)
        except IntegrityError:  # another visitor created it between our read and write
            still = Still.objects.get(spec_hash=cache_key)
        return still


class StillQuerySet(models.QuerySet):
    """Every change of a still's status: the one place that writes it.

    Each transition is a conditional update, so it happens once however many web
    processes and workers try it at the same time; each returns how many rows changed.
    Life of a still: new → queued → running → done, or failed / cancelled → (reset) new.
    """

    def queue(self, job_id: str, queue_name: str) -> int:
        """new or cancelled → queued in the job `job_id` on `queue_name`."""
        return self.filter(status__in=(Still.NEW, Still.CANCELLED)).update(
            status=Still.QUEUED,
            job_id=job_id,
            queue=queue_name,
            queued_at=timezone.now(),
            attempts=F("attempts") + 1,
        )

    def move_to_job(self, old_job_id: str, job_id: str, queue_name: str) -> int:
        """queued in `old_job_id` (lost, or waiting behind a batch) → queued in `job_id`.

        Conditional on the old job id: of many requests that find the same lost job,
        exactly one moves the still (and enqueues the new job)."""
        return self.filter(status=Still.QUEUED, job_id=old_job_id).update(
            job_id=job_id, queue=queue_name, queued_at=timezone.now(), attempts=F("attempts") + 1
        )

    def unqueue(self, job_id: str) -> int:
        """queued in `job_id` → new (the job never reached Redis)."""
        return self.filter(status=Still.QUEUED, job_id=job_id).update(status=Still.NEW, job_id="")

    def claim(self) -> int:
        """queued (or new, when rendered in-process) → running: a worker claims it.

        Conditional on the status, so of many workers (on many machines) one claims it."""
        now = timezone.now()
        return self.filter(status__in=(Still.QUEUED, Still.NEW)).update(
            status=Still.RUNNING, started_at=now, heartbeat_at=now, progress=0.0,
            rendered_by=settings.ATLAS_WORKER_NAME[:100],
        )  # fmt: skip

    def beat(self, progress: float | None = None) -> int:
        """A running still is alive (and, with `progress`, this far along)."""
        fields = {"heartbeat_at": timezone.now()}
        if progress is not None:
            fields["progress"] = progress
        return self.filter(status=Still.RUNNING).update(**fields)

    def finish(self, **fields) -> int:
        """→ done, with the image and figures in `fields`."""
        return self.update(
            status=Still.DONE, progress=1.0, error="", error_detail="",
            finished_at=timezone.now(), **fields,
        )  # fmt: skip

    def fail(self, error: str, detail: str = "") -> int:
        """Anything but done → failed: `error` is public, `detail` (a traceback) staff-only."""
        return self.exclude(status=Still.DONE).update(
            status=Still.FAILED,
            error=error[:1000],
            error_detail=detail[:8000],
            finished_at=timezone.now(),
        )

    def reset(self) -> int:
        """failed or cancelled → new: renderable again."""
        return self.filter(status__in=(Still.FAILED, Still.CANCELLED)).update(
            status=Still.NEW, error="", error_detail="", progress=0.0, finished_at=None, deaths=0
        )

    def cancel(self) -> int:
        """new or queued → cancelled (a running still finishes)."""
        return self.filter(status__in=(Still.NEW, Still.QUEUED)).update(
            status=Still.CANCELLED, job_id="", progress=0.0
        )

    def stale(self, seconds: float) -> StillQuerySet:
        """Running stills whose render process has not been heard of for `seconds`."""
        since = timezone.now() - timedelta(seconds=seconds)
        return self.filter(status=Still.RUNNING, heartbeat_at__lt=since)

    def recover(self, reason: str, max_deaths: int) -> tuple[list[int], list[int]]:
        """Running stills whose render process died → new again (to be queued), or failed
        once they have died `max_deaths` times. Returns (renewed ids, failed ids)."""
        renewed, failed = [], []
        for still_id, deaths in self.filter(status=Still.RUNNING).values_list("id", "deaths"):
            row = Still.objects.filter(id=still_id, status=Still.RUNNING)
            if deaths + 1 >= max_deaths:
                message = f"the render process died {deaths + 1} times ({reason})"
                if row.update(deaths=deaths + 1) and row.fail(message):
                    failed.append(still_id)
            elif row.update(status=Still.NEW, job_id="", progress=0.0, deaths=deaths + 1):
                renewed.append(still_id)
        return renewed, failed

    def public(self) -> StillQuerySet:
        """The stills of the atlas itself: default stills (never a visitor's variant)."""
        return self.filter(is_default=True)

    def pending(self) -> StillQuerySet:
        return self.filter(status__in=(Still.NEW, Still.QUEUED, Still.RUNNING))


class Still(models.Model):
    """One cached render of one spec, from queued to done (or failed, then retried).

    Default stills are the atlas; any other spec is a variant, visible only to the
    visitors (sessions) who asked for it and to staff. Status changes go through
    `Still.objects` (`StillQuerySet`).
    """

    NEW, QUEUED, RUNNING, DONE, FAILED = "new", "queued", "running", "done", "failed"
    CANCELLED = "cancelled"  # taken off the queue by a cancelled batch; renders when asked
    STATUSES = [(s, s) for s in (NEW, QUEUED, RUNNING, DONE, FAILED, CANCELLED)]
    ATLAS, VISITOR, STAFF = "atlas", "visitor", "staff"
    ORIGINS = [(s, s) for s in (ATLAS, VISITOR, STAFF)]

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="stills")
    spec = models.JSONField()
    spec_hash = models.CharField(max_length=64, unique=True)
    is_default = models.BooleanField(default=False)
    origin = models.CharField(max_length=10, choices=ORIGINS, default=ATLAS, db_index=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=NEW, db_index=True)
    progress = models.FloatField(default=0.0)
    job_id = models.CharField(max_length=100, blank=True)
    queue = models.CharField(max_length=20, blank=True, help_text="the RQ queue of its job")
    attempts = models.PositiveIntegerField(default=0, help_text="times it was queued")
    deaths = models.PositiveIntegerField(default=0, help_text="render processes that died")
    rendered_by = models.CharField(
        max_length=100, blank=True, help_text="the worker (ATLAS_WORKER_NAME) that claimed it"
    )
    image = models.ImageField(upload_to="stills", blank=True)
    figures = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    error_detail = models.TextField(blank=True, help_text="traceback, for staff")
    created = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
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

    objects = StillQuerySet.as_manager()

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

    @property
    def is_public(self) -> bool:
        return self.is_default

    @property
    def image_url(self) -> str | None:
        """Where a browser gets the image: the media URL of an atlas still, a checked
        view for a variant."""
        if not self.is_cached:
            return None
        return self.image.url if self.is_public else reverse("still-image", args=[self.id])

    def render_spec(self) -> RenderSpec:
        return RenderSpec(**self.spec)

    @classmethod
    def thumbnails(cls, channels) -> dict[int, Still]:
        """Channel id → its rendered default still (variants are never thumbnails)."""
        stills = (
            cls.objects.public()
            .filter(channel__in=channels, status=cls.DONE)
            .select_related("channel__layer")
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

    def status_dict(self, position: int | None = None) -> dict:
        """What the progress endpoint reports (never a traceback: that is for staff)."""
        return {
            "id": self.id,
            "status": self.status,
            "progress": round(self.progress, 3),
            "position": position,
            "image": self.image_url,
            "figures": self.figures,
            "display": self.display_figures(),
            "error": self.error,
            "seconds": self.seconds,
            "classes": self.display_classes(),
        }

    def reset_for_retry(self) -> bool:
        """Make a failed (or cancelled) still renderable again; False if it was neither."""
        updated = Still.objects.filter(id=self.id).reset()
        self.refresh_from_db()
        return bool(updated)

    def mark_failed(self, error: str, detail: str = "") -> None:
        Still.objects.filter(id=self.id).fail(error, detail)
