"""A virtual camera over a photograph: clips with a known camera movement.

`film(photo, motion, frames, size)` crops a moving window out of the photograph and scales
it to `size`: a pan moves the window sideways, a tilt up and down, a zoom shrinks (in) or
grows (out) it. `camera_clips` films scikit-image's photographs (they ship with it, no
download): tests, benchmarks and demos use it to make clips whose true labels are known.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image
from skimage import data

from renderer.temporal.motion import (
    MOTION_LABELS,
    PAN_LEFT,
    PAN_RIGHT,
    STILL,
    TILT_DOWN,
    TILT_UP,
    ZOOM_IN,
    ZOOM_OUT,
)
from renderer.temporal.training import Clip

SPEED = 0.03  # of the window's width per frame
ZOOM_STEP = 0.03  # relative change of the window's width per frame
# Photographs that ship with scikit-image; the last four are kept for held-out checks.
PHOTOGRAPHS = (
    "astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field",
    "camera", "moon", "cat", "brick", "grass", "gravel", "retina", "colorwheel", "coins",
    "clock", "page", "text",
)  # fmt: skip
HELD_OUT = ("coins", "clock", "page", "text")
CAMERA_MOVES = (PAN_LEFT, PAN_RIGHT, ZOOM_IN, ZOOM_OUT)
_PAN = {PAN_LEFT: (-1, 0), PAN_RIGHT: (1, 0), TILT_UP: (0, -1), TILT_DOWN: (0, 1)}


def film(
    photo: Image.Image,
    motion: str,
    frames: int,
    size: tuple[int, int],
    start: tuple[float, float] = (0.5, 0.5),
    speed: float = SPEED,
) -> list[np.ndarray]:
    """`frames` (H, W, 3) uint8 frames of `size` (width, height) of a camera doing
    `motion` over `photo`, its window centred at `start` (fractions of the photo) first."""
    if motion not in MOTION_LABELS:
        raise ValueError(f"motion must be one of {', '.join(MOTION_LABELS)}, not {motion!r}")
    photo = photo.convert("RGB")
    aspect = size[1] / size[0]
    room = min(photo.width, photo.height / aspect)
    width = room * 0.55
    travel = speed * width * (frames - 1)
    centre_x = photo.width * start[0]
    centre_y = photo.height * start[1]
    step_x, step_y = _PAN.get(motion, (0, 0))
    # Start where the whole move stays inside the photo.
    centre_x -= step_x * travel / 2
    centre_y -= step_y * travel / 2
    shots = []
    for t in range(frames):
        grow = {ZOOM_IN: (1 - ZOOM_STEP) ** t, ZOOM_OUT: (1 - ZOOM_STEP) ** (frames - 1 - t)}
        w = width * grow.get(motion, 1.0)
        h = w * aspect
        x = centre_x + step_x * speed * width * t
        y = centre_y + step_y * speed * width * t
        box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        shot = photo.transform(size, Image.Transform.EXTENT, box, Image.Resampling.BICUBIC)
        shots.append(np.asarray(shot))
    if motion == STILL:
        return [shots[0].copy() for _ in shots]
    return shots


@cache
def photograph(name: str) -> Image.Image:
    """One of scikit-image's photographs as RGB."""
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
