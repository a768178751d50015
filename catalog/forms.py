"""Forms: a curator's annotation, and a network an admin registers."""

from django import forms

import renderer
from catalog.models import Network, Taxon


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
        widget=forms.SelectMultiple(attrs={"size": 14}),
    )

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
