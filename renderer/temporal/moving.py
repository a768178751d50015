"""Moving images: a temporal channel's still is a short clip optimized to excite it.

The clip's parameterization is Lucid's Fourier image with decorrelated colour, one
spectrum per temporal basis function rather than per frame: frame t is Σ_k b_k(t) S_k
with a few smooth (DCT) functions b_k of time, weighted down as they quicken. Motion is
possible (the phase of each frequency can drift across the clip), flicker is not (no
frame can differ from its neighbours by more than the slow basis allows). Each step all
frames of a clip get the same random jitter, scale and rotation, so the transforms add
no motion of their own; clips of several channels are optimized in one batch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from lucent.optvis.param.spatial import rfft2d_freqs
from PIL import Image

from renderer.classify import Classification
from renderer.engine import Progress, RenderResult, ShouldCancel
from renderer.errors import RenderCancelled, SpecError
from renderer.figures import channel_baseline
from renderer.layers import capture, forward_until
from renderer.optimizer import FlooredAdam
from renderer.spec import RenderSpec
from renderer.styles import NATURAL_SD, START_SD, decorrelated_rgb, seeded_normal
from renderer.transforms import robustness_transform
from renderer.zoo import Network

BASIS_FUNCTIONS = 4  # constant, and three ever quicker changes over the clip
CLIP_FPS = 8
BASELINE_CLIPS = 8
BASELINE_SEED = 2_000_003


def temporal_basis(frames: int, functions: int = BASIS_FUNCTIONS) -> torch.Tensor:
    """(frames, functions): DCT-II cosines over the clip, the k-th weighted 1 / (1 + k)."""
    t = torch.arange(frames, dtype=torch.float32)[:, None] + 0.5
    k = torch.arange(min(functions, frames), dtype=torch.float32)[None, :]
    return torch.cos(math.pi * k * t / frames) / (1 + k)


def clip_parameterization(seeds: Sequence[int], frames: int, size: int, device, sd=START_SD):
    """`(params, clip_fn)`: clip_fn() is (N, F, 3, size, size) in [0, 1]."""
    freqs = rfft2d_freqs(size, size)
    basis = temporal_basis(frames).to(device)
    spectrum = seeded_normal(seeds, (basis.shape[1], 3, *freqs.shape, 2), sd)
    spectrum = spectrum.to(device).requires_grad_(True)
    scale = 1.0 / np.maximum(freqs, 1.0 / size)
    scale_t = torch.tensor(scale, dtype=torch.float32, device=device)[None, None, None, ..., None]

    def clip_fn() -> torch.Tensor:
        per_frame = torch.einsum("tk,nk...->nt...", basis, scale_t * spectrum)
        images = torch.fft.irfftn(
            torch.view_as_complex(per_frame.contiguous()), s=(size, size), norm="ortho"
        )
        count = images.shape[0]
        rgb = decorrelated_rgb(images.reshape(count * frames, 3, size, size) / 4.0)
        return rgb.reshape(count, frames, 3, size, size)

    return [spectrum], clip_fn


def render_clips(
    network: Network,
    specs: Sequence[RenderSpec],
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> list[RenderResult]:
    """Render the moving images of `specs` (one layer, size and steps) in one batch."""
    first = _check(network, specs)
    started = time.perf_counter()
    layer = network.layer(first.layer)
    frames, device = network.extra["frames"], network.device
    seeds = [spec.seed for spec in specs]
    channels = torch.tensor([spec.channel for spec in specs], device=device)
    repeated_seeds = torch.tensor(seeds, device=device).repeat_interleave(frames)
    params, clip_fn = clip_parameterization(seeds, frames, first.size, device)
    optimizer = FlooredAdam(params, lr=first.learning_rate)
    with capture(network.model, {layer.name: layer.module}, stop_after=layer.name) as acts:

        def channel_means(clips: torch.Tensor) -> torch.Tensor:
            """(N, F, 3, H, W) → (N, C): each channel's mean over time and space."""
            forward_until(network.model, network.preprocess(clips.transpose(1, 2)))
            out = acts[layer.name].float()
            return out.flatten(2).mean(dim=2) if out.dim() > 2 else out

        for step in range(first.steps):
            clips = clip_fn()
            count, _, _, size, _ = clips.shape
            flat = clips.reshape(count * frames, 3, size, size)
            moved = robustness_transform(flat, repeated_seeds, step, min_side=network.input_size)
            means = channel_means(moved.reshape(count, frames, *moved.shape[1:]))
            loss = -means.gather(1, channels[:, None]).sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if progress:
                progress(step + 1, first.steps)
            if should_cancel and should_cancel():
                raise RenderCancelled(f"cancelled at step {step + 1} of {first.steps}")
        with torch.no_grad():
            final = clip_fn()
            _, noise_fn = clip_parameterization(
                range(BASELINE_SEED, BASELINE_SEED + BASELINE_CLIPS),
                frames,
                first.size,
                device,
                sd=NATURAL_SD,
            )
            baseline = channel_baseline(channel_means(noise_fn()))
            figures = clip_figures(channel_means, final, channels, baseline)
    seconds = (time.perf_counter() - started) / len(specs)
    return [
        _result(spec, final[i], figures[i], seconds, classify_clip(network, final[i : i + 1])[0])
        for i, spec in enumerate(specs)
    ]


