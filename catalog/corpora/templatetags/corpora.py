"""The dataset examples a channel page shows beside its still."""

from __future__ import annotations

from django import template

from catalog.corpora.models import ClipExample, DatasetExample

register = template.Library()


@register.simple_tag
def dataset_examples_of(channel) -> list[dict]:
    """Per corpus, the channel's top and bottom examples, best first:
    [{"corpus", "top": [...], "bottom": [...]}]."""
    examples = DatasetExample.objects.filter(channel=channel).select_related("frame__corpus")
    by_corpus: dict[int, dict] = {}
    for example in examples.order_by("frame__corpus__name", "side", "rank"):
        corpus = example.frame.corpus
        entry = by_corpus.setdefault(corpus.id, {"corpus": corpus, "top": [], "bottom": []})
        entry[example.side].append(example)
    return list(by_corpus.values())


@register.simple_tag
def clip_examples_of(channel) -> list[dict]:
    """Per corpus, a temporal channel's top and bottom clips, best first."""
    examples = ClipExample.objects.filter(channel=channel).select_related("corpus")
    by_corpus: dict[int, dict] = {}
    for example in examples.order_by("corpus__name", "side", "rank"):
        entry = by_corpus.setdefault(
            example.corpus_id, {"corpus": example.corpus, "top": [], "bottom": []}
        )
        entry[example.side].append(example)
    return list(by_corpus.values())
