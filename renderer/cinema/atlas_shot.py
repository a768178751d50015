"""The `atlas` shot: a camera that zooms and pans across a still picture (an activation
atlas's map), nothing optimized.

The camera goes from `start_zoom` about `start_centre` to `zoom` about `centre` (zoom 1:
the whole map's height fills the frame; the zoom moves geometrically, the centre
linearly, both by the shot's easing), and never looks past the map's edges where it can
help it. Transparent parts of the map (its empty cells) show `BACKGROUND`. The frame's
working view is kept as the state the next shot starts from, as every shot's is.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from renderer.cinema.canvas import geometry_for
from renderer.cinema.shots import FramePlan, Layout

BACKGROUND = (0.1, 0.1, 0.1)


def picture_tensor(picture: Image.Image | np.ndarray) -> torch.Tensor:
    """A picture (PIL, or an (H, W, 3 or 4) uint8 array) as (1, 3, H, W) in [0, 1], any
    transparency composited over `BACKGROUND`."""
    array = np.asarray(picture.convert("RGBA") if isinstance(picture, Image.Image) else picture)
    pixels = torch.from_numpy(np.array(array)).float().permute(2, 0, 1) / 255
    if pixels.shape[0] == 4:
        background = torch.tensor(BACKGROUND)[:, None, None]
        alpha = pixels[3:]
        pixels = pixels[:3] * alpha + background * (1 - alpha)
    return pixels[None]


def picture_digest(picture: Image.Image | np.ndarray) -> str:
    """A short hash of the picture's pixels (part of its frames' cache keys)."""
    array = np.ascontiguousarray(
        np.asarray(picture.convert("RGBA") if isinstance(picture, Image.Image) else picture)
    )
    header = f"{array.shape}".encode()
    return hashlib.sha256(header + array.tobytes()).hexdigest()[:16]


def camera(plan: FramePlan) -> tuple[float, float, float]:
    """(zoom, centre x, centre y) of this frame, in fractions of the picture."""
    p, t = plan.shot.params, plan.progress
    start, end = math.log(p["start_zoom"]), math.log(p["zoom"])
    zoom = math.exp(start + (end - start) * t)
    (x0, y0), (x1, y1) = p["start_centre"], p["centre"]
    return zoom, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t


def view_of(picture: torch.Tensor, zoom: float, cx: float, cy: float, width: int, height: int):
    """What the camera sees, (3, height, width): a window of the picture as high as
    1 / zoom of it, centred on (cx, cy) but kept inside the picture where it fits."""
    _, _, ph, pw = picture.shape
    view_h = 1.0 / zoom
    view_w = view_h * (width / height) * (ph / pw)

    def inside(centre: float, extent: float) -> float:
        return 0.5 if extent >= 1 else min(max(centre, extent / 2), 1 - extent / 2)

    cx, cy = inside(cx, view_w), inside(cy, view_h)
    device = picture.device
    xs = (cx - view_w / 2 + (torch.arange(width, device=device) + 0.5) / width * view_w) * 2 - 1
    ys = (cy - view_h / 2 + (torch.arange(height, device=device) + 0.5) / height * view_h) * 2 - 1
    grid = torch.stack(torch.meshgrid(ys, xs, indexing="ij")[::-1], dim=-1)[None]
    background = torch.tensor(BACKGROUND, device=device)[None, :, None, None]
    sampled = F.grid_sample(
        picture - background, grid, mode="bicubic", padding_mode="zeros", align_corners=False
    )
    return (sampled + background)[0].clamp(0, 1)


def render_atlas_frame(
    film, plan: FramePlan, picture: torch.Tensor, screens: int = 1
) -> tuple[dict, np.ndarray]:
    """One frame of an atlas shot: `(state, picture)` as `film.render_frame` returns."""
    width, height = film.size[0] * screens, film.size[1]
    zoom, cx, cy = camera(plan)
    frame = view_of(picture, zoom, cx, cy, width, height)
    geometry = geometry_for(width, height, film.work, Layout())
    working = view_of(picture, zoom, cx, cy, geometry.panel_width, geometry.work_height)
    state = {"canvas": working[None], "view": working, "camera": 0.0, "panels": 1,
             "canvas_width": 1.0}  # fmt: skip
    pixels = (frame * 255).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()
    return state, np.ascontiguousarray(pixels)
