"""What curators write: a taxonomy of recurring motifs, and annotated channels."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from catalog.atlas.models import Channel, Still
from catalog.curation.notes import render_note


class Taxon(models.Model):
    """A kind of recurring motif (dog faces, eyes, fur); taxa form a tree."""

    MAX_DEPTH = 12  # levels of nesting an import may create

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    description = models.TextField(blank=True, help_text="Markdown")
    position = models.PositiveIntegerField(default=0, help_text="order among its siblings")
    featured = models.BooleanField(default=False, help_text="shown on the home page")

    class Meta:
        db_table = "catalog_taxon"  # kept from before the split into apps
        ordering = ["position", "name"]
        verbose_name_plural = "taxa"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("taxon", args=[self.slug])

    def clean(self) -> None:
        if self.parent_id and self.id and self.parent_id in self.subtree_ids():
            raise ValidationError({"parent": "a taxon cannot sit below itself"})

    def ancestors(self) -> list[Taxon]:
        """From the root down to this taxon's parent."""
        chain, seen, parent = [], {self.id}, self.parent
        while parent is not None and parent.id not in seen:  # bad data may hold a cycle
            chain.append(parent)
            seen.add(parent.id)
            parent = parent.parent
        return chain[::-1]

    def subtree_ids(self) -> set[int]:
        """This taxon's id and those of all taxa below it."""
        children: dict[int | None, list[int]] = {}
        for taxon_id, parent_id in Taxon.objects.values_list("id", "parent_id"):
            children.setdefault(parent_id, []).append(taxon_id)
        found, todo = set(), [self.id]
        while todo:
            taxon_id = todo.pop()
            if taxon_id not in found:
                found.add(taxon_id)
                todo.extend(children.get(taxon_id, []))
        return found

    def tagged_channels(self) -> models.QuerySet:
        """Channels of every network tagged with this taxon or one below it."""
        return (
            Channel.objects.filter(annotation__tags__in=self.subtree_ids())
            .select_related("layer__network")
            .order_by("layer__network__name", "layer__position", "index")
            .distinct()
        )

    def tagged_cells(self) -> list[tuple[Channel, Still | None]]:
        """The tagged channels with their thumbnail stills."""
        channels = list(self.tagged_channels())
        thumbnail = Still.thumbnails(channels)
        return [(channel, thumbnail.get(channel.id)) for channel in channels]

    def description_html(self, link=None) -> str:
        return render_note(self.description, link=link)

    @classmethod
    def tree(cls) -> list[tuple[Taxon, int]]:
        """Every taxon with its depth, depth first, siblings in order."""
        taxa = list(cls.objects.annotate(tagged=Count("annotations")))
        children: dict[int | None, list[Taxon]] = {}
        for taxon in taxa:
            children.setdefault(taxon.parent_id, []).append(taxon)
        ordered: list[tuple[Taxon, int]] = []
        seen: set[int] = set()

        # Iterative, with a visited set: a deep or cyclic tree (bad data) never crashes a page.
        def walk(start: list[Taxon]) -> None:
            todo = [(taxon, 0) for taxon in reversed(start)]
            while todo:
                taxon, depth = todo.pop()
                if taxon.id in seen:
                    continue
                seen.add(taxon.id)
                ordered.append((taxon, depth))
                todo.extend((child, depth + 1) for child in reversed(children.get(taxon.id, [])))

        walk(children.get(None, []))
        for taxon in taxa:  # taxa on a cycle of parents reach no root: list them last
            if taxon.id not in seen:
                walk([taxon])
        return ordered


class Annotation(models.Model):
    """A curator's note (Markdown) and tags on a channel; every edit is kept as a revision."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="annotation")
    text = models.TextField(blank=True)
    tags = models.ManyToManyField(Taxon, blank=True, related_name="annotations")
    featured = models.BooleanField(default=False, help_text="shown on the home page")

    class Meta:
        db_table = "catalog_annotation"  # kept from before the split into apps

    def __str__(self) -> str:
        return f"note on {self.channel}"

    def html(self, link=None) -> str:
        """The note as sanitized HTML; `link` rewrites site paths (the static export)."""
        return render_note(self.text, link=link)

    def latest_revision(self) -> AnnotationRevision | None:
        return self.revisions.first()

    @classmethod
    @transaction.atomic
    def revise(cls, channel: Channel, author, text: str, tags) -> AnnotationRevision | None:
        """Set the note and tags of `channel`, keeping the edit in the history.

        Returns the new revision, or None when nothing changed.
        """
        annotation, _ = cls.objects.select_for_update().get_or_create(channel=channel)
        tags = sorted(set(tags), key=lambda taxon: taxon.slug)
        text = text.replace("\r\n", "\n").strip()
        if text == annotation.text and {t.id for t in tags} == set(
            annotation.tags.values_list("id", flat=True)
        ):
            return None
        annotation.text = text
        annotation.save()
        annotation.tags.set(tags)
        return annotation.revisions.create(
            text=text,
            tags=[taxon.slug for taxon in tags],
            author=author,
            author_name=author.get_username() if author else "",
        )


class AnnotationRevision(models.Model):
    """One edit of an annotation: who, when, and the text and tags it left."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="taxon slugs")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # Kept when the user is deleted, and carried through JSON export and import.
    author_name = models.CharField(max_length=150, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "catalog_annotationrevision"  # kept from before the split into apps
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.annotation.channel} by {self.author_name or '?'} at {self.created}"
