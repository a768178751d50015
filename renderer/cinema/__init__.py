"""Cinema: films of feature visualizations, a sequence of shots rendered frame by frame.

from renderer import load_network
from renderer.cinema import FilmSpec, render_film
film = FilmSpec.load("docs/films/tour.json")
report = render_film(load_network(film.network), film, "film.mp4", "media/frames")
"""

from renderer.cinema.film import render_film
from renderer.cinema.spec import FilmSpec, FilmSpecError, ShotSpec

__all__ = ["FilmSpec", "FilmSpecError", "ShotSpec", "render_film"]
