"""Annotations as JSON: the taxonomy, and every note with its tags and its whole history.

`dump_annotations()` and `load_annotations(data)` round-trip without loss: channels are
named by network, layer and index (ids differ between databases), taxa by slug, authors
by username (an author unknown here keeps the name, without a user).

`load_annotations` trusts nothing in the file: every field is checked (types, lengths,
slugs, ranges, that parents and tags exist, that the taxonomy stays a shallow tree) before
anything is written, and an error names the entry, as `taxa[3] (slug '../x'): ...`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core.validators import slug_re
from django.db import transaction

from catalog.atlas.models import Channel
from catalog.curation.models import Annotation, AnnotationRevision, Taxon

FORMAT = "neural-atlas-annotations"
VERSION = 1
MAX_INDEX = 2_147_483_647  # the range of a PositiveIntegerField on every database
MAX_NOTE = 100_000  # characters of a note, a description or a revision's text
NAME_LENGTH = Taxon._meta.get_field("name").max_length
SLUG_LENGTH = Taxon._meta.get_field("slug").max_length
AUTHOR_LENGTH = AnnotationRevision._meta.get_field("author_name").max_length


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

    All or nothing: nothing is written unless every entry is valid (`AnnotationDataError`
    names the first that is not), and a channel this atlas does not have is an error unless
    `skip_missing`. Returns counts of taxa, annotations and revisions imported, and
    channels skipped.
    """
    taxon_rows, annotation_rows = _checked(data)
    channels = _channels_of(annotation_rows)
    missing = [row for row in annotation_rows if _key(row) not in channels]
    if missing and not skip_missing:
        names = ", ".join(f"{r['network']}/{r['layer']}:{r['channel']}" for r in missing[:5])
        raise AnnotationDataError(
            f"{len(missing)} annotated channel(s) are not in this atlas ({names}); register "
            "their networks first, or import with --skip-missing"
        )
    taxa = _load_taxa(taxon_rows)
    counts = {"taxa": len(taxa), "annotations": 0, "revisions": 0, "skipped": len(missing)}
    users = {user.get_username(): user for user in get_user_model().objects.all()}
    for row in annotation_rows:
        if _key(row) in channels:
            counts["revisions"] += _load_annotation(channels[_key(row)], row, users)
            counts["annotations"] += 1
    return counts


