"""Shots: what each frame of a film optimizes toward, and how the camera moves.

A shot is a kind over channels of one layer:
- `zoom`: each frame is the last one scaled about a centre, then re-optimized toward the
  channel (a feedback zoom);
- `pan`: a canvas wider than the frame whose regions excite the listed channels, blended
  at their borders; the camera travels across it;
- `transition`: from channel `from` to channel `to`, the weights eased over the shot, with
  a low-resolution tensor shared by all its frames (aligned interpolation);
- `hold`: the channel's still, gently alive (re-optimized with new random transforms);
- `montage`: N channels side by side, one panel each, zooming in sync.

`plan_frames` turns a film into one `FramePlan` per frame; `targets` says which channels
(and with what weights) an image region at a given place on the canvas maximizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from renderer.cinema.easing import shot_progress
from renderer.cinema.spec import FilmSpec, ShotSpec

PAN_BLEND = 0.5  # share of a pan region, around its borders, blended with its neighbour


@dataclass(frozen=True)
class Layout:
    """How a shot lays out its working canvas: panels side by side, and how wide each
    panel's canvas is, in view widths (a pan's canvas is wider than what is seen)."""

    panels: int = 1
    canvas_width: float = 1.0


@dataclass(frozen=True)
class FramePlan:
    """One frame: its shot, where it is in the shot and the film, and the camera's move.

    `scale` is this frame's zoom relative to the previous frame (about `centre`, in
    fractions of the panel); `camera` is the left edge of the view on a pan's canvas, as
    a fraction of the distance the camera can travel (0: left end, 1: right end).
    """

    shot: ShotSpec
    frame: int
    frames: int
    number: int
    progress: float
    scale: float
    centre: tuple[float, float]
    camera: float
    previous_camera: float
    steps: int

    @property
    def first_in_shot(self) -> bool:
        return self.frame == 0

    @property
    def layout(self) -> Layout:
        return layout_of(self.shot)


def layout_of(shot: ShotSpec) -> Layout:
    """The canvas layout of a shot."""
    if shot.kind == "montage":
        return Layout(panels=len(shot.params["channels"]))
    if shot.kind == "pan":
        return Layout(canvas_width=float(shot.params["width"]))
    return Layout()


def plan_frames(film: FilmSpec, steps: int | None = None) -> list[FramePlan]:
    """Every frame of `film`, in order; `steps` overrides the steps of every frame."""
    plans: list[FramePlan] = []
    for shot in film.shots:
        frames = film.frames_of(shot)
        per_frame = steps or shot.steps or film.steps
        for frame in range(frames):
            plans.append(_frame_plan(shot, frame, frames, len(plans), per_frame))
    return plans


def _frame_plan(shot: ShotSpec, frame: int, frames: int, number: int, steps: int) -> FramePlan:
    progress = shot_progress(shot.easing, frame, frames)
    scale, centre, camera, previous = 1.0, (0.5, 0.5), 0.0, 0.0
    if shot.kind in ("zoom", "montage"):
        # The zoom's logarithm is spread by the easing; linear: `zoom` on every frame.
        ease = shot_progress(shot.easing, frame + 1, frames + 1)
        before = shot_progress(shot.easing, frame, frames + 1)
        scale = math.exp(frames * math.log(shot.params["zoom"]) * (ease - before))
        centre = shot.params.get("centre", (0.5, 0.5))
    if shot.kind == "pan":
        camera = progress
        previous = shot_progress(shot.easing, frame - 1, frames) if frame else 0.0
    return FramePlan(shot, frame, frames, number, progress, scale, centre, camera, previous, steps)


def targets(
    plan: FramePlan, positions: torch.Tensor, panels: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Channels A and B and their weights, per image region (one per batch element).

    `positions` are the regions' centres across their panel's canvas (0: left edge, 1:
    right edge), `panels` their panel indices; all tensors are on the same device.
    """
    shot = plan.shot
    ones = torch.ones_like(positions)
    if shot.kind == "transition":
        a = torch.full_like(panels, shot.params["from"])
        b = torch.full_like(panels, shot.params["to"])
        return a, b, ones * (1 - plan.progress), ones * plan.progress
    if shot.kind == "montage":
        channels = torch.tensor(shot.params["channels"], device=panels.device)
        a = channels[panels]
        return a, a, ones, ones * 0
    if shot.kind == "pan":
        return _pan_targets(shot.params["channels"], positions)
    a = torch.full_like(panels, shot.params["channel"])
    return a, a, ones, ones * 0


def _pan_targets(channels: list[int], positions: torch.Tensor):
    """Each channel owns an equal region of the canvas; neighbours blend at the border."""
    count = len(channels)
    table = torch.tensor(channels, device=positions.device)
    place = positions.clamp(0, 1) * count - 0.5
    low = place.floor().clamp(0, count - 1)
    high = (low + 1).clamp(max=count - 1)
    fraction = (place - place.floor()).where(place >= 0, torch.zeros_like(place))
    blend = ((fraction - (1 - PAN_BLEND) / 2) / PAN_BLEND).clamp(0, 1)
    weight_b = blend * blend * (3 - 2 * blend)
    return table[low.long()], table[high.long()], 1 - weight_b, weight_b
