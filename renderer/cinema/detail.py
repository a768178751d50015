"""Full-resolution detail: frames larger than the working canvas, at a fixed network cost.

A frame is the working view sampled at full size plus a detail layer. The detail layer is
carried from the last frame, moved as the camera moved (zoomed, or shifted along a pan),
and refined each frame in a few square crops at 1:1, where the network adds the detail
that belongs at that scale (as prints refine tiles). Each crop's residual is feathered
toward its edges, so crops leave no seams; the network's cost per step is that of the
crops, whatever the frame size.
"""

from __future__ import annotations

from functools import partial

import torch

from renderer.cinema.canvas import Geometry, warp
from renderer.cinema.optimize import STEP_STRIDE, FrameObjective
from renderer.cinema.params import FOURIER_GAIN, spectrum_scale
from renderer.cinema.shots import FramePlan
from renderer.styles import decorrelated_rgb
from renderer.transforms import hashed_uniform
from renderer.zoo import Network

DETAIL_CROPS = 4
# Each frame keeps this share of the detail carried in and adds its own, so the detail
# settles instead of growing frame after frame (it grew 6.7× over 12 frames). The film's
# first frame, with nothing carried in, refines OPENING_ROUNDS rounds: measured, 12 frames
# then keep 0.94–1.08 of its detail in a zoom, 1.0–1.29 in a pan (4 rounds: 0.51–0.79).
DETAIL_MEMORY = 0.75
OPENING_ROUNDS = 2
DETAIL_LEARNING_RATE = 0.05
FEATHER = 0.25  # share of a crop's side over which its residual fades out


def move_detail(detail: torch.Tensor, geometry: Geometry, plan: FramePlan) -> torch.Tensor:
    """The last frame's detail layer (3, H, W), moved as this frame's camera moved and
    faded to `DETAIL_MEMORY` of itself."""
    moved = []
    step = geometry.camera_pixels(plan.camera) - geometry.camera_pixels(plan.previous_camera)
    for left, right in geometry.panel_bounds():
        shift = 2 * step / geometry.panel_width
        panel = detail[None, :, :, left:right]
        moved.append(warp(panel, plan.scale, plan.centre, shift, "zeros")[0])
    return torch.cat(moved, dim=-1) * DETAIL_MEMORY


def refine_detail(
    network: Network,
    frame: torch.Tensor,
    geometry: Geometry,
    plan: FramePlan,
    steps: int,
    seed: int,
    rounds: int = 1,
) -> torch.Tensor:
    """Add detail to `frame` (3, H, W) in place, in `rounds` × `DETAIL_CROPS` crops."""
    for round_ in range(rounds):
        _refine_crops(network, frame, geometry, plan, steps, seed, round_)
    return frame


def _refine_crops(network, frame, geometry, plan, steps, seed, round_) -> None:
    side = min(geometry.work_height, geometry.height, geometry.width)
    device = frame.device
    seeds = torch.arange(DETAIL_CROPS, device=device) + seed * 1_000 + 500
    counter = plan.number * STEP_STRIDE + 5_000 + round_ * 1_000  # < the next frame's
    xs = (hashed_uniform(seeds, counter, 40) * (geometry.width - side + 1)).long().tolist()
    ys = (hashed_uniform(seeds, counter, 41) * (geometry.height - side + 1)).long().tolist()
    windows = torch.stack(
        [frame[:, y : y + side, x : x + side] for x, y in zip(xs, ys, strict=True)]
    )
    mask = _feather(side, device)
    residual = torch.zeros(*_spectrum_shape(windows), device=device, requires_grad=True)
    detail = partial(_detail, residual, spectrum_scale(side, side, device), side)
    optimizer = torch.optim.Adam([residual], lr=DETAIL_LEARNING_RATE)
    objective = FrameObjective(network, plan, DETAIL_CROPS)
    panels, positions = _canvas_places(geometry, plan, [x + side / 2 for x in xs], device)
    elements = objective.at(positions, panels)
    with objective.hooks() as acts:
        for step in range(steps):

            def images() -> torch.Tensor:
                return (windows + detail() * mask).clamp(0, 1)

            objective.step(optimizer, images, elements, seeds, counter + step, acts)
    with torch.no_grad():
        added = detail() * mask
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            frame[:, y : y + side, x : x + side] += added[i]
        frame.clamp_(0, 1)


def _spectrum_shape(windows: torch.Tensor) -> tuple[int, ...]:
    count, channels, side, _ = windows.shape
    return (count, channels, side, side // 2 + 1, 2)


def _detail(spectrum: torch.Tensor, scale: torch.Tensor, side: int) -> torch.Tensor:
    """A residual in Fourier space and decorrelated colour (as the stills' own style, so
    detail grows from coarse to fine, not as pixel noise); zero where it is zero."""
    complex_spectrum = torch.view_as_complex(scale * spectrum)
    logits = torch.fft.irfft2(complex_spectrum, s=(side, side), norm="ortho") / FOURIER_GAIN
    return (decorrelated_rgb(logits) - 0.5) * 2


def _feather(side: int, device) -> torch.Tensor:
    ramp = torch.arange(side, device=device, dtype=torch.float32) + 0.5
    edge = torch.minimum(ramp, side - ramp) / max(1.0, side * FEATHER)
    fade = edge.clamp(0, 1)
    fade = fade * fade * (3 - 2 * fade)
    return (fade[:, None] * fade[None, :])[None, None]


def _canvas_places(geometry: Geometry, plan: FramePlan, centres: list[float], device):
    """Panel and canvas position (0-1) of full-resolution x positions."""
    camera = geometry.camera_pixels(plan.camera)
    panels, positions = [], []
    for x in centres:
        for panel, (left, right) in enumerate(geometry.panel_bounds()):
            if left <= x < right or panel == geometry.layout.panels - 1:
                inside = (x - left) / (right - left) * geometry.panel_width
                panels.append(panel)
                positions.append((camera + inside) / geometry.canvas_width)
                break
    return torch.tensor(panels, device=device), torch.tensor(positions, device=device)
