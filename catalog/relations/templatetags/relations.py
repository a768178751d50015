"""The circuit a channel page shows beside its still: its strongest inputs and outputs."""

from __future__ import annotations

from django import template

from catalog.relations.graph import chosen_corpus, link_rows

register = template.Library()


@register.simple_tag
def circuit_of(channel) -> dict | None:
    """{"corpus", "inputs", "outputs"} over the corpus with the channel's links (the
    sample corpus first); None when no circuit has been computed for it."""
    corpus = chosen_corpus(channel, None)
    if corpus is None:
        return None
    return {"corpus": corpus, **link_rows(channel, corpus)}
