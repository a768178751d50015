"""The one optimization loop: a batch of specs, one objective per batch element.

The forward pass stops at the target layer, random transforms are drawn on the device per
element, and nothing in the loop waits for the device (no `.item()`), so the per-step
overhead that bounds lucent's one-at-a-time renders is paid once per batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from renderer.errors import RenderCancelled, SpecError
from renderer.figures import BASELINE_IMAGES, channel_baseline, still_figures
from renderer.layers import capture, forward_until
from renderer.objectives import batch_channels, channel_means
from renderer.spec import RenderSpec
from renderer.styles import make_style
from renderer.transforms import apply_transforms
from renderer.zoo import Network

Progress = Callable[[int, int], None]
ShouldCancel = Callable[[], bool]
BASELINE_SEED = 1_000_003


@dataclass
class RenderResult:
    """One rendered still: the image and the figures the catalog stores beside it."""

    spec: RenderSpec
    image: Image.Image
    figures: dict
    seconds: float


def render(network: Network, spec: RenderSpec, **kwargs) -> RenderResult:
    """Render one spec (see `render_batch`)."""
    return render_batch(network, [spec], **kwargs)[0]


def render_batch(
    network: Network,
    specs: Sequence[RenderSpec],
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> list[RenderResult]:
    """Render `specs` (one batch key, see `RenderSpec.batch_key`) in one optimization.

    `progress(step, steps)` is called after every step; `should_cancel()` is polled every
    step and, when true, raises `RenderCancelled`.
    """
    first = _check_batch(network, specs)
    started = time.perf_counter()
    layer = network.layer(first.layer)
    device = network.device
    seeds = torch.tensor([spec.seed for spec in specs], device=device)
    channels = torch.tensor([spec.channel for spec in specs], device=device)
    objective = batch_channels(layer.name, [spec.channel for spec in specs])
    params, image_fn = make_style(first.style, [s.seed for s in specs], first.size, device)
    optimizer = torch.optim.Adam(params, lr=first.learning_rate)
    with capture(network.model, {layer.name: layer.module}, stop_after=layer.name) as acts:

        def activations(images: torch.Tensor) -> torch.Tensor:
            forward_until(network.model, network.preprocess(images))
            return acts[layer.name]

        baseline = _baseline(first, network, activations)
        for step in range(first.steps):
            optimizer.zero_grad(set_to_none=True)
            images = apply_transforms(first.transforms, image_fn(), seeds, step)
            activations(images)
            objective(lambda name: acts[name]).backward()
            optimizer.step()
            if progress:
                progress(step + 1, first.steps)
            if should_cancel and should_cancel():
                raise RenderCancelled(f"cancelled at step {step + 1} of {first.steps}")
        with torch.no_grad():
            final = image_fn()
            figures = still_figures(activations(final), channels, baseline)
    seconds = (time.perf_counter() - started) / len(specs)
    return _results(specs, final, figures, seconds)


def _check_batch(network: Network, specs: Sequence[RenderSpec]) -> RenderSpec:
    if not specs:
        raise ValueError("render_batch needs at least one spec")
    first = specs[0]
    if any(spec.batch_key() != first.batch_key() for spec in specs):
        raise ValueError("specs in one batch must share network, layer, style, size, steps")
    if first.network != network.name:
        raise SpecError("network", f"spec is for {first.network!r}, network is {network.name!r}")
    channel_count = network.layer(first.layer).channels
    for spec in specs:
        if spec.channel >= channel_count:
            raise SpecError(
                "channel", f"layer {spec.layer!r} has {channel_count} channels, got {spec.channel}"
            )
    return first


def _baseline(spec: RenderSpec, network: Network, activations) -> tuple:
    """Channel statistics on unoptimized starting images of the spec's style and size."""
    seeds = [BASELINE_SEED + i for i in range(BASELINE_IMAGES)]
    _, start_fn = make_style(spec.style, seeds, spec.size, network.device)
    with torch.no_grad():
        return channel_baseline(channel_means(activations(start_fn())).float())


def _results(specs, final: torch.Tensor, figures: dict, seconds: float) -> list[RenderResult]:
    pixels = (final.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    numbers = {key: value.cpu().tolist() for key, value in figures.items()}
    results = []
    for i, spec in enumerate(specs):
        figure = {
            "objective": round(float(numbers["objective"][i]), 6),
            "zscore": round(float(numbers["zscore"][i]), 4),
            "rank": int(numbers["rank"][i]),
        }
        image = Image.fromarray(np.ascontiguousarray(pixels[i]), "RGB")
        results.append(RenderResult(spec, image, figure, round(seconds, 3)))
    return results
