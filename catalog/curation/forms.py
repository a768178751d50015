"""A curator's note and tags on a channel."""

from __future__ import annotations

from django import forms

from catalog.curation.models import Taxon


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
