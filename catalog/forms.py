"""Forms: a visitor's sketch and dream, a curator's annotation and tour, a network an admin
registers."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.text import slugify

import renderer
from catalog.models import Channel, Network, Taxon, Tour
from catalog.models.tours import CAPTION_LENGTH
from catalog.photos import open_checked
from renderer.spec import OBJECTIVES, PHOTO_OBJECTIVES, STYLES

OBJECTIVE_HELP = {
    "channel": "excite the whole channel, everywhere in the image",
    "neuron": "excite the channel at the centre of the image only",
    "negative": "suppress the channel: what it answers to least",
    "diversity": "several images, each exciting the channel in its own way",
    "interpolate": "a row of images morphing from this channel into channel B",
    "dream": "amplify this channel in your photograph",
    "dream-layer": "amplify everything the layer sees in your photograph",
}
STYLE_HELP = {
    "fourier": "the atlas's own: smooth colours, optimized as frequencies",
    "pixel": "every pixel free: grainier, harsher contrast",
    "cppn": "a small network paints the image: flowing, organic shapes",
    "transparent": "with an alpha channel: only what matters is opaque",
}
SET_ONLY = {"count": "diversity interpolate", "channel_b": "interpolate"}


class SketchForm(forms.Form):
    """The variant form on a channel page (submitted as a GET query string)."""

    objective = forms.ChoiceField(
        choices=[(o, o) for o in OBJECTIVES if o not in PHOTO_OBJECTIVES],
        help_text="what the image is made to do",
    )
    style = forms.ChoiceField(choices=[(s, s) for s in STYLES], help_text="how the image is drawn")
    seed = forms.IntegerField(
        min_value=0, help_text="another seed, another starting noise, another image"
    )
    steps = forms.IntegerField(
        min_value=1, help_text="optimization steps: more is cleaner and slower"
    )
    size = forms.IntegerField(min_value=16, help_text="the image's side in pixels")
    count = forms.IntegerField(
        min_value=1, required=False, help_text="how many images (diversity and interpolate)"
    )
    channel_b = forms.IntegerField(
        min_value=0,
        required=False,
        label="Channel B",
        help_text="the channel of this layer to morph into (interpolate)",
    )

    def __init__(self, *args, limits: dict[str, int], **kwargs):
        kwargs.setdefault("auto_id", "sketch-%s")
        super().__init__(*args, **kwargs)
        for name, limit in limits.items():
            self.fields[name].widget.attrs["max"] = limit
        for name, objectives in SET_ONLY.items():
            self.fields[name].widget.attrs["data-objectives"] = objectives
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"sketch-{name}-help"
        self.choice_help = {"objective": OBJECTIVE_HELP, "style": STYLE_HELP}

    def with_error(self, field: str, message: str) -> SketchForm:
        """Show the renderer's refusal next to its field (the form keeps what was typed)."""
        self.full_clean()
        if field in self.fields:
            self.errors[field] = self.error_class([message])  # the renderer's words only
            self.fields[field].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"sketch-{field}-error"}
            )
        else:
            self.add_error(None, f"{field}: {message}")
        return self


class DreamForm(forms.Form):
    """Upload a photograph and amplify the channel (or its whole layer) in it."""

    photo = forms.FileField(help_text="PNG, JPEG or WebP")
    objective = forms.ChoiceField(choices=[(o, o) for o in PHOTO_OBJECTIVES])
    steps = forms.IntegerField(min_value=1, initial=32)
    size = forms.IntegerField(min_value=16, initial=128)

    def __init__(self, *args, limits: dict[str, int], **kwargs):
        kwargs.setdefault("auto_id", "dream-%s")
        super().__init__(*args, **kwargs)
        for name in ("steps", "size"):
            self.fields[name].validators.append(MaxValueValidator(limits[name]))
            self.fields[name].widget.attrs["max"] = limits[name]
        self.fields["photo"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp"

    def clean_photo(self):
        """Refused by size, format and pixel count before any pixel is decoded."""
        upload = self.cleaned_data["photo"]
        try:
            open_checked(upload)
        except renderer.SpecError as exc:
            raise forms.ValidationError(exc.message) from exc
        return upload


class TaxonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, taxon: Taxon) -> str:
        return f"{taxon.depth_prefix}{taxon.name}"


