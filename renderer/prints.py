"""Print resolution: stills of 8192 × 8192 and more, with detail optimized at full size.

A still is optimized at its spec's size, then grown by octaves: each octave doubles the
canvas (bicubic) and refines it tile by tile, where the network sees each tile at 1:1
inside a margin of its surroundings and adds the detail that belongs at that scale. The
network's cost per step is that of a tile, whatever the canvas; memory is the canvas
(3 × size² floats on the CPU, 4 for a transparent still) plus one batch of tiles. A
transparent still grows its alpha with its colour: alpha is upsampled, then refined
with the tiles (composited over random backgrounds, as the engine does), and the print is
RGBA. A CPPN needs none of this: it is resampled at the print size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from renderer.engine import layer_targets, optimization_step, optimize
from renderer.errors import SpecError
from renderer.layers import capture
from renderer.plan import plan_batch
from renderer.spec import RenderSpec
from renderer.styles import decorrelated_rgb
from renderer.transforms import hashed_uniform
from renderer.zoo import Network

PRINT_OBJECTIVES = ("channel", "neuron", "negative")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PrintPlan:
    """How a print is grown: tile size, context margin, steps per tile, tiles per batch."""

    tile: int = 256
    margin: int = 32
    steps: int = 8
    batch: int = 8
    learning_rate: float = 0.01
    cppn_band: int = 512  # rows of a CPPN sampled at once


def render_print(
    network: Network,
    spec: RenderSpec,
    size: int,
    progress: Progress | None = None,
    plan: PrintPlan = PrintPlan(),
) -> Image.Image:
    """Render `spec` as a `size` × `size` print (RGB, or RGBA for transparent stills)."""
    _check(spec, size)
    octaves = _octave_sizes(spec.size, size)
    work = spec.steps + sum(
        _tile_steps(s, plan, _grid_offset(spec, octave, min(plan.tile, s)))
        for octave, s in enumerate(octaves[1:], start=1)
    )
    done = [0]

    def advance(steps: int) -> None:
        done[0] += steps
        if progress:
            progress(min(done[0], work), work)

    optimized = optimize(network, [spec], progress=lambda step, _: advance(1) if step else None)
    if spec.style == "cppn":
        image = _sample_cppn(optimized.image_fn, size, plan.cppn_band)
        advance(work - done[0])
        return image
    with torch.no_grad():
        canvas = optimized.image_fn()[0].cpu()
    for octave, octave_size in enumerate(octaves[1:], start=1):
        canvas = F.interpolate(canvas[None], size=octave_size, mode="bicubic")[0].clamp_(0, 1)
        _refine(network, spec, canvas, octave, plan, advance)
    return _to_image(canvas)


def _check(spec: RenderSpec, size: int) -> None:
    if spec.objective not in PRINT_OBJECTIVES:
        raise SpecError("objective", f"prints render {', '.join(PRINT_OBJECTIVES)}")
    if size < spec.size:
        raise SpecError("size", f"a print must be at least the still's {spec.size} px")


def _octave_sizes(start: int, size: int) -> list[int]:
    sizes = [start]
    while sizes[-1] < size:
        sizes.append(min(sizes[-1] * 2, size))
    return sizes


def _tiles(size: int, plan: PrintPlan, offset: int) -> list[tuple[int, int]]:
    """Top-left corners of tiles covering the canvas, the grid shifted by `offset`."""
    starts = sorted({min(max(0, s), size - plan.tile) for s in range(-offset, size, plan.tile)})
    return [(y, x) for y in starts for x in starts]


def _grid_offset(spec: RenderSpec, octave: int, tile: int) -> int:
    """Each octave shifts its tile grid, so that tile edges never line up across octaves."""
    return int(hashed_uniform(torch.tensor([spec.seed]), octave, 20)[0] * tile)


def _tile_steps(size: int, plan: PrintPlan, offset: int) -> int:
    tiles = len(_tiles(size, replace(plan, tile=min(plan.tile, size)), offset))
    return -(-tiles // plan.batch) * plan.steps


def _refine(network, spec, canvas, octave, plan, advance) -> None:
    """Add detail at this octave's scale, tile by tile, in place."""
    size = canvas.shape[-1]
    tile = min(plan.tile, size)
    plan = replace(plan, tile=tile)
    corners = _tiles(size, plan, _grid_offset(spec, octave, tile))
    padded = F.pad(canvas[None], [plan.margin] * 4, mode="reflect")[0]
    for start in range(0, len(corners), plan.batch):
        batch = corners[start : start + plan.batch]
        windows = torch.stack([_window(padded, y, x, plan) for y, x in batch])
        refined = _optimize_tiles(network, spec, windows, plan, octave, start)
        for (y, x), core in zip(batch, refined, strict=True):
            canvas[:, y : y + tile, x : x + tile] = core
            padded[
                :,
                y + plan.margin : y + plan.margin + tile,
                x + plan.margin : x + plan.margin + tile,
            ] = core
        advance(plan.steps)


