"""Tours: a curator's ordered walk through channels of any network, a caption at each stop."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse

from catalog.atlas.models import Channel, Still

CAPTION_LENGTH = 200  # a caption is also a film title (`FilmSpec` takes at most 200)


class Tour(models.Model):
    """An ordered list of stops; a page to step through, and a film (one shot a stop)."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "catalog_tour"  # kept from before the split into apps
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tour", args=[self.slug])

    def stops_in_order(self) -> list[TourStop]:
        """The stops with their channels, layers and networks, in the tour's order."""
        return list(self.stops.select_related("channel__layer__network"))

    def stop_url(self, number: int) -> str:
        """The page of stop `number` (from 1); the first stop's is the tour's own page."""
        if number == 1:
            return self.get_absolute_url()
        return reverse("tour-stop", args=[self.slug, number])

    def stop_rows(self) -> list[dict]:
        """Each stop with its number, its page and its channel's default still (or None)."""
        stops = self.stops_in_order()
        stills = Still.thumbnails([stop.channel for stop in stops])
        return [
            {
                "number": number,
                "stop": stop,
                "still": stills.get(stop.channel_id),
                "url": self.stop_url(number),
            }
            for number, stop in enumerate(stops, start=1)
        ]

    @staticmethod
    def around(rows: list[dict], number: int) -> dict:
        """The current, previous and next of `rows` at stop `number` (None past the ends)."""
        return {
            "stops": rows,
            "current": rows[number - 1] if 1 <= number <= len(rows) else None,
            "previous": rows[number - 2] if 2 <= number <= len(rows) else None,
            "next": rows[number] if 1 <= number < len(rows) else None,
        }

    def set_stops(self, stops: list[tuple[Channel, str]]) -> None:
        """Replace the stops by `stops`, (channel, caption) pairs in the tour's order."""
        with transaction.atomic():
            self.stops.all().delete()
            TourStop.objects.bulk_create(
                TourStop(tour=self, position=position, channel=channel, caption=caption)
                for position, (channel, caption) in enumerate(stops, start=1)
            )


class TourStop(models.Model):
    """One channel of a tour, at `position` (stops are ordered by it, then by id)."""

    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="stops")
    position = models.PositiveIntegerField(default=0)
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="tour_stops")
    caption = models.CharField(max_length=CAPTION_LENGTH, blank=True)

    class Meta:
        db_table = "catalog_tourstop"  # kept from before the split into apps
        ordering = ["tour", "position", "id"]

    def __str__(self) -> str:
        return f"{self.tour}: {self.channel}"
