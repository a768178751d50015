"""Image parameterizations ("styles"): `make_style` returns `(params, image_fn)`.

Each batch element is initialised from its own seed, on the network's device, so a still
does not depend on what else shares its batch. `image_fn()` returns (N, C, H, W) in
[0, 1]: C = 3, or 4 for `transparent` (RGB + alpha). A CPPN's `image_fn(size)` renders at
any size: it is a function of (x, y), not a grid of pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from lucent.optvis.param.color import color_correlation_normalized
from lucent.optvis.param.spatial import rfft2d_freqs
from PIL import Image, ImageOps

from renderer.plan import BatchPlan

ImageFn = Callable[..., torch.Tensor]
# Relative to the spec's learning rate: a CPPN's weights move the whole image at once.
LEARNING_RATE_SCALE = {"cppn": 0.1}
ALIGNMENT_DOWNSCALE = 8  # interpolation frames share a tensor of size / 8
START_SD = 0.01  # optimizations start near grey
NATURAL_SD = 1.0  # pink noise with about the pixel contrast of a photograph


def make_style(style: str, plan: BatchPlan, size: int, device: torch.device):
    """The parameterization called `style` for the elements of `plan`."""
    if style == "fourier":
        return fourier_image(plan, size, device)
    if style == "transparent":
        return fourier_image(plan, size, device, alpha=True)
    if style == "pixel":
        return pixel_image(plan.seeds, size, device, plan.photos)
    if style == "cppn":
        return cppn_image(plan.seeds, size, device)
    raise ValueError(f"unknown style {style!r}")


def seeded_normal(seeds: Sequence[int], shape: tuple[int, ...], sd: float) -> torch.Tensor:
    """One standard-normal draw of `shape` per seed, stacked (CPU, reproducible)."""
    draws = [torch.randn(shape, generator=torch.Generator().manual_seed(s)) for s in seeds]
    return torch.stack(draws) * sd


def _colour_matrix(device, dtype) -> torch.Tensor:
    return torch.as_tensor(color_correlation_normalized.T, device=device, dtype=dtype)


def decorrelated_rgb(image: torch.Tensor) -> torch.Tensor:
    """Map decorrelated colour to RGB in [0, 1] (Lucid's colour decorrelation + sigmoid)."""
    matrix = _colour_matrix(image.device, image.dtype)
    return torch.sigmoid(torch.einsum("bchw,cd->bdhw", image, matrix))


def fourier_image(
    plan: BatchPlan,
    size: int,
    device: torch.device,
    alpha: bool = False,
    decay: float = 1.0,
    sd: float = START_SD,
) -> tuple[list[torch.Tensor], ImageFn]:
    """Lucid's Fourier-space parameterization with decorrelated colour.

    Interpolation frames add a shared low-resolution tensor per set (aligned
    interpolation); with `alpha`, a fourth channel is the opacity. `sd` scales the random
    start: the default is near-grey; `NATURAL_SD` gives pink noise with the pixel contrast
    of photographs (a standard deviation of about 0.23).
    """
    channels = 4 if alpha else 3
    freqs = rfft2d_freqs(size, size)
    spectrum = seeded_normal(plan.seeds, (channels, *freqs.shape, 2), sd)
    spectrum = spectrum.to(device).requires_grad_(True)
    scale = 1.0 / np.maximum(freqs, 1.0 / size) ** decay
    scale_t = torch.tensor(scale, dtype=torch.float32, device=device)[None, None, ..., None]
    low = max(2, size // ALIGNMENT_DOWNSCALE)
    shared = torch.zeros(len(plan.specs), channels, low, low, device=device, requires_grad=True)
    aligned = plan.aligned

    def image_fn() -> torch.Tensor:
        complex_spectrum = torch.view_as_complex(scale_t * spectrum)
        image = torch.fft.irfftn(complex_spectrum, s=(size, size), norm="ortho") / 4.0
        if aligned.any():
            common = F.interpolate(shared, size=(size, size), mode="bilinear")[plan.group]
            image = image + common * aligned[:, None, None, None]
        rgb = decorrelated_rgb(image[:, :3])
        return torch.cat([rgb, torch.sigmoid(image[:, 3:])], 1) if alpha else rgb

    return [spectrum, shared], image_fn


def pixel_image(
    seeds: Sequence[int], size: int, device: torch.device, photos=None
) -> tuple[list[torch.Tensor], ImageFn]:
    """Plain pixels with decorrelated colour, starting from noise or from a photograph."""
    pixels = seeded_normal(seeds, (3, size, size), 0.01)
    for i, photo in enumerate(photos or []):
        if photo is not None:
            pixels[i] = _decorrelated_logits(photo_tensor(photo, size))
    pixels = pixels.to(device).requires_grad_(True)
    return [pixels], lambda: decorrelated_rgb(pixels)


def photo_tensor(photo: Image.Image, size: int) -> torch.Tensor:
    """A photograph, centre-cropped to a square of `size`, as (3, size, size) in [0, 1]."""
    square = ImageOps.fit(photo.convert("RGB"), (size, size), Image.Resampling.LANCZOS)
    return torch.from_numpy(np.asarray(square, dtype=np.float32) / 255).permute(2, 0, 1)


def _decorrelated_logits(rgb: torch.Tensor) -> torch.Tensor:
    logits = torch.logit(rgb.clamp(0.02, 0.98))
    inverse = torch.linalg.inv(_colour_matrix("cpu", torch.float32))
    return torch.einsum("chw,cd->dhw", logits, inverse)


def cppn_image(
    seeds: Sequence[int], size: int, device: torch.device, hidden: int = 24, layers: int = 8
) -> tuple[list[torch.Tensor], ImageFn]:
    """A compositional pattern-producing network per element: 1x1 layers over (x, y).

    Element i has its own weights; `image_fn(size)` samples it at any resolution.
    """
    widths = [2] + [hidden * 2] * (layers - 1)
    outs = [hidden] * (layers - 1) + [3]
    generators = [torch.Generator().manual_seed(s) for s in seeds]
    weights, biases = [], []
    for layer, (fan_in, fan_out) in enumerate(zip(widths, outs, strict=True)):
        std = 0.0 if layer == layers - 1 else (1 / fan_in) ** 0.5
        draws = [torch.randn(fan_out, fan_in, generator=g) * std for g in generators]
        weights.append(torch.stack(draws).to(device).requires_grad_(True))
        biases.append(torch.zeros(len(seeds), fan_out, device=device, requires_grad=True))

    def image_fn(at_size: int | None = None, rows: slice | None = None) -> torch.Tensor:
        grid = cppn_grid(at_size or size, device, rows)
        h = grid.expand(len(seeds), -1, -1, -1)
        for layer, (weight, bias) in enumerate(zip(weights, biases, strict=True)):
            h = torch.einsum("boi,bihw->bohw", weight, h) + bias[:, :, None, None]
            if layer < layers - 1:
                h = torch.atan(h)
                h = torch.cat([h / 0.67, h * h / 0.6], 1)
        return torch.sigmoid(h)

    return weights + biases, image_fn


def cppn_grid(size: int, device: torch.device, rows: slice | None = None) -> torch.Tensor:
    """The (x, y) input of a CPPN on a size × size canvas (optionally some rows of it)."""
    r = 3**0.5
    coords = torch.linspace(-r, r, size, device=device)
    ys = coords[rows] if rows is not None else coords
    y, x = torch.meshgrid(ys, coords, indexing="ij")
    return torch.stack([x, y])[None]
