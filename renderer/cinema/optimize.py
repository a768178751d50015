"""A frame's optimization: a few steps that move the last frame toward the shot's targets.

The canvas is re-encoded in the film's style (see `params`) and optimized through the
regions the network sees (whole panels, or crops of wide canvases), each region with
the targets of its place on the canvas. The per-region objectives, transforms and the
step are the engine's own (`objectives.batch_targets`, `engine.optimization_step`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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


@dataclass(frozen=True)
class _Stage:
    """One layer a frame's objective reads: its name, module and per-region batch plan."""

    name: str
    module: str
    base: BatchPlan
    levels: torch.Tensor
    colour: torch.Tensor


class FrameObjective:
    """Per-region targets of one frame as a lucent objective, on the engine's batch plan.

    A zoom with `to_layer` goes deeper: its shot's channel weighs 1 - progress, the later
    layer's `to_channel` weighs progress, so the objective moves down the network."""

    def __init__(self, network: Network, plan: FramePlan, regions: int):
        self.network, self.frame = network, plan
        shot = plan.shot
        self.stages = [self._stage(shot.layer, shot.channels(), regions)]
        if shot.kind == "zoom" and shot.params.get("to_layer"):
            self.stages.append(
                self._stage(shot.params["to_layer"], [shot.params["to_channel"]], regions)
            )

    def _stage(self, layer_name: str, channels: list[int], regions: int) -> _Stage:
        layer = self.network.layer(layer_name)
        spec = RenderSpec(self.network.name, layer.name, 0)
        return _Stage(
            layer.name,
            layer.module,
            plan_batch(self.network, [spec] * regions, None),
            channel_levels(self.network, layer.name),
            colour_channels(self.network, layer.name, channels),
        )

    def at(self, positions: torch.Tensor, panels: torch.Tensor) -> list[BatchPlan]:
        """Each stage's batch plan for regions centred at `positions` of `panels`' canvases."""
        a, b, weight_a, weight_b = targets(self.frame, positions, panels)
        first = self.stages[0].base
        if len(self.stages) == 1:
            return [replace(first, channel_a=a, channel_b=b, weight_a=weight_a, weight_b=weight_b)]
        deeper = torch.full_like(a, self.frame.shot.params["to_channel"])
        progress, none = self.frame.progress, torch.zeros_like(weight_a)
        return [
            replace(
                first, channel_a=a, channel_b=a, weight_a=weight_a * (1 - progress), weight_b=none
            ),
            replace(
                self.stages[1].base,
                channel_a=deeper,
                channel_b=deeper,
                weight_a=torch.full_like(weight_a, progress),
                weight_b=none,
            ),
        ]

    def step(self, optimizer, image_fn, elements: list[BatchPlan], seeds, counter: int, acts):
        """One engine step: `image_fn()` (one image per region) toward `elements`' targets."""
        parts = [
            batch_targets(stage.name, plan, stage.levels, stage.colour)
            for stage, plan in zip(self.stages, elements, strict=True)
        ]
        optimization_step(
            self.network,
            acts,
            optimizer,
            image_fn,
            lambda T: sum(part(T) for part in parts),
            transforms="standard",
            seeds=seeds,
            step=counter,
        )

    def hooks(self):
        modules = {stage.name: stage.module for stage in self.stages}
        return capture(self.network.model, modules, self.stages[-1].name)


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
