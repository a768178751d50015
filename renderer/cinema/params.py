"""Warm-start parameterizations: a frame's image re-encoded as the parameters of a style.

Each frame starts from the last. Its image (working size, any aspect ratio) is encoded as
Fourier coefficients of decorrelated colour (style `fourier`) or as decorrelated pixel
logits (`pixel`, and `cppn` once its opening still is drawn), so that the decoded image
equals the image it came from and a few optimizer steps move it on. A transition adds a
shared low-resolution tensor to the logits of all its frames (aligned interpolation).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from lucent.optvis.param.color import color_correlation_normalized
from lucent.optvis.param.spatial import rfft2d_freqs

from renderer.styles import ALIGNMENT_DOWNSCALE, decorrelated_rgb, seeded_normal

EDGE = 2e-3  # pixels are clamped to [EDGE, 1 - EDGE] before their logit is taken
FOURIER_GAIN = 4.0  # as styles.fourier_image: the inverse FFT is divided by 4


def _inverse_colour(device, dtype) -> torch.Tensor:
    matrix = torch.as_tensor(color_correlation_normalized.T, dtype=torch.float64)
    return torch.linalg.inv(matrix).to(device, dtype)


def decorrelated_logits(images: torch.Tensor) -> torch.Tensor:
    """The inverse of `styles.decorrelated_rgb`: (N, 3, H, W) in [0, 1] → logits."""
    logits = torch.logit(images.clamp(EDGE, 1 - EDGE))
    return torch.einsum("bchw,cd->bdhw", logits, _inverse_colour(images.device, images.dtype))


def _frequencies(height: int, width: int) -> np.ndarray:
    """lucent's frequencies, cut to the columns `torch.fft.rfft2` returns (odd widths)."""
    return rfft2d_freqs(height, width)[:, : width // 2 + 1]


def spectrum_scale(height: int, width: int, device) -> torch.Tensor:
    """Lucid's 1/f scale of Fourier coefficients, shaped (1, 1, H, W // 2 + 1, 1)."""
    freqs = _frequencies(height, width)
    scale = 1.0 / np.maximum(freqs, 1.0 / max(height, width))
    return torch.tensor(scale, dtype=torch.float32, device=device)[None, None, ..., None]


def low_resolution_like(images: torch.Tensor) -> torch.Tensor:
    """A zero shared tensor for aligned interpolation, 1/8 of the canvas on each side."""
    n, c, h, w = images.shape
    low = (max(2, h // ALIGNMENT_DOWNSCALE), max(2, w // ALIGNMENT_DOWNSCALE))
    return torch.zeros(n, c, *low, device=images.device)


def encode(
    style: str, images: torch.Tensor, low: torch.Tensor | None = None
) -> tuple[list[torch.Tensor], Callable[[], torch.Tensor]]:
    """`(params, image_fn)` with `image_fn()` equal to `images` before any step.

    `low`, when given, is optimized too and shared by every frame that carries it.
    """
    height, width = images.shape[-2:]
    scale = spectrum_scale(height, width, images.device)
    with torch.no_grad():
        logits = decorrelated_logits(images)
        if low is not None:
            logits = logits - _upsampled(low, height, width)
        spectrum = torch.view_as_real(torch.fft.rfft2(logits * FOURIER_GAIN, norm="ortho"))
    if low is not None:
        low = low.detach().clone().requires_grad_(True)
    if style == "fourier":
        spectrum = (spectrum / scale).contiguous().requires_grad_(True)

        def base() -> torch.Tensor:
            complex_spectrum = torch.view_as_complex(scale * spectrum)
            return (
                torch.fft.irfft2(complex_spectrum, s=(height, width), norm="ortho") / FOURIER_GAIN
            )

        params = [spectrum]
    else:
        pixels = logits.contiguous().requires_grad_(True)
        params = [pixels]

        def base() -> torch.Tensor:
            return pixels

    if low is None:
        return params, lambda: decorrelated_rgb(base())
    return params + [low], lambda: decorrelated_rgb(base() + _upsampled(low, height, width))


def _upsampled(low: torch.Tensor, height: int, width: int) -> torch.Tensor:
    return F.interpolate(low, size=(height, width), mode="bilinear", align_corners=False)


def noise_images(
    style: str, seed: int, count: int, height: int, width: int, device
) -> torch.Tensor:
    """Starting images of a film: the style's own noise, decoded, one per seed."""
    seeds = [seed + 7919 * i for i in range(count)]
    if style == "fourier":
        freqs = _frequencies(height, width)
        spectrum = seeded_normal(seeds, (3, *freqs.shape, 2), 0.01).to(device)
        scale = spectrum_scale(height, width, device)
        complex_spectrum = torch.view_as_complex((scale * spectrum).contiguous())
        logits = torch.fft.irfft2(complex_spectrum, s=(height, width), norm="ortho") / FOURIER_GAIN
    else:
        logits = seeded_normal(seeds, (3, height, width), 0.01).to(device)
    return decorrelated_rgb(logits)
