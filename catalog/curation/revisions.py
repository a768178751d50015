"""A note's history for curators: what each edit changed (a line diff of the text, the tags
added and removed), and reverting to an earlier version as a new edit."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from catalog.atlas.models import Channel
from catalog.curation.models import Annotation, AnnotationRevision, Taxon


@dataclass
class RevisionRow:
    """One revision as the history page shows it, compared with the one before it."""

    revision: AnnotationRevision
    tags: list[str]
    lines: list[tuple[str, str]] = field(default_factory=list)  # ("+"|"-"|" ", text)
    tags_added: list[str] = field(default_factory=list)
    tags_removed: list[str] = field(default_factory=list)


def history_rows(annotation: Annotation | None) -> list[RevisionRow]:
    """The revisions, newest first, each with its changes against the previous one."""
    if annotation is None:
        return []
    revisions = list(annotation.revisions.select_related("author"))
    names = dict(Taxon.objects.values_list("slug", "name"))
    rows = []
    for newer, older in zip(revisions, [*revisions[1:], None], strict=True):
        before_text, before_tags = (older.text, older.tags) if older else ("", [])
        rows.append(
            RevisionRow(
                revision=newer,
                tags=[names.get(slug, slug) for slug in newer.tags],
                lines=_line_diff(before_text, newer.text),
                tags_added=[names.get(s, s) for s in newer.tags if s not in before_tags],
                tags_removed=[names.get(s, s) for s in before_tags if s not in newer.tags],
            )
        )
    return rows


def _line_diff(before: str, after: str) -> list[tuple[str, str]]:
    lines = difflib.ndiff(before.splitlines(), after.splitlines())
    return [(line[0], line[2:]) for line in lines if line[:1] in ("+", "-", " ")]


def revert(channel: Channel, author, revision: AnnotationRevision) -> AnnotationRevision | None:
    """Make `revision`'s text and tags the note's again, as a new revision (None when the
    note already reads so). Tags deleted since are left out."""
    tags = Taxon.objects.filter(slug__in=revision.tags)
    return Annotation.revise(channel, author, revision.text, tags)
