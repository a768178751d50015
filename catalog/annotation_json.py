"""Annotations as JSON: the taxonomy, and every note with its tags and its whole history.

`dump_annotations()` and `load_annotations(data)` round-trip without loss: channels are
named by network, layer and index (ids differ between databases), taxa by slug, authors
by username (an author unknown here keeps the name, without a user).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from catalog.models import Annotation, AnnotationRevision, Channel, Taxon

FORMAT = "neural-atlas-annotations"
VERSION = 1


class AnnotationDataError(ValueError):
    """The JSON is not annotation data this atlas can import; the message says why."""


def dump_annotations() -> dict:
    """Every taxon (parents first) and every annotation with its history (oldest first)."""
    annotations = Annotation.objects.select_related("channel__layer__network").prefetch_related(
        "tags", "revisions"
    )
    rows = [_annotation_row(a) for a in annotations]
    rows.sort(key=lambda row: (row["network"], row["layer"], row["channel"]))
    return {"format": FORMAT, "version": VERSION, "taxa": _taxa_rows(), "annotations": rows}


def _taxa_rows() -> list[dict]:
    return [
        {
            "slug": taxon.slug,
            "name": taxon.name,
            "parent": taxon.parent.slug if taxon.parent else None,
            "description": taxon.description,
            "position": taxon.position,
        }
        for taxon, _ in Taxon.tree()
    ]


def _annotation_row(annotation: Annotation) -> dict:
    layer = annotation.channel.layer
    revisions = sorted(annotation.revisions.all(), key=lambda r: (r.created, r.id))
    return {
        "network": layer.network.name,
        "layer": layer.name,
        "channel": annotation.channel.index,
        "text": annotation.text,
        "tags": sorted(taxon.slug for taxon in annotation.tags.all()),
        "history": [
            {
                "created": revision.created.isoformat(),
                "author": revision.author_name,
                "text": revision.text,
                "tags": revision.tags,
            }
            for revision in revisions
        ],
    }


@transaction.atomic
def load_annotations(data: dict, skip_missing: bool = False) -> dict[str, int]:
    """Import taxa (by slug) and annotations (replacing those of the same channels).

    All or nothing: a channel this atlas does not have is an error unless `skip_missing`.
    Returns counts of taxa, annotations and revisions imported, and channels skipped.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise AnnotationDataError(f"not a {FORMAT} file")
    if data.get("version") != VERSION:
        raise AnnotationDataError(f"version {data.get('version')!r} unknown (expected {VERSION})")
    taxa = _load_taxa(data.get("taxa", []))
    channels = _channels_of(data.get("annotations", []))
    missing = [row for row in data.get("annotations", []) if _key(row) not in channels]
    if missing and not skip_missing:
        names = ", ".join(f"{r['network']}/{r['layer']}:{r['channel']}" for r in missing[:5])
        raise AnnotationDataError(
            f"{len(missing)} annotated channel(s) are not in this atlas ({names}); register "
            "their networks first, or import with --skip-missing"
        )
    counts = {"taxa": len(taxa), "annotations": 0, "revisions": 0, "skipped": len(missing)}
    users = {user.get_username(): user for user in get_user_model().objects.all()}
    for row in data.get("annotations", []):
        if _key(row) in channels:
            counts["revisions"] += _load_annotation(channels[_key(row)], row, taxa, users)
            counts["annotations"] += 1
    return counts


def _load_taxa(rows: list[dict]) -> dict[str, Taxon]:
    taxa = {}
    for row in rows:
        taxa[row["slug"]], _ = Taxon.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "description": row.get("description", ""),
                "position": row.get("position", 0),
            },
        )
    for row in rows:
        parent = row.get("parent")
        if parent and parent not in taxa:
            taxa[parent] = _existing_taxon(parent)
        Taxon.objects.filter(slug=row["slug"]).update(parent=taxa[parent] if parent else None)
    return taxa


def _existing_taxon(slug: str) -> Taxon:
    taxon = Taxon.objects.filter(slug=slug).first()
    if taxon is None:
        raise AnnotationDataError(f"unknown taxon {slug!r}: it is neither in the file nor here")
    return taxon


def _key(row: dict) -> tuple[str, str, int]:
    return (row["network"], row["layer"], int(row["channel"]))


def _channels_of(rows: list[dict]) -> dict[tuple[str, str, int], Channel]:
    networks = {row["network"] for row in rows}
    channels = Channel.objects.filter(layer__network__name__in=networks).select_related(
        "layer__network"
    )
    return {(c.layer.network.name, c.layer.name, c.index): c for c in channels}


def _load_annotation(channel: Channel, row: dict, taxa: dict[str, Taxon], users: dict) -> int:
    annotation, _ = Annotation.objects.update_or_create(
        channel=channel, defaults={"text": row.get("text", "")}
    )
    tags = [taxa.get(slug) or _existing_taxon(slug) for slug in row.get("tags", [])]
    annotation.tags.set(tags)
    annotation.revisions.all().delete()
    AnnotationRevision.objects.bulk_create(
        AnnotationRevision(
            annotation=annotation,
            created=datetime.fromisoformat(entry["created"]),
            author=users.get(entry.get("author", "")),
            author_name=entry.get("author", ""),
            text=entry.get("text", ""),
            tags=list(entry.get("tags", [])),
        )
        for entry in row.get("history", [])
    )
    return len(row.get("history", []))
