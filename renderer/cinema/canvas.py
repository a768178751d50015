"""The working canvas of a film: its geometry, how a shot starts, moves and is seen.

The network only ever sees the working canvas (height `work`, a few hundred pixels) or
crops of that size, whatever the frame size. The canvas is (panels, 3, h, canvas width):
one panel for most shots, N for a montage; a pan's panel is wider than the view. The
full-resolution frame is sampled from it (bicubic) at the camera's position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from renderer.cinema.shots import Layout

ELEMENT_ASPECT = 16 / 9  # widest canvas the network sees whole; wider ones are cropped
RING_GAIN_LIMIT = 2.0  # most a ring of frequencies' amplitude is raised by `keep_spectrum`


@dataclass(frozen=True)
class Geometry:
    """Sizes of one shot's frames: full (all screens side by side) and working."""

    width: int
    height: int
    work_height: int
    layout: Layout

    @property
    def panel_width(self) -> int:
        """Working width of one panel's view."""
        return max(8, round(self.width * self.work_height / self.height / self.layout.panels))

    @property
    def canvas_width(self) -> int:
        """Working width of one panel's canvas (wider than its view for a pan)."""
        return max(self.panel_width, round(self.panel_width * self.layout.canvas_width))

    @property
    def crop_width(self) -> int:
        """Width of the regions the network sees: a whole panel, or a crop of a wide one."""
        widest = max(self.work_height, round(self.work_height * ELEMENT_ASPECT))
        return min(self.canvas_width, widest)

    def panel_bounds(self) -> list[tuple[int, int]]:
        """Full-resolution [left, right) of every panel."""
        panels = self.layout.panels
        edges = [round(i * self.width / panels) for i in range(panels + 1)]
        return list(zip(edges[:-1], edges[1:], strict=True))

    def camera_pixels(self, camera: float) -> float:
        """A camera position (0 to 1 of its travel) in working pixels from the left."""
        return camera * (self.canvas_width - self.panel_width)


def geometry_for(width: int, height: int, work: int, layout: Layout) -> Geometry:
    """The geometry of frames `width` × `height` optimized at working height `work`."""
    return Geometry(width, height, min(work, height), layout)


def starting_canvas(view: torch.Tensor, geometry: Geometry) -> torch.Tensor:
    """A shot's canvas from the last frame's working view (3, h, w): resized to the new
    layout, split into panels, and mirrored to the right where a pan's canvas is wider."""
    panels, h = geometry.layout.panels, geometry.work_height
    wp, wc = geometry.panel_width, geometry.canvas_width
    resized = F.interpolate(view[None], size=(h, wp * panels), mode="bilinear", antialias=True)
    canvas = resized[0].reshape(3, h, panels, wp).permute(2, 0, 1, 3)
    tiles = [canvas if i % 2 == 0 else canvas.flip(-1) for i in range(math.ceil(wc / wp))]
    return torch.cat(tiles, dim=-1)[..., :wc].contiguous().clamp(0, 1)


def zoom(images: torch.Tensor, scale: float, centre: tuple[float, float], padding="reflection"):
    """Scale images (N, C, H, W) by `scale` about `centre` (fractions of the image)."""
    return warp(images, scale, centre, 0.0, padding)


def warp(images, scale: float, centre: tuple[float, float], shift: float, padding: str):
    """Output pixel u shows input pixel c + (u - c) / scale + shift (normalized units).

    Sampled bicubic, then `keep_spectrum`: a zoom or pan moves its images every frame, and
    resampling alone would blur them a little more each time (bilinear: half the detail
    per 1.05× step)."""
    if scale == 1.0 and shift == 0.0:
        return images
    cx, cy = centre[0] * 2 - 1, centre[1] * 2 - 1
    theta = torch.tensor(
        [[1 / scale, 0, cx - cx / scale + shift], [0, 1 / scale, cy - cy / scale]],
        dtype=images.dtype,
        device=images.device,
    )
    grid = F.affine_grid(theta.expand(len(images), 2, 3), list(images.shape), align_corners=False)
    moved = F.grid_sample(images, grid, mode="bicubic", padding_mode=padding, align_corners=False)
    return keep_spectrum(images, moved)


def keep_spectrum(before: torch.Tensor, after: torch.Tensor) -> torch.Tensor:
    """`after` (N, C, H, W) with each ring of spatial frequencies raised back to the
    energy it had in `before` (never lowered; amplitude at most `RING_GAIN_LIMIT` times):
    what the resampling filter took is given back, the phases (where things are) kept."""
    height, width = after.shape[-2:]
    rings = _frequency_rings(height, width, after.device)
    spectrum = torch.fft.rfft2(after.float(), norm="ortho")
    wanted = _ring_power(torch.fft.rfft2(before.float(), norm="ortho"), rings)
    have = _ring_power(spectrum, rings)
    gain = (wanted / have.clamp_min(1e-12)).sqrt().clamp(1.0, RING_GAIN_LIMIT)
    kept = torch.fft.irfft2(spectrum * gain[:, rings][:, None], s=(height, width), norm="ortho")
    return kept.to(after.dtype)


def _frequency_rings(height: int, width: int, device) -> torch.Tensor:
    """(H, W // 2 + 1) ring index of every `rfft2` coefficient: its frequency's radius
    in cycles per image side (the longer side)."""
    fy = torch.fft.fftfreq(height, device=device)[:, None]
    fx = torch.fft.rfftfreq(width, device=device)[None, :]
    return ((fy**2 + fx**2).sqrt() * max(height, width)).round().long()


def _ring_power(spectrum: torch.Tensor, rings: torch.Tensor) -> torch.Tensor:
    """(N, rings) mean power of each ring, over colour channels and the ring's coefficients."""
    count = int(rings.max()) + 1
    power = spectrum.abs().square().mean(dim=1).flatten(1)
    index = rings.flatten()
    total = power.new_zeros(len(power), count).index_add_(1, index, power)
    members = power.new_zeros(count).index_add_(0, index, torch.ones_like(index, dtype=power.dtype))
    return total / members.clamp_min(1)


def view(
    canvas: torch.Tensor, geometry: Geometry, camera: float, height: int, widths: list[int]
) -> torch.Tensor:
    """What the camera sees, (3, height, sum(widths)): each panel's view sampled (bicubic)
    at `height` × its width, from `camera` working pixels on its canvas."""
    wp, wc = geometry.panel_width, geometry.canvas_width
    device = canvas.device
    ys = (torch.arange(height, device=device) + 0.5) / height * 2 - 1
    parts = []
    for panel, width in zip(canvas, widths, strict=True):
        xs = (camera + (torch.arange(width, device=device) + 0.5) * wp / width) / wc * 2 - 1
        grid = torch.stack(torch.meshgrid(ys, xs, indexing="ij")[::-1], dim=-1)[None]
        sampled = F.grid_sample(
            panel[None], grid, mode="bicubic", padding_mode="border", align_corners=False
        )
        parts.append(sampled[0])
    return torch.cat(parts, dim=-1).clamp(0, 1)


def working_view(canvas: torch.Tensor, geometry: Geometry, camera: float) -> torch.Tensor:
    """The view at working size (3, h, panels × panel width)."""
    widths = [geometry.panel_width] * geometry.layout.panels
    return view(canvas, geometry, camera, geometry.work_height, widths)


def full_view(canvas: torch.Tensor, geometry: Geometry, camera: float) -> torch.Tensor:
    """The view at full resolution (3, height, width)."""
    widths = [right - left for left, right in geometry.panel_bounds()]
    return view(canvas, geometry, camera, geometry.height, widths)
