"""Image parameterizations ("styles"): functions returning `(params, image_fn)`.

Each batch element is initialised from its own seed, on the network's device, so a still
does not depend on what else shares its batch. `image_fn()` returns RGB in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from lucent.optvis.param.color import color_correlation_normalized
from lucent.optvis.param.spatial import rfft2d_freqs

ImageFn = Callable[[], torch.Tensor]


def make_style(
    style: str, seeds: Sequence[int], size: int, device: torch.device
) -> tuple[list[torch.Tensor], ImageFn]:
    """The parameterization called `style` for one image per seed."""
    if style == "fourier":
        return fourier_image(seeds, size, device)
    if style == "pixel":
        return pixel_image(seeds, size, device)
    raise ValueError(f"unknown style {style!r}")


def seeded_normal(seeds: Sequence[int], shape: tuple[int, ...], sd: float) -> torch.Tensor:
    """One standard-normal draw of `shape` per seed, stacked (CPU, reproducible)."""
    draws = [torch.randn(shape, generator=torch.Generator().manual_seed(s)) for s in seeds]
    return torch.stack(draws) * sd


def decorrelated_rgb(image: torch.Tensor) -> torch.Tensor:
    """Map decorrelated colour to RGB in [0, 1] (Lucid's colour decorrelation + sigmoid)."""
    matrix = torch.as_tensor(color_correlation_normalized.T, device=image.device)
    rgb = torch.einsum("bchw,cd->bdhw", image, matrix.to(image.dtype))
    return torch.sigmoid(rgb)


def fourier_image(
    seeds: Sequence[int], size: int, device: torch.device, decay_power: float = 1.0
) -> tuple[list[torch.Tensor], ImageFn]:
    """Lucid's Fourier-space parameterization with decorrelated colour."""
    freqs = rfft2d_freqs(size, size)
    spectrum = seeded_normal(seeds, (3, *freqs.shape, 2), 0.01).to(device).requires_grad_(True)
    scale = 1.0 / np.maximum(freqs, 1.0 / size) ** decay_power
    scale_t = torch.tensor(scale, dtype=torch.float32, device=device)[None, None, ..., None]

    def image_fn() -> torch.Tensor:
        complex_spectrum = torch.view_as_complex(scale_t * spectrum)
        image = torch.fft.irfftn(complex_spectrum, s=(size, size), norm="ortho")
        return decorrelated_rgb(image[:, :, :size, :size] / 4.0)

    return [spectrum], image_fn


def pixel_image(
    seeds: Sequence[int], size: int, device: torch.device
) -> tuple[list[torch.Tensor], ImageFn]:
    """Plain pixels with decorrelated colour."""
    pixels = seeded_normal(seeds, (3, size, size), 0.01).to(device).requires_grad_(True)
    return [pixels], lambda: decorrelated_rgb(pixels)
