"""Films and tours as data."""

from catalog.cinema.models.films import Film
from catalog.cinema.models.tours import Tour, TourStop

__all__ = ["Film", "Tour", "TourStop"]