def _checked(data) -> tuple[list[dict], list[dict]]:
    """The taxa and annotation rows of `data`, every field checked and defaults filled in."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise AnnotationDataError(f"not a {FORMAT} file")
    if data.get("version") != VERSION:
        raise AnnotationDataError(f"version {data.get('version')!r} unknown (expected {VERSION})")
    for field in ("taxa", "annotations"):
        if not isinstance(data.get(field, []), list):
            raise AnnotationDataError(f"{field} must be a list")
    here = dict(Taxon.objects.values_list("slug", "parent__slug"))
    taxa = [_checked_taxon(i, row) for i, row in enumerate(data.get("taxa", []))]
    _check_unique(taxa, "taxa", lambda row: row["slug"])
    _check_tree(taxa, here)
    known = here.keys() | {row["slug"] for row in taxa}
    rows = data.get("annotations", [])
    annotations = [_checked_annotation(i, row, known) for i, row in enumerate(rows)]
    _check_unique(annotations, "annotations", _key)
    return taxa, annotations


def _checked_taxon(i: int, row) -> dict:
    entry = f"taxa[{i}]"
    if not isinstance(row, dict):
        raise AnnotationDataError(f"{entry}: must be an object")
    entry = f"{entry} (slug {row.get('slug')!r})"
    return {
        "slug": _slug(entry, "slug", row.get("slug")),
        "name": _text(entry, "name", row.get("name"), NAME_LENGTH, required=True),
        "parent": _slug(entry, "parent", row.get("parent") or None, optional=True),
        "description": _text(entry, "description", row.get("description", ""), MAX_NOTE),
        "position": _index(entry, "position", row.get("position", 0)),
    }


def _checked_annotation(i: int, row, known_taxa) -> dict:
    entry = f"annotations[{i}]"
    if not isinstance(row, dict):
        raise AnnotationDataError(f"{entry}: must be an object")
    network = _text(entry, "network", row.get("network"), 100, required=True)
    layer = _text(entry, "layer", row.get("layer"), 100, required=True)
    channel = _index(entry, "channel", row.get("channel"))
    entry = f"{entry} ({network}/{layer}:{channel})"
    tags = _list(entry, "tags", row.get("tags", []))
    for tag in tags:
        if _slug(entry, "tags", tag) not in known_taxa:
            raise AnnotationDataError(
                f"{entry}: unknown taxon {tag!r}: it is neither in the file nor here"
            )
    history = _list(entry, "history", row.get("history", []))
    return {
        "network": network,
        "layer": layer,
        "channel": channel,
        "text": _text(entry, "text", row.get("text", ""), MAX_NOTE),
        "tags": sorted(set(tags)),
        "history": [_checked_revision(f"{entry} history[{j}]", r) for j, r in enumerate(history)],
    }


def _checked_revision(entry: str, row) -> dict:
    if not isinstance(row, dict):
        raise AnnotationDataError(f"{entry}: must be an object")
    created, tags = row.get("created"), row.get("tags", [])
    try:
        created = datetime.fromisoformat(created)
    except (TypeError, ValueError):
        raise AnnotationDataError(f"{entry}: created must be an ISO date and time") from None
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return {
        "created": created,
        "author": _text(entry, "author", row.get("author", ""), AUTHOR_LENGTH),
        "text": _text(entry, "text", row.get("text", ""), MAX_NOTE),
        # Slugs as they were then: a taxon may have gone since, so they need not exist.
        "tags": [_text(entry, "tags", tag, SLUG_LENGTH) for tag in _list(entry, "tags", tags)],
    }


def _slug(entry: str, field: str, value, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not slug_re.match(value) or len(value) > SLUG_LENGTH:
        raise AnnotationDataError(
            f"{entry}: {field} must be a slug (letters, digits, hyphens and underscores, "
            f"at most {SLUG_LENGTH}), not {value!r:.120}"
        )
    return value


def _text(entry: str, field: str, value, length: int, required: bool = False) -> str:
    if not isinstance(value, str) or len(value) > length or (required and not value.strip()):
        kind = "a non-empty text" if required else "a text"
        raise AnnotationDataError(f"{entry}: {field} must be {kind} of at most {length} characters")
    return value


def _index(entry: str, field: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INDEX:
        raise AnnotationDataError(
            f"{entry}: {field} must be a whole number from 0 to {MAX_INDEX}, not {value!r:.40}"
        )
    return value


def _list(entry: str, field: str, value) -> list:
    if not isinstance(value, list):
        raise AnnotationDataError(f"{entry}: {field} must be a list")
    return value


def _check_unique(rows: list[dict], field: str, key) -> None:
    first: dict = {}
    for i, row in enumerate(rows):
        earlier = first.setdefault(key(row), i)
        if earlier != i:
            raise AnnotationDataError(
                f"{field}[{i}]: {key(row)!r} appears twice (also {field}[{earlier}])"
            )


def _check_tree(rows: list[dict], here: dict[str, str | None]) -> None:
    """Every parent exists, and the taxa of the file and those below them sit in a tree at
    most `Taxon.MAX_DEPTH` levels deep, without cycles (a cycle already here is left alone)."""
    entries = {row["slug"]: f"taxa[{i}] (slug {row['slug']!r})" for i, row in enumerate(rows)}
    parents = {**here, **{row["slug"]: row["parent"] for row in rows}}
    for row in rows:
        if row["parent"] is not None and row["parent"] not in parents:
            raise AnnotationDataError(
                f"{entries[row['slug']]}: unknown taxon {row['parent']!r} as parent: "
                "it is neither in the file nor here"
            )
    depth: dict[str, int] = {}
    touched: dict[str, bool] = {}  # in the file, or below a taxon of the file
    for slug in parents:
        path, on_path = [], set()
        while slug is not None and slug not in depth and slug not in on_path:
            path.append(slug)
            on_path.add(slug)
            slug = parents[slug]
        if slug in on_path:
            cycle = path[path.index(slug) :]
            culprit = next((s for s in cycle if s in entries), None)
            if culprit:
                raise AnnotationDataError(
                    f"{entries[culprit]}: parent makes a cycle ({' > '.join(cycle + [slug])})"
                )
            for member in cycle:  # a cycle already here: not this import's doing
                depth[member], touched[member] = 0, False
            path = path[: path.index(slug)]
        for child in reversed(path):
            parent = parents[child]
            depth[child] = depth[parent] + 1 if parent is not None else 0
            touched[child] = child in entries or (parent is not None and touched[parent])
            if touched[child] and depth[child] >= Taxon.MAX_DEPTH:
                who = entries.get(child, f"taxon {child!r} (here, below a taxon of the file)")
                raise AnnotationDataError(
                    f"{who}: nested {depth[child] + 1} levels deep; at most {Taxon.MAX_DEPTH}"
                )


def _load_taxa(rows: list[dict]) -> dict[str, Taxon]:
    taxa = {}
    for row in rows:
        taxa[row["slug"]], _ = Taxon.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "description": row["description"],
                "position": row["position"],
            },
        )
    by_slug = {taxon.slug: taxon for taxon in Taxon.objects.all()}
    for row in rows:
        parent = by_slug[row["parent"]] if row["parent"] else None
        Taxon.objects.filter(slug=row["slug"]).update(parent=parent)
    return taxa


def _key(row: dict) -> tuple[str, str, int]:
    return (row["network"], row["layer"], row["channel"])


def _channels_of(rows: list[dict]) -> dict[tuple[str, str, int], Channel]:
    networks = {row["network"] for row in rows}
    channels = Channel.objects.filter(layer__network__name__in=networks).select_related(
        "layer__network"
    )
    return {(c.layer.network.name, c.layer.name, c.index): c for c in channels}


def _load_annotation(channel: Channel, row: dict, users: dict) -> int:
    annotation, _ = Annotation.objects.update_or_create(
        channel=channel, defaults={"text": row["text"]}
    )
    annotation.tags.set(Taxon.objects.filter(slug__in=row["tags"]))
    annotation.revisions.all().delete()
    AnnotationRevision.objects.bulk_create(
        AnnotationRevision(
            annotation=annotation,
            created=entry["created"],
            author=users.get(entry["author"]),
            author_name=entry["author"],
            text=entry["text"],
            tags=entry["tags"],
        )
        for entry in row["history"]
    )
    return len(row["history"])
