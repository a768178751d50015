"""Activation atlases in films: the `atlas` shot's map, found from the shot's layer,
corpus and grid (the newest done atlas of those), checked when a film spec is and handed
to the renderer when it renders."""

from __future__ import annotations

from django.core.files.storage import default_storage
from PIL import Image

from catalog.atlas.models import Network
from catalog.corpora.models import Corpus
from catalog.relations.atlases import shown_atlas
from catalog.relations.models import ActivationAtlas
from renderer.cinema import FilmSpec, FilmSpecError, ShotSpec


def atlas_of_shot(network: Network, shot: ShotSpec) -> ActivationAtlas:
    """The done atlas an `atlas` shot moves over; `FilmSpecError` naming the shot's
    field when there is none."""
    layer = network.layers.filter(name=shot.layer).first()
    corpus = Corpus.objects.filter(name=shot.params["corpus"]).first()
    if corpus is None:
        raise FilmSpecError(shot.index, "corpus", f"there is no corpus {shot.params['corpus']!r}")
    grid = shot.params["grid"]
    atlas = shown_atlas(layer, corpus, grid=grid) if layer is not None else None
    if atlas is None or atlas.status != ActivationAtlas.DONE:
        raise FilmSpecError(
            shot.index,
            "grid",
            f"no activation atlas of {shot.layer} over {corpus.name} with a {grid}×{grid} "
            f"grid yet: compute it with `python manage.py activation_atlas {network.name} "
            f"{shot.layer} --corpus {corpus.name} --grid {grid}`",
        )
    return atlas


def check_atlas_shots(spec: FilmSpec, network: Network) -> None:
    """Every `atlas` shot of `spec` has its atlas (`FilmSpecError` otherwise)."""
    for shot in spec.shots:
        if shot.kind == "atlas":
            atlas_of_shot(network, shot)


def atlas_pictures(spec: FilmSpec) -> dict[int, Image.Image]:
    """The map of every `atlas` shot of `spec`, by shot index, for `render_film`."""
    shots = [shot for shot in spec.shots if shot.kind == "atlas"]
    if not shots:
        return {}
    network = Network.objects.filter(name=spec.network).first()
    if network is None:
        raise FilmSpecError(None, "network", f"{spec.network!r} is not registered in the atlas")
    pictures = {}
    for shot in shots:
        with default_storage.open(atlas_of_shot(network, shot).image, "rb") as handle:
            pictures[shot.index] = Image.open(handle).convert("RGBA")
    return pictures
