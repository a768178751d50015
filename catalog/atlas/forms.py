"""Forms: a visitor's sketch and dream, a network an admin registers."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator

import renderer
from catalog.atlas.models import Network
from catalog.atlas.photos import open_checked
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
