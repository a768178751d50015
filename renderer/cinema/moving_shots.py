"""Shots of a temporal network's film: its channels' moving images, played.

A `hold` plays one channel's moving image, a `montage` several side by side, each looping
its F frames for the shot's length. The moving images of a shot are rendered once, in one
batch (`renderer.temporal.moving.render_clips`, the film's `first_steps`, at most the
film's working size), when the shot's first uncached frame is needed, then scaled into
the frame: a square per panel, centred, on black.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from renderer.cinema.shots import FramePlan
from renderer.cinema.spec import FilmSpec
from renderer.spec import RenderSpec
from renderer.temporal.moving import render_clips
from renderer.zoo import Network


def shot_channels(plan: FramePlan) -> list[int]:
    shot = plan.shot
    return [shot.params["channel"]] if shot.kind == "hold" else list(shot.params["channels"])


def moving_images(network: Network, film: FilmSpec, plan: FramePlan, screens: int) -> list:
    """The frames of each channel's moving image in the shot: [[PIL frame, …], …]."""
    width, height = film.size[0] * screens, film.size[1]
    channels = shot_channels(plan)
    side = min(height, width // len(channels), film.work)
    side -= side % 2
    specs = [
        RenderSpec(
            network.name,
            plan.shot.layer,
            channel,
            size=side,
            steps=film.first_steps,
            seed=film.seed + i,
            learning_rate=film.learning_rate,
        )
        for i, channel in enumerate(channels)
    ]
    return [result.clip for result in render_clips(network, specs)]


def moving_frame(clips: list, plan: FramePlan, film: FilmSpec, screens: int) -> np.ndarray:
    """Frame `plan.frame` of the shot: each clip's frame at that time, side by side."""
    width, height = film.size[0] * screens, film.size[1]
    picture = Image.new("RGB", (width, height))
    panel = width / len(clips)
    side = min(height, int(panel))
    for i, frames in enumerate(clips):
        frame = frames[plan.frame % len(frames)].resize((side, side), Image.Resampling.LANCZOS)
        left = round(i * panel + (panel - side) / 2)
        picture.paste(frame, (left, (height - side) // 2))
    return np.ascontiguousarray(np.asarray(picture))
