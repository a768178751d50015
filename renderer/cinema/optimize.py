"""A frame's optimization: a few steps that move the last frame toward the shot's targets.

The canvas is re-encoded in the film's style (see `params`) and optimized through the
regions the network sees (whole panels, or crops of wide canvases), each region with
the targets of its place on the canvas. The per-region objectives, transforms and the
step are the engine's own (`objectives.batch_targets`, `engine.optimization_step`).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import torch

from renderer.cinema.canvas import Geometry
from renderer.cinema.params import encode
from renderer.cinema.shots import FramePlan, targets
from renderer.engine import channel_levels, colour_channels, optimization_step
from renderer.layers import capture
from renderer.objectives import batch_targets
from renderer.optimizer import FlooredAdam
from renderer.plan import BatchPlan, plan_batch
from renderer.spec import RenderSpec
from renderer.transforms import hashed_uniform
from renderer.zoo import Network

STEP_STRIDE = 10_007  # transform draws of frame n use counters n * STEP_STRIDE + step
PAN_CROPS = 2  # regions per step on a pan's canvas: the view and one around it
PAN_WARMUP = 4


class FrameObjective:
    """Per-region targets of one frame as a lucent objective, on the engine's batch plan."""

    def __init__(self, network: Network, plan: FramePlan, regions: int):
        self.network, self.frame = network, plan
        self.layer = network.layer(plan.shot.layer)
        spec = RenderSpec(network.name, self.layer.name, 0)
        self.base: BatchPlan = plan_batch(network, [spec] * regions, None)
        self.levels = channel_levels(network, self.layer.name)
        self.colour = colour_channels(network, self.layer.name, plan.shot.channels())

    def at(self, positions: torch.Tensor, panels: torch.Tensor) -> BatchPlan:
        """The batch plan for regions centred at `positions` of `panels`' canvases."""
        a, b, weight_a, weight_b = targets(self.frame, positions, panels)
        return replace(self.base, channel_a=a, channel_b=b, weight_a=weight_a, weight_b=weight_b)

    def step(self, optimizer, image_fn, elements: BatchPlan, seeds, counter: int, acts):
        """One engine step: `image_fn()` (one image per region) toward `elements`' targets."""
        optimization_step(
            self.network,
            acts,
            optimizer,
            image_fn,
            batch_targets(self.layer.name, elements, self.levels, self.colour),
            transforms="standard",
            seeds=seeds,
            step=counter,
        )

    def hooks(self):
        return capture(self.network.model, {self.layer.name: self.layer.module}, self.layer.name)


def optimize_canvas(
    network: Network,
    canvas: torch.Tensor,
    low: torch.Tensor | None,
    plan: FramePlan,
    geometry: Geometry,
    style: str,
    steps: int,
    learning_rate: float,
    seed: int,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """`steps` optimizer steps on the canvas (and a transition's shared `low` tensor).

    A pan's first frame works on its whole canvas, `PAN_WARMUP` times as long, so that
    every region shows its channel before the camera gets there.
    """
    if plan.shot.kind == "pan" and plan.first_in_shot:
        steps *= PAN_WARMUP
    params, image_fn = encode(style, canvas, low)
    optimizer = FlooredAdam(params, lr=learning_rate)
    regions = _regions(geometry, plan)
    objective = FrameObjective(network, plan, len(regions[0]))
    device = canvas.device
    seeds = torch.arange(len(regions[0]), device=device) + seed * 1_000
    camera = geometry.camera_pixels(plan.camera)
    with objective.hooks() as acts:
        for step in range(steps):
            counter = plan.number * STEP_STRIDE + step
            panels, lefts = _region_places(regions, geometry, camera, seeds, counter)
            positions = (lefts + geometry.crop_width / 2) / geometry.canvas_width
            crops = partial(_crop, image_fn, panels, lefts, geometry.crop_width)
            elements = objective.at(positions, panels)
            objective.step(optimizer, crops, elements, seeds, counter, acts)
    with torch.no_grad():
        canvas = image_fn().detach()
    return canvas, (params[-1].detach() if low is not None else None)


def _regions(geometry: Geometry, plan: FramePlan) -> tuple[list[int], list[str]]:
    """Which regions the network sees each step: per panel, the whole canvas; on a wide
    canvas, the view ("view") and random crops around it ("near") or anywhere ("any")."""
    panels, kinds = [], []
    for panel in range(geometry.layout.panels):
        if geometry.canvas_width <= geometry.crop_width:
            panels.append(panel), kinds.append("whole")
        elif plan.shot.kind == "pan" and not plan.first_in_shot:
            panels += [panel] * PAN_CROPS
            kinds += ["view"] + ["near"] * (PAN_CROPS - 1)
        else:
            count = min(4, -(-geometry.canvas_width // geometry.crop_width))
            panels += [panel] * count
            kinds += ["any"] * count
    return panels, kinds


def _region_places(regions, geometry: Geometry, camera: float, seeds, counter: int):
    """Panel index and left edge (working pixels) of every region, drawn on the device."""
    panels, kinds = regions
    device = seeds.device
    room = geometry.canvas_width - geometry.crop_width
    draw = hashed_uniform(seeds, counter, 30)
    near_low = max(0.0, camera - geometry.crop_width / 2)
    near_high = min(float(room), camera + geometry.panel_width - geometry.crop_width / 2)
    lefts = []
    for i, kind in enumerate(kinds):
        if kind == "whole":
            lefts.append(torch.zeros((), device=device))
        elif kind == "view":
            lefts.append(torch.tensor(min(camera, room), device=device))
        elif kind == "near":
            lefts.append(near_low + draw[i] * max(0.0, near_high - near_low))
        else:
            lefts.append(draw[i] * room)
    return torch.tensor(panels, device=device), torch.stack(lefts).floor().float()


def _crop(image_fn, panels: torch.Tensor, lefts: torch.Tensor, width: int) -> torch.Tensor:
    """Regions `width` wide of the canvas panels, by gather (no host sync)."""
    canvas = image_fn()
    selected = canvas[panels]
    columns = lefts.long()[:, None] + torch.arange(width, device=canvas.device)
    index = columns[:, None, None, :].expand(-1, selected.shape[1], selected.shape[2], -1)
    return selected.gather(3, index)
