"""Corpus pages: the corpora, a corpus's frames (searchable by subtitle), one frame with
the channels it excites most."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from catalog.corpora.models import Corpus, Frame

FRAMES_PER_PAGE = 60


def corpus_list(request):
    corpora = Corpus.objects.all()
    return render(request, "corpora/corpora.html", {"corpora": corpora})


def corpus_detail(request, name):
    """A corpus's frames as a grid, a page at a time; `?q=` keeps those whose subtitle
    contains the words."""
    corpus = get_object_or_404(Corpus, name=name)
    query = request.GET.get("q", "").strip()
    frames = corpus.frames_matching(query)
    page = Paginator(frames, FRAMES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"corpus": corpus, "query": query, "page": page, "frames": page.object_list}
    return render(request, "corpora/corpus.html", context)


def frame_detail(request, name, frame_id):
    """One frame: its picture, source, time, subtitle, and what the networks see in it."""
    frame = get_object_or_404(
        Frame.objects.select_related("corpus"), corpus__name=name, id=frame_id
    )
    return render(request, "corpora/frame.html", frame_context(frame))


def frame_context(frame: Frame) -> dict:
    """The frame page's context (the static export renders it too)."""
    return {"frame": frame, "corpus": frame.corpus, "seen": frame.channels_excited()}
