"""The puppyslug taxonomy: the recurring artifacts of feature visualizations.

Seeded into an empty taxonomy after `migrate`; from then on it is the admins' to edit.
Each entry is (slug, name, description, children).
"""

from __future__ import annotations

from django.db import transaction

from catalog.curation.models import Taxon

PUPPYSLUG = [
    (
        "animal-faces",
        "Animal faces",
        "Faces, or parts of faces, that the network paints wherever a channel lets it.",
        [
            ("dog-faces", "Dog faces", "Dogs' and other canids' faces: the puppyslug proper.", []),
            ("cat-faces", "Cat faces", "Cats, big and small.", []),
            ("bird-faces", "Bird faces", "Beaks, round eyes, crests.", []),
            ("reptile-faces", "Reptile faces", "Lizards, snakes, turtles; scaly heads.", []),
            ("amphibian-faces", "Amphibian faces", "Frogs, newts, salamanders.", []),
            ("insect-faces", "Insect faces", "Compound eyes, antennae, mandibles.", []),
            ("fish-faces", "Fish faces", "Fish heads, mouths and gills.", []),
            ("primate-faces", "Human-like faces", "Monkeys, apes and human-like faces.", []),
        ],
    ),
    (
        "eyes",
        "Eyes",
        "Eyes on their own: single, paired, or tiled across the image.",
        [
            ("single-eyes", "Single eyes", "One large eye.", []),
            ("eye-swarms", "Eye swarms", "Many eyes repeated over the still.", []),
        ],
    ),
    (
        "fur-and-feathers",
        "Fur and feathers",
        "Coats and plumage without the animal.",
        [
            ("fur", "Fur", "Short or long hair, often with its pattern.", []),
            ("feathers", "Feathers", "Plumage, quills, down.", []),
            ("scales", "Scales", "Reptile and fish scales, snake skin.", []),
        ],
    ),
    ("snouts", "Snouts", "Noses and muzzles, often dogs', with nostrils.", []),
    ("legs-and-paws", "Legs and paws", "Limbs, paws, claws, insect legs.", []),
    (
        "architecture",
        "Architectural fragments",
        "Pieces of buildings: the man-made counterpart to the animal parts.",
        [
            ("arches", "Arches and vaults", "Round arches, domes, vaulted ceilings.", []),
            ("windows", "Windows and grids", "Window panes, facades, lattices.", []),
            ("columns", "Columns and towers", "Columns, pillars, spires.", []),
        ],
    ),
    (
        "objects",
        "Object parts",
        "Recognisable pieces of man-made things.",
        [
            ("wheels", "Wheels", "Wheels, tyres, round mechanical parts.", []),
            ("text", "Text-like marks", "Letters, digits and glyph-like strokes.", []),
        ],
    ),
    (
        "textures",
        "Textures",
        "Patterns without a thing: what early layers see, and later ones fill space with.",
        [
            ("stripes", "Stripes", "Parallel lines, bands, zebra patterns.", []),
            ("spots", "Spots and dots", "Polka dots, leopard spots, bubbles.", []),
            ("meshes", "Meshes and honeycombs", "Nets, honeycombs, chain-link fences.", []),
            ("curves", "Curves and waves", "Curve detectors, ripples, wavy lines.", []),
            ("colour-fields", "Colour fields", "Colour contrasts and gradients.", []),
        ],
    ),
    ("landscape", "Landscape", "Sky, water, foliage, horizons.", []),
]


@transaction.atomic
def seed_puppyslug_taxonomy() -> int:
    """Add the puppyslug taxa that are missing; returns how many were added."""
    added = 0

    def plant(entries, parent: Taxon | None) -> None:
        nonlocal added
        for position, (slug, name, description, children) in enumerate(entries):
            taxon, created = Taxon.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": description,
                    "parent": parent,
                    "position": position,
                },
            )
            added += created
            plant(children, taxon)

    plant(PUPPYSLUG, None)
    return added
