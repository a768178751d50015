"""Easing curves: how a shot's progress (0 → 1) is spread over its frames.

An easing maps the linear time of a shot, t in [0, 1], to its progress: the share of the
zoom travelled, of the pan's distance covered, of the transition's weight moved to the
second channel.
"""

from __future__ import annotations

from collections.abc import Callable

Easing = Callable[[float], float]


def linear(t: float) -> float:
    return t


def ease_in(t: float) -> float:
    return t * t * t


def ease_out(t: float) -> float:
    return 1 - (1 - t) ** 3


def ease_in_out(t: float) -> float:
    """Smootherstep: zero speed and acceleration at both ends."""
    return t * t * t * (t * (6 * t - 15) + 10)


EASINGS: dict[str, Easing] = {
    "linear": linear,
    "ease-in": ease_in,
    "ease-out": ease_out,
    "ease-in-out": ease_in_out,
}


def shot_progress(easing: str, frame: int, frames: int) -> float:
    """The eased progress of frame `frame` of a shot of `frames` frames (0 at the first)."""
    if frames <= 1:
        return 1.0
    return EASINGS[easing](frame / (frames - 1))