def _window(padded: torch.Tensor, y: int, x: int, plan: PrintPlan) -> torch.Tensor:
    side = plan.tile + 2 * plan.margin
    return padded[:, y : y + side, x : x + side]


def _optimize_tiles(network, spec, windows, plan, octave, start) -> torch.Tensor:
    """Optimize a pixel residual on each tile's core, its margin held as context.

    The residual has the canvas's channels: colour, and alpha for a transparent print.
    """
    device = network.device
    windows = windows.to(device)
    count, m, t = len(windows), plan.margin, plan.tile
    residual = torch.zeros(count, windows.shape[1], t, t, device=device, requires_grad=True)
    optimizer = torch.optim.Adam([residual], lr=plan.learning_rate)
    elements = plan_batch(network, [spec] * count, None)
    objective = layer_targets(network, spec.layer, elements)
    layer = network.layer(spec.layer)
    seeds = torch.arange(count, device=device) + spec.seed * 7 + octave * 100_003 + start
    inside = torch.zeros_like(windows[:, :1], dtype=torch.bool)
    inside[:, :, m : m + t, m : m + t] = True

    def tiles() -> torch.Tensor:
        detail = F.pad(_detail(residual), [m] * 4)
        return torch.where(inside, (windows + detail).clamp(0, 1), windows)

    with capture(network.model, {layer.name: layer.module}, stop_after=layer.name) as acts:
        for step in range(plan.steps):
            optimization_step(
                network,
                acts,
                optimizer,
                tiles,
                objective,
                transforms=spec.transforms,
                seeds=seeds,
                step=step,
            )
    with torch.no_grad():
        cores = windows[:, :, m : m + t, m : m + t] + _detail(residual)
    return cores.clamp(0, 1).cpu()


def _detail(residual: torch.Tensor) -> torch.Tensor:
    """A residual mapped linearly around zero: colour decorrelated, alpha as it is."""
    colour = (decorrelated_rgb(residual[:, :3]) - 0.5) * 4
    if residual.shape[1] == 3:
        return colour
    alpha = (torch.sigmoid(residual[:, 3:]) - 0.5) * 4
    return torch.cat([colour, alpha], dim=1)


def _sample_cppn(image_fn, size: int, band: int) -> Image.Image:
    rows = []
    with torch.no_grad():
        for start in range(0, size, band):
            part = image_fn(size, slice(start, min(start + band, size)))[0]
            rows.append((part.clamp(0, 1) * 255).round().to(torch.uint8).cpu())
    return _to_image(torch.cat(rows, dim=1))


def _to_image(canvas: torch.Tensor) -> Image.Image:
    if canvas.dtype != torch.uint8:
        canvas = (canvas.clamp(0, 1) * 255).round().to(torch.uint8)
    array = np.ascontiguousarray(canvas.permute(1, 2, 0).numpy())
    return Image.fromarray(array, "RGBA" if array.shape[2] == 4 else "RGB")
