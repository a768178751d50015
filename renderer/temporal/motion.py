"""Camera movement of a clip, from the frames alone: still, pan, tilt, zoom.

Each pair of consecutive frames is compared patch by patch with phase correlation
(`skimage.registration.phase_cross_correlation`); the patches' shifts are fitted by a
translation plus an isotropic scale about the centre (d = t + s · p), so a zoom (shifts
growing away from the centre) and a pan (one shift everywhere) are told apart. Directions
are the camera's: when the camera pans right the picture moves left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from skimage.registration import phase_cross_correlation

STILL, PAN_LEFT, PAN_RIGHT = "still", "pan left", "pan right"
TILT_UP, TILT_DOWN, ZOOM_IN, ZOOM_OUT = "tilt up", "tilt down", "zoom in", "zoom out"
MOTION_LABELS = (STILL, PAN_LEFT, PAN_RIGHT, TILT_UP, TILT_DOWN, ZOOM_IN, ZOOM_OUT)
# What each movement looks like played backwards.
OPPOSITES = {
    STILL: STILL, PAN_LEFT: PAN_RIGHT, PAN_RIGHT: PAN_LEFT, TILT_UP: TILT_DOWN,
    TILT_DOWN: TILT_UP, ZOOM_IN: ZOOM_OUT, ZOOM_OUT: ZOOM_IN,
}  # fmt: skip
GRID = 3  # patches per side
STILL_BELOW = 0.002  # of the frame's width per frame, at the frame's edge
SUBPIXEL = 10  # phase correlation resolves 1/10 pixel


@dataclass(frozen=True)
class Motion:
    """Mean motion per frame: the picture's shift (fractions of the frame's width, +x
    right, +y down) and its scale change (+ grows: zooming in)."""

    dx: float
    dy: float
    zoom: float

    @property
    def label(self) -> str:
        edge = abs(self.zoom) / 2  # the zoom's shift at the frame's edge, in widths
        if max(abs(self.dx), abs(self.dy), edge) < STILL_BELOW:
            return STILL
        if edge > max(abs(self.dx), abs(self.dy)):
            return ZOOM_IN if self.zoom > 0 else ZOOM_OUT
        if abs(self.dx) >= abs(self.dy):
            return PAN_RIGHT if self.dx < 0 else PAN_LEFT
        return TILT_UP if self.dy > 0 else TILT_DOWN


def grey(frame: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 or float RGB → (H, W) float luminance."""
    frame = np.asarray(frame, dtype=np.float32)
    return frame @ np.array([0.299, 0.587, 0.114], dtype=np.float32) if frame.ndim == 3 else frame


def pair_motion(before: np.ndarray, after: np.ndarray) -> tuple[float, float, float]:
    """(dx, dy, scale) from `before` to `after` (grey frames): shifts in pixels, scale
    as the relative growth per frame."""
    height, width = before.shape
    patch_h, patch_w = height // 2, width // 2
    rows, targets = [], []
    for top in np.linspace(0, height - patch_h, GRID).round().astype(int):
        for left in np.linspace(0, width - patch_w, GRID).round().astype(int):
            window = (slice(top, top + patch_h), slice(left, left + patch_w))
            shift, _, _ = phase_cross_correlation(
                before[window], after[window], upsample_factor=SUBPIXEL, normalization=None
            )
            # `shift` registers `after` onto `before`: the picture moved by its opposite.
            moved_y, moved_x = -shift
            centre_x = left + patch_w / 2 - width / 2
            centre_y = top + patch_h / 2 - height / 2
            rows += [[1, 0, centre_x], [0, 1, centre_y]]
            targets += [moved_x, moved_y]
    (dx, dy, scale), *_ = np.linalg.lstsq(np.array(rows), np.array(targets), rcond=None)
    return float(dx), float(dy), float(scale)


def estimate_motion(frames: Sequence[np.ndarray]) -> Motion:
    """The clip's mean motion per frame (at least two frames)."""
    if len(frames) < 2:
        raise ValueError(f"motion needs at least 2 frames, got {len(frames)}")
    greys = [grey(frame) for frame in frames]
    width = greys[0].shape[1]
    moves = np.array([pair_motion(a, b) for a, b in zip(greys[:-1], greys[1:], strict=True)])
    dx, dy, scale = np.median(moves, axis=0)
    return Motion(round(dx / width, 5), round(dy / width, 5), round(scale, 5))


def motion_label(frames: Sequence[np.ndarray]) -> str:
    """One of `MOTION_LABELS` for the clip."""
    return estimate_motion(frames).label