def clip_figures(channel_means, clips: torch.Tensor, channels: torch.Tensor, baseline) -> list:
    """Per clip: objective, z-score and rank of its channel in the layer, the same
    objective with the clip played backwards, and how much it moves (mean absolute
    difference of consecutive frames, 0–1)."""
    means = channel_means(clips)
    backwards = channel_means(clips.flip(1)).gather(1, channels[:, None])[:, 0]
    zscores = (means - baseline[0]) / baseline[1]
    own = zscores.gather(1, channels[:, None])
    ranks = (zscores > own).sum(dim=1) + 1
    motion = (clips[:, 1:] - clips[:, :-1]).abs().mean(dim=(1, 2, 3, 4))
    objective = means.gather(1, channels[:, None])[:, 0]
    return [
        {
            "objective": round(float(objective[i]), 6),
            "objective_backwards": round(float(backwards[i]), 6),
            "zscore": round(float(own[i, 0]), 4),
            "rank": int(ranks[i]),
            "motion": round(float(motion[i]), 5),
            "frames": clips.shape[1],
        }
        for i in range(len(clips))
    ]


@torch.no_grad()
def classify_clip(network: Network, clips: torch.Tensor, top: int = 5) -> list[Classification]:
    """The temporal network's top classes for clips (N, F, 3, H, W) in [0, 1]."""
    logits = network.layer("logits")
    with capture(network.model, {"logits": logits.module}, stop_after="logits") as outputs:
        forward_until(network.model, network.preprocess(clips.transpose(1, 2)))
    probabilities = outputs["logits"].float().softmax(dim=1)
    values, indices = probabilities.topk(min(top, probabilities.shape[1]), dim=1)
    return [
        Classification(
            [(network.labels[j], round(p, 6)) for p, j in zip(vs, js, strict=True)], None
        )
        for vs, js in zip(values.tolist(), indices.tolist(), strict=True)
    ]


def _check(network: Network, specs: Sequence[RenderSpec]) -> RenderSpec:
    if not specs:
        raise ValueError("render_clips needs at least one spec")
    first = specs[0]
    if any(spec.batch_key() != first.batch_key() for spec in specs):
        raise ValueError("specs in one batch must share network, layer, style, size, steps")
    layer = network.layer(first.layer)
    for spec in specs:
        if spec.style != "fourier":
            raise SpecError(
                "style", f"a temporal network's stills are clips: fourier only, not {spec.style!r}"
            )
        if spec.objective != "channel" or spec.count != 1:
            raise SpecError("objective", "a temporal network's stills take the channel objective")
        if spec.channel >= layer.channels:
            raise SpecError(
                "channel", f"layer {layer.name!r} has {layer.channels} channels, got {spec.channel}"
            )
    return first


def _result(spec, clip: torch.Tensor, figures: dict, seconds: float, found) -> RenderResult:
    pixels = (clip.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    frames = [Image.fromarray(np.ascontiguousarray(frame)) for frame in pixels]
    figures = {**figures, "top_classes": [[label, p] for label, p in found.top]}
    poster = frames[len(frames) // 2]
    return RenderResult(spec, [poster], figures, round(seconds, 3), clip=frames, fps=CLIP_FPS)


def write_clip(frames: Sequence[Image.Image], path: str | Path, fps: int = CLIP_FPS) -> None:
    """An H.264 MP4 of the frames (written atomically; sizes must be even)."""
    from renderer.cinema.encode import VideoWriter

    width, height = frames[0].size
    writer = VideoWriter(path, width, height, fps)
    try:
        for frame in frames:
            writer.write(np.asarray(frame.convert("RGB")))
        writer.close()
    except BaseException:
        writer.abort()
        raise
