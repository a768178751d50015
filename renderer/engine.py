"""The one optimization loop: a batch of specs, one objective per batch element.

The forward pass stops at the target layer, random transforms are drawn on the device per
element, and nothing in the loop waits for the device (no `.item()`), so the per-step
overhead that bounds lucent's one-at-a-time renders is paid once per batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import torch
from lucent.optvis.objectives import Objective
from PIL import Image

from renderer.errors import RenderCancelled
from renderer.figures import BASELINE_IMAGES, channel_baseline, still_figures
from renderer.layers import capture, forward_until
from renderer.objectives import batch_targets, channel_means, is_colour_channel
from renderer.optimizer import FlooredAdam
from renderer.plan import BatchPlan, plan_batch
from renderer.spec import RenderSpec
from renderer.styles import LEARNING_RATE_SCALE, NATURAL_SD, fourier_image, make_style
from renderer.transforms import apply_transforms, random_backgrounds, upsample_to
from renderer.zoo import Network

Progress = Callable[[int, int], None]
ShouldCancel = Callable[[], bool]
BASELINE_SEED = 1_000_003
ALPHA_PENALTY = 1.0  # transparent: weight of mean opacity, relative to the objective
FLAT_SHARE_BATCH = 16  # channels measured per pass by `flat_shares`


@dataclass
class RenderResult:
    """One rendered spec: its image(s) and the figures the catalog stores beside it.

    `images` has `spec.count` entries; `image` is the one image, or all of them side by
    side for a diversity set or an interpolation. A temporal network's still is a moving
    image: `clip` holds its frames (`fps` per second) and `image` is its poster.
    """

    spec: RenderSpec
    images: list[Image.Image]
    figures: dict
    seconds: float
    frames: list[dict] = field(default_factory=list)
    clip: list[Image.Image] = field(default_factory=list)  # a moving image's frames
    fps: int = 0

    @property
    def image(self) -> Image.Image:
        if len(self.images) == 1:
            return self.images[0]
        width, height = self.images[0].size
        strip = Image.new(self.images[0].mode, (width * len(self.images), height))
        for i, image in enumerate(self.images):
            strip.paste(image, (i * width, 0))
        return strip


@dataclass
class Optimized:
    """What an optimization leaves: the parameterization, its plan and its figures."""

    plan: BatchPlan
    image_fn: Callable[..., torch.Tensor]
    figures: dict[str, torch.Tensor]
    seconds: float


def render(network: Network, spec: RenderSpec, **kwargs) -> RenderResult:
    """Render one spec (see `render_batch`)."""
    return render_batch(network, [spec], **kwargs)[0]


def render_batch(
    network: Network,
    specs: Sequence[RenderSpec],
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    photos: Mapping[str, Image.Image] | None = None,
    precision: str = "float32",
) -> list[RenderResult]:
    """Render `specs` (one batch key, see `RenderSpec.batch_key`) in one optimization.

    `progress(step, steps)` is called after every step; `should_cancel()` is polled every
    step and, when true, raises `RenderCancelled`. `photos` maps a dream spec's photo
    hash to the photograph. `precision="bfloat16"` runs the network under autocast.
    """
    if "frames" in network.extra:  # a temporal network: its stills are moving images
        from renderer.temporal.moving import render_clips

        return render_clips(network, specs, progress, should_cancel)
    done = optimize(network, specs, progress, should_cancel, photos, precision)
    with torch.no_grad():
        final = done.image_fn()
    return _results(done, final)


def optimize(
    network: Network,
    specs: Sequence[RenderSpec],
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    photos: Mapping[str, Image.Image] | None = None,
    precision: str = "float32",
    make_optimizer: Callable[..., torch.optim.Optimizer] = FlooredAdam,
) -> Optimized:
    """Run the optimization of `specs`; the images stay a function (`image_fn`).

    `make_optimizer(params, lr=…)` builds the optimizer (benchmarks pass torch's Adam)."""
    first = _check_batch(specs)
    started = time.perf_counter()
    plan = plan_batch(network, specs, photos)
    layer = network.layer(first.layer)
    device = network.device
    seeds = torch.tensor(plan.seeds, device=device)
    objective = layer_targets(network, layer.name, plan)
    params, image_fn = make_style(first.style, plan, first.size, device)
    rate = first.learning_rate * LEARNING_RATE_SCALE.get(first.style, 1.0)
    optimizer = make_optimizer(params, lr=rate)
    with capture(network.model, {layer.name: layer.module}, stop_after=layer.name) as acts:

        def activations(images: torch.Tensor) -> torch.Tensor:
            with _autocast(device, precision):
                forward_until(network.model, network.preprocess(at_input_scale(network, images)))
            return acts[layer.name].float()

        baseline = _baseline(first, network, activations)
        for step in range(first.steps):
            optimization_step(
                network,
                acts,
                optimizer,
                image_fn,
                objective,
                transforms=first.transforms,
                seeds=seeds,
                step=step,
                precision=precision,
                min_side=network.input_size,
            )
            if progress:
                progress(step + 1, first.steps)
            if should_cancel and should_cancel():
                raise RenderCancelled(f"cancelled at step {step + 1} of {first.steps}")
        with torch.no_grad():
            final = _flatten_alpha(image_fn())
            figures = still_figures(activations(final), plan, baseline)
    seconds = (time.perf_counter() - started) / plan.size
    return Optimized(plan, image_fn, figures, seconds)


def optimization_step(
    network: Network,
    acts: Mapping[str, torch.Tensor],
    optimizer: torch.optim.Optimizer,
    image_fn: Callable[[], torch.Tensor],
    objective: Callable[[Callable[[str], torch.Tensor]], torch.Tensor],
    *,
    transforms: str,
    seeds: torch.Tensor,
    step: int,
    precision: str = "float32",
    min_side: int = 0,
) -> None:
    """One step of the optimization, shared by stills (`optimize`) and prints' tiles.

    `image_fn()` gives the batch (N, 3 or 4, H, W) in [0, 1]; an RGBA batch is composited
    over per-element random backgrounds with a penalty on mean opacity. The transforms
    named by `transforms` are drawn from `seeds` and `step` and sample at least `min_side`
    pixels on the shorter side (stills pass the network's input size; prints' tiles and
    films' working canvases are that large already); the network runs (under
    bf16 autocast for `precision="bfloat16"`) until the hooks in `acts` have what
    `objective` reads; then the parameters behind `optimizer` take one step.
    """
    optimizer.zero_grad(set_to_none=True)
    images = image_fn()
    opacity_penalty = 0.0
    if images.shape[1] == 4:
        images, opacity_penalty = _over_background(images, seeds, step)
    images = apply_transforms(transforms, images, seeds, step, min_side)
    with _autocast(network.device, precision):
        forward_until(network.model, network.preprocess(images))
    loss = objective(lambda name: acts[name])
    (loss + opacity_penalty * loss.detach().abs()).backward()
    optimizer.step()


def layer_targets(network: Network, layer_name: str, plan: BatchPlan) -> Objective:
    """`batch_targets` for `plan` on `layer_name`: each channel's usual level, and whether
    the channels its elements aim at (A and B) are colour channels."""
    channels = set(plan.channel_a.tolist()) | set(plan.channel_b.tolist())
    colour = colour_channels(network, layer_name, channels)
    return batch_targets(layer_name, plan, channel_levels(network, layer_name), colour)


def colour_channels(network: Network, layer_name: str, channels: Iterable[int]) -> torch.Tensor:
    """(C,) bool: which of the layer's channels are colour channels (`is_colour_channel`),
    known for `channels` at least (False for a channel not asked about yet). Measured the
    first time a channel is asked about, then kept per network and layer."""
    known = network.extra.setdefault("flat_shares", {}).setdefault(layer_name, {})
    wanted = sorted(set(channels) - set(known))
    for start in range(0, len(wanted), FLAT_SHARE_BATCH):
        chunk = wanted[start : start + FLAT_SHARE_BATCH]
        known.update(zip(chunk, flat_shares(network, layer_name, chunk).tolist(), strict=True))
    colour = torch.zeros(network.layer(layer_name).channels, dtype=torch.bool)
    for channel, share in known.items():
        colour[channel] = is_colour_channel(share)
    return colour.to(network.device)


def flat_shares(network: Network, layer_name: str, channels: Sequence[int]) -> torch.Tensor:
    """For each of `channels`, how much of its centre unit's strongest response a flat
    colour field gives, (len(channels),): Σ over colours |Σ over pixels J| / Σ |J|, with J
    the unit's gradient with respect to the input image at mid grey with faint noise (1:
    the unit sums its pixels, a colour detector; 0: its weights cancel over a flat field,
    an edge or pattern detector; NaN: no gradient, a silent unit)."""
    layer = network.layer(layer_name)
    side = network.input_size or 224
    noise = torch.randn(3, side, side, generator=torch.Generator().manual_seed(BASELINE_SEED))
    images = (0.5 + 0.1 * noise).expand(len(channels), -1, -1, -1).to(network.device)
    images = images.clone().requires_grad_(True)
    index = torch.tensor(channels, device=network.device)
    with capture(network.model, {layer_name: layer.module}, stop_after=layer_name) as acts:
        forward_until(network.model, network.preprocess(images))
        units = acts[layer_name][torch.arange(len(channels), device=network.device), index]
        if units.dim() == 3:
            units = units[:, units.shape[1] // 2, units.shape[2] // 2]
        # lowering the loss raises the units: the stem's redirected ReLU6 then passes the
        # gradient of a unit below zero
        (-units.sum()).backward()
    gradient = images.grad.detach().float()
    return gradient.sum(dim=(2, 3)).abs().sum(dim=1) / gradient.abs().sum(dim=(1, 2, 3))


def channel_levels(network: Network, layer_name: str) -> torch.Tensor:
    """Each channel's usual level (C,): its mean on pink-noise images at the network's
    input size, the level an optimization raises a channel above (`batch_targets`).
    Computed once per network and layer."""
    levels = network.extra.setdefault("channel_levels", {})
    if layer_name not in levels:
        layer = network.layer(layer_name)
        start = RenderSpec(network.name, layer_name, 0, size=network.input_size)
        with capture(network.model, {layer_name: layer.module}, stop_after=layer_name) as acts:

            def activations(images: torch.Tensor) -> torch.Tensor:
                forward_until(network.model, network.preprocess(images))
                return acts[layer_name].float()

            levels[layer_name] = _baseline(start, network, activations)[0]
    return levels[layer_name]


def at_input_scale(network: Network, images: torch.Tensor) -> torch.Tensor:
    """`images` enlarged to the network's input size when smaller (see `upsample_to`)."""
    return upsample_to(images, network.input_size)


def _autocast(device: torch.device, precision: str):
    if precision == "bfloat16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return nullcontext()


def _over_background(rgba: torch.Tensor, seeds: torch.Tensor, step: int):
    """Composite RGBA over per-element random backgrounds; penalize mean opacity."""
    rgb, alpha = rgba[:, :3], rgba[:, 3:]
    background = random_backgrounds(seeds, step, rgb.shape[-1])
    return rgb * alpha + background * (1 - alpha), ALPHA_PENALTY * alpha.mean()


def _flatten_alpha(images: torch.Tensor) -> torch.Tensor:
    """Transparent stills are measured over mid grey."""
    if images.shape[1] == 4:
        return images[:, :3] * images[:, 3:] + 0.5 * (1 - images[:, 3:])
    return images


def _check_batch(specs: Sequence[RenderSpec]) -> RenderSpec:
    if not specs:
        raise ValueError("render_batch needs at least one spec")
    first = specs[0]
    if any(spec.batch_key() != first.batch_key() for spec in specs):
        raise ValueError("specs in one batch must share network, layer, style, size, steps")
    return first


def _baseline(spec: RenderSpec, network: Network, activations) -> tuple:
    """Channel statistics on pink-noise images with a photograph's contrast.

    Near-grey starting images leave edge and colour detectors of early layers almost
    silent, so any activity there would out-rank the target; textured noise gives every
    channel its usual range.
    """
    starts = [
        RenderSpec(spec.network, spec.layer, 0, size=spec.size, seed=seed)
        for seed in range(BASELINE_SEED, BASELINE_SEED + BASELINE_IMAGES)
    ]
    plan = plan_batch(network, starts, None)
    _, start_fn = fourier_image(plan, spec.size, network.device, sd=NATURAL_SD)
    with torch.no_grad():
        return channel_baseline(channel_means(activations(start_fn())).float())


def _results(done: Optimized, final: torch.Tensor) -> list[RenderResult]:
    mode = "RGBA" if final.shape[1] == 4 else "RGB"
    pixels = (final.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    numbers = {key: value.cpu().tolist() for key, value in done.figures.items()}
    results = []
    for spec, elements in zip(done.plan.specs, done.plan.slices, strict=True):
        frames = [_element_figures(numbers, i) for i in range(elements.start, elements.stop)]
        images = [
            Image.fromarray(np.ascontiguousarray(pixels[i]), mode)
            for i in range(elements.start, elements.stop)
        ]
        figures = dict(frames[0])
        if len(frames) > 1:
            figures["frames"] = frames
            figures["pairwise_distance"] = round(_pairwise_distance(images), 5)
        results.append(RenderResult(spec, images, figures, round(done.seconds, 3), frames))
    return results


def _element_figures(numbers: dict, i: int) -> dict:
    return {
        "objective": round(float(numbers["objective"][i]), 6),
        "objective_a": round(float(numbers["objective_a"][i]), 6),
        "objective_b": round(float(numbers["objective_b"][i]), 6),
        "zscore": round(float(numbers["zscore"][i]), 4),
        "rank": int(numbers["rank"][i]),
        "similarity": round(float(numbers["similarity"][i]), 5),
    }


def _pairwise_distance(images: list[Image.Image]) -> float:
    """Mean absolute pixel difference (0-1) over all pairs of a set's images."""
    arrays = [np.asarray(image, dtype=np.float32)[..., :3] / 255 for image in images]
    pairs = [
        np.abs(arrays[i] - arrays[j]).mean()
        for i in range(len(arrays))
        for j in range(i + 1, len(arrays))
    ]
    return float(np.mean(pairs))
