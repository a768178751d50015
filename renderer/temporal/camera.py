"""A virtual camera over a photograph: clips with a known camera movement.

`film(photo, motion, frames, size)` crops a moving window out of the photograph and scales
it to `size`: a pan moves the window sideways, a tilt up and down, a zoom shrinks (in) or
grows (out) it. Tests and demos use it to make corpora whose true labels are known.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

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

SPEED = 0.03  # of the window's width per frame
ZOOM_STEP = 0.03  # relative change of the window's width per frame
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