class AnnotationForm(forms.Form):
    text = forms.CharField(
        label="Note (Markdown)", required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    tags = TaxonChoiceField(
        queryset=Taxon.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "tag-choice"}),
    )
    featured = forms.BooleanField(required=False, label="Feature this channel on the home page")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The tree's order, each taxon indented by its depth.
        ordered = []
        for taxon, depth in Taxon.tree():
            taxon.depth_prefix = "\u2003" * depth
            ordered.append(taxon)
        field = self.fields["tags"]
        field.queryset = Taxon.objects.all()
        field.choices = [(taxon.pk, field.label_from_instance(taxon)) for taxon in ordered]


class NetworkForm(forms.ModelForm):
    """Registering a network loads it first: bad weights or labels are a form error."""

    class Meta:
        model = Network
        fields = ["name", "arch", "weights", "labels_file"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.loaded = renderer.load_network(
                data["name"],
                data.get("weights") or None,
                data.get("arch") or None,
                data.get("labels_file") or None,
                device="cpu",
            )
        except (renderer.RendererError, OSError, RuntimeError) as exc:
            raise forms.ValidationError(f"could not load {data['name']!r}: {exc}") from exc
        return data


class TourForm(forms.ModelForm):
    """A tour and its stops, one a line: the channel (network/layer/index, or the address
    of its page), then its caption."""

    stops = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90}),
        help_text="One stop a line: network/layer/channel, then the caption; e.g. "
        "efficientnet-lite0/block3/1 Dog snouts. A channel page's address works too.",
    )

    class Meta:
        model = Tour
        fields = ["title", "slug", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4, "cols": 90})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "its address, /tours/<slug>/ (from the title if empty)"
        if self.instance.pk and not self.is_bound:
            self.initial["stops"] = "\n".join(
                f"{stop.channel.layer.network.name}/{stop.channel.layer.name}/"
                f"{stop.channel.index} {stop.caption}".rstrip()
                for stop in self.instance.stops_in_order()
            )

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("title", ""))
        if not slug:
            raise forms.ValidationError("give the tour a title or a slug")
        if slug == "new":
            raise forms.ValidationError("'new' is taken: it is the address of the form")
        return slug

    def clean_stops(self) -> list[tuple[Channel, str]]:
        stops = []
        for number, line in enumerate(self.cleaned_data["stops"].splitlines(), start=1):
            if line.strip():
                stops.append(_tour_stop(number, line.strip()))
        if not stops:
            raise forms.ValidationError("a tour needs at least one stop")
        return stops


def _tour_stop(number: int, line: str) -> tuple[Channel, str]:
    reference, _, caption = line.partition(" ")
    parts = urlsplit(reference).path.strip("/").split("/")
    if parts[:1] == ["n"]:
        parts = parts[1:]
    channel = None
    if len(parts) == 3 and parts[2].isdigit():
        channel = (
            Channel.objects.filter(
                layer__network__name=parts[0], layer__name=parts[1], index=int(parts[2])
            )
            .select_related("layer__network")
            .first()
        )
    if channel is None:
        raise forms.ValidationError(
            f"line {number}: {reference!r} is no channel of the atlas "
            "(write network/layer/channel, e.g. efficientnet-lite0/block3/1)"
        )
    caption = caption.strip()
    if len(caption) > CAPTION_LENGTH:
        raise forms.ValidationError(
            f"line {number}: a caption has at most {CAPTION_LENGTH} characters"
        )
    return channel, caption
