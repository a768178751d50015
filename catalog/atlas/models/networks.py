"""The atlas itself: networks, their layers and channels (their stills: `stills.py`)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, models
from django.db.models import Q
from django.urls import reverse

from catalog.atlas.models.stills import Still
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
        db_table = "catalog_network"  # kept from before the split into apps
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
        db_table = "catalog_layer"  # kept from before the split into apps
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
        db_table = "catalog_channel"  # kept from before the split into apps
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
        """The render spec of this channel: the atlas defaults (a class still's own for
        an image network's logits), then `overrides`."""
        params = {**settings.ATLAS_DEFAULT_STILL, **self._class_still(), **overrides}
        spec = RenderSpec.from_params(
            network=self.layer.network.name, layer=self.layer.name, channel=self.index, **params
        )
        if spec.channel_b is not None and spec.channel_b >= self.layer.channel_count:
            count = self.layer.channel_count
            raise SpecError("channel_b", f"the layer has channels 0-{count - 1}")
        if self.layer.network.arch == "temporal":
            if spec.style != "fourier":
                raise SpecError("style", "a network that sees time renders clips: fourier only")
            if spec.objective != "channel":
                raise SpecError("objective", "a network that sees time takes channel only")
        if spec.objective == "neuron" and self.layer.kind != "conv":
            raise SpecError("objective", "neuron needs a spatial layer, not class logits")
        return spec

    def _class_still(self) -> dict:
        if self.layer.kind == "logits" and self.layer.network.arch != "temporal":
            return settings.ATLAS_CLASS_STILL
        return {}

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
