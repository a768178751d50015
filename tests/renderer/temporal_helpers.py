"""Clips with a known camera movement: a virtual camera over scikit-image's photographs."""

from functools import cache

import numpy as np
from PIL import Image
from skimage import data

from renderer.temporal.camera import film
from renderer.temporal.training import Clip

# Photographs that ship with scikit-image (no download); the last ones are held out.
PHOTOGRAPHS = (
    "astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field",
    "camera", "moon", "cat", "brick", "grass", "gravel", "retina", "colorwheel", "coins",
    "clock", "page", "text",
)  # fmt: skip
HELD_OUT = ("coins", "clock", "page", "text")
CAMERA_MOVES = ("pan left", "pan right", "zoom in", "zoom out")


@cache
def photograph(name: str) -> Image.Image:
    pixels = getattr(data, name)()
    if pixels.ndim == 2:
        pixels = np.stack([pixels] * 3, axis=-1)
    return Image.fromarray(pixels[..., :3].astype(np.uint8))


def camera_clips(names, moves=CAMERA_MOVES, per_move=4, frames=8, side=64, seed=0) -> list[Clip]:
    """`per_move` clips of each camera move over each photograph, from random places."""
    rng = np.random.default_rng(seed)
    clips = []
    for name in names:
        for move in moves:
            for _ in range(per_move):
                start = (rng.uniform(0.35, 0.65), rng.uniform(0.35, 0.65))
                shot = film(photograph(name), move, frames, (side, side), start=start)
                clips.append(Clip(np.stack(shot), move, name))
    return clips


def training_photographs() -> list[str]:
    return [name for name in PHOTOGRAPHS if name not in HELD_OUT]
