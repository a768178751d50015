"""Curators' pages: a channel's note and tags, its history and reverts; the taxonomy."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog.atlas import showcase
from catalog.atlas.views.lookup import channel_or_404
from catalog.curation import revisions
from catalog.curation.forms import AnnotationForm
from catalog.curation.models import Annotation, AnnotationRevision, Taxon
from catalog.curation.notes import render_note
from catalog.people import can_annotate, curator_required


@curator_required
def annotate(request, network, layer, index):
    channel = channel_or_404(network, layer, index)
    annotation = channel.annotation_or_none()
    if request.method == "POST":
        form = AnnotationForm(request.POST)
        if form.is_valid() and "preview" in request.POST:
            preview = render_note(form.cleaned_data["text"])
            context = {"channel": channel, "form": form, "preview": preview}
            return render(request, "curation/annotate.html", context)
        if form.is_valid():
            data = form.cleaned_data
            Annotation.revise(channel, request.user, data["text"], data["tags"])
            Annotation.objects.filter(channel=channel).update(featured=data["featured"])
            return redirect(channel)
    else:
        initial = (
            {
                "text": annotation.text,
                "tags": list(annotation.tags.all()),
                "featured": annotation.featured,
            }
            if annotation
            else {}
        )
        form = AnnotationForm(initial=initial)
    return render(request, "curation/annotate.html", {"channel": channel, "form": form})


@curator_required
def history(request, network, layer, index):
    channel = channel_or_404(network, layer, index)
    rows = revisions.history_rows(channel.annotation_or_none())
    return render(request, "curation/history.html", {"channel": channel, "revisions": rows})


@require_POST
@curator_required
def revert(request, network, layer, index, revision_id):
    channel = channel_or_404(network, layer, index)
    revision = get_object_or_404(AnnotationRevision, id=revision_id, annotation__channel=channel)
    revisions.revert(channel, request.user, revision)
    return redirect("history", network, layer, index)


def taxa(request):
    return render(request, "curation/taxa.html", {"tree": Taxon.tree()})


def taxon_detail(request, slug):
    taxon = get_object_or_404(Taxon, slug=slug)
    cells = taxon.tagged_cells()
    context = {"taxon": taxon, "cells": cells, "note": taxon.description_html()}
    if not cells and can_annotate(request.user):
        context["candidates"] = showcase.candidate_channels(taxon)
    return render(request, "curation/taxon.html", context)
