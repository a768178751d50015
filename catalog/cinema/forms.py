"""A tour as a form: its stops written one a line."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.utils.text import slugify

from catalog.atlas.models import Channel
from catalog.cinema.models import Tour
from catalog.cinema.models.tours import CAPTION_LENGTH


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
