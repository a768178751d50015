"""The corpora in the static catalogue: the list, each corpus's frames, each frame's page,
and the frames' thumbnails and example clips (which the channel pages' dataset examples
show too)."""

from __future__ import annotations

from django.urls import reverse

from catalog.corpora.models import Corpus
from catalog.corpora.views import frame_context


def write_corpora(site) -> None:
    """Write the corpus pages through `site` (a `catalogue._Site`)."""
    corpora = list(Corpus.objects.all())
    site.page(reverse("corpora"), "corpora/corpora.html", {"corpora": corpora})
    for corpus in corpora:
        frames = [f for f in corpus.frames.all() if f.thumbnail and site.media(f.thumbnail.name)]
        context = {"corpus": corpus, "frames": frames, "query": ""}
        site.page(corpus.get_absolute_url(), "corpora/corpus.html", context)
        for frame in frames:
            site.page(frame.get_absolute_url(), "corpora/frame.html", frame_context(frame))
        for name in corpus.clip_examples.values_list("video", flat=True).distinct():
            site.media(name)
