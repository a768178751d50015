"""Rendering a film: frame after frame, each starting from the last, cached, encoded.

The first frame is a still optimized from the style's noise; every later frame takes the
last frame's working canvas, moves it (a zoom scales it, a new shot re-lays it out),
re-encodes it and optimizes it a few steps toward its shot's targets. So the motion is
continuous and every frame still shows its channel. Frames larger than the working
canvas get their detail from `detail`. A temporal network's film plays its channels'
moving images instead (`moving_shots`). Finished frames go to the frame cache, so a
render that is stopped and started again renders only the frames it lacks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from renderer.cinema.atlas_shot import picture_digest, picture_tensor, render_atlas_frame
from renderer.cinema.canvas import (
    full_view,
    geometry_for,
    starting_canvas,
    working_view,
    zoom,
)
from renderer.cinema.captions import caption_opacity, draw_caption
from renderer.cinema.detail import OPENING_ROUNDS, move_detail, refine_detail
from renderer.cinema.encode import Screens
from renderer.cinema.frames import FrameCache, frame_key
from renderer.cinema.moving_shots import moving_frame, moving_images
from renderer.cinema.optimize import optimize_canvas
from renderer.cinema.params import low_resolution_like, noise_images
from renderer.cinema.shots import FramePlan, Layout, plan_frames, targets
from renderer.cinema.spec import FilmSpec, FilmSpecError, sees_time
from renderer.engine import optimize
from renderer.spec import RenderSpec
from renderer.zoo import Network

Progress = Callable[[int, int], None]
MAX_SCREENS = 16
# A warm frame is near its optimum already: the optimizer moves its strongest parameters
# by about the learning rate per step (FlooredAdam), so smaller steps keep frames from boiling.
WARM_RATE = 0.5


def render_film(
    network: Network,
    film_spec: FilmSpec | dict,
    output,
    cache_dir,
    steps: int | None = None,
    screens: int = 1,
    progress: Progress | None = None,
    codec: str = "h264",
    pictures: Mapping[int, Image.Image | np.ndarray] | None = None,
) -> dict:
    """Render `film_spec` to `output` (MP4; `codec="prores"` for a MOV), or to `screens`
    synchronised files and a manifest; frames are cached in `cache_dir`.

    `steps` overrides the steps of every frame. `progress(done, total)` is called after
    every frame; an exception raised from it stops the render, and a later call resumes
    from the cached frames. Returns output, frames, rendered, cached, seconds (of
    rendering), duration (of the film), fps, size (of one screen) and, with several
    screens, files and manifest. `pictures` maps the index of each `atlas` shot to the
    map its camera moves over (the catalog resolves it from the shot's layer, corpus and
    grid).
    """
    started = time.perf_counter()
    film = film_spec if isinstance(film_spec, FilmSpec) else FilmSpec.from_json(film_spec)
    film.check_network(network)
    if isinstance(screens, bool) or not isinstance(screens, int) or not 1 <= screens <= MAX_SCREENS:
        raise FilmSpecError(None, "screens", f"must be a whole number from 1 to {MAX_SCREENS}")
    plans = plan_frames(film, steps)
    maps = _atlas_maps(film, pictures or {}, network.device)
    keys = _frame_keys(film, plans, screens, steps, network.weight_hash, maps)
    cache = FrameCache(cache_dir)
    width, height = film.size
    output = Path(output)
    screens_out = Screens(output, width, height, film.fps, screens, codec)
    counts = {"rendered": 0, "cached": 0}
    try:
        _render_frames(
            network, film, plans, keys, cache, screens, screens_out, counts, progress, maps
        )
    except BaseException:
        screens_out.abort()
        raise
    manifest = screens_out.close()
    report = {
        "output": str(manifest or output),
        "frames": len(plans),
        **counts,
        "seconds": round(time.perf_counter() - started, 2),
        "duration": round(len(plans) / film.fps, 6),
        "fps": film.fps,
        "size": [width, height],
    }
    if manifest:
        report["files"] = [str(writer.path) for writer in screens_out.writers]
        report["manifest"] = str(manifest)
    return report


def _atlas_maps(film: FilmSpec, pictures, device) -> dict[int, tuple[str, torch.Tensor]]:
    """Each atlas shot's map: its digest and pixels (on `device`)."""
    maps = {}
    for shot in film.shots:
        if shot.kind != "atlas":
            continue
        if shot.index not in pictures:
            raise FilmSpecError(
                shot.index, "corpus", "no map of this activation atlas was given to the renderer"
            )
        picture = pictures[shot.index]
        maps[shot.index] = (picture_digest(picture), picture_tensor(picture).to(device))
    return maps


def _frame_keys(
    film: FilmSpec, plans, screens: int, steps, weight_hash: str, maps=None
) -> list[str]:
    render_key = film.render_key(screens, steps)
    keys: list[str] = []
    for plan in plans:
        shot = plan.shot.to_dict(with_caption=False)
        shot["steps"] = plan.steps
        if plan.shot.index in (maps or {}):
            shot["picture"] = maps[plan.shot.index][0]
        keys.append(
            frame_key(render_key, shot, plan.frame, keys[-1] if keys else None, weight_hash)
        )
    return keys


def _render_frames(
    network, film, plans, keys, cache, screens, out, counts, progress, maps=None
) -> None:
    last = None  # (key, state, picture) of the frame just before, when in memory
    moving: dict[int, list] = {}  # a temporal network's moving images, by shot
    for number, (plan, key) in enumerate(zip(plans, keys, strict=True)):
        previous = keys[number - 1] if number else None
        if cache.has(key):
            picture = cache.image(key)
            counts["cached"] += 1
        elif sees_time(network):
            if plan.shot.index not in moving:
                moving[plan.shot.index] = moving_images(network, film, plan, screens)
            picture = moving_frame(moving[plan.shot.index], plan, film, screens)
            cache.store(key, picture, {})
            counts["rendered"] += 1
        else:
            if previous and (last is None or last[0] != previous):
                last = (previous, cache.state(previous, network.device), cache.image(previous))
            if plan.shot.kind == "atlas":
                state, picture = render_atlas_frame(film, plan, maps[plan.shot.index][1], screens)
            else:
                state, picture = render_frame(network, film, plan, last, screens)
            cache.store(key, picture, state)
            counts["rendered"] += 1
            last = (key, state, picture)
        opacity = caption_opacity(plan.frame, plan.frames, film.fps)
        out.write(draw_caption(picture, plan.shot.caption, opacity))
        if progress:
            progress(number + 1, len(plans))


def render_frame(
    network: Network, film: FilmSpec, plan: FramePlan, last, screens: int = 1
) -> tuple[dict, np.ndarray]:
    """One frame: `(state, picture)` from the last frame's `(key, state, picture)`."""
    width, height = film.size
    geometry = geometry_for(width * screens, height, film.work, plan.layout)
    style = "fourier" if film.style == "fourier" else "pixel"
    low, rate = None, film.learning_rate * WARM_RATE
    if last is None:
        rate = film.learning_rate
        canvas = _opening_canvas(network, film, plan, geometry)
        steps = plan.steps if film.style == "cppn" else film.first_steps
    else:
        state, steps = last[1], plan.steps
        if plan.first_in_shot:
            canvas = starting_canvas(state["view"], geometry)
        else:
            canvas, low = state["canvas"], state.get("low")
    if plan.shot.kind == "transition" and low is None:
        low = low_resolution_like(canvas)
    canvas = zoom(canvas, plan.scale, plan.centre).clamp(0, 1)
    canvas, low = optimize_canvas(
        network, canvas, low, plan, geometry, style, steps, rate, film.seed
    )
    camera = geometry.camera_pixels(plan.camera)
    with torch.no_grad():
        frame = full_view(canvas, geometry, camera)
    if film.detail_steps and geometry.height > geometry.work_height:
        if last is not None:
            frame = frame + move_detail(_detail_of(last, film, screens), geometry, plan)
        rounds = 1 if last is not None else OPENING_ROUNDS  # nothing carried in yet
        frame = refine_detail(
            network, frame.clamp(0, 1), geometry, plan, film.detail_steps, film.seed, rounds
        )
    picture = (frame.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()
    state = {
        "canvas": canvas,
        "view": working_view(canvas, geometry, camera),
        "camera": camera,
        "panels": geometry.layout.panels,
        "canvas_width": geometry.layout.canvas_width,
    }
    if low is not None:
        state["low"] = low
    return state, np.ascontiguousarray(picture)


def _detail_of(last, film: FilmSpec, screens: int) -> torch.Tensor:
    """The last frame's detail layer: its picture minus its upsampled working view."""
    _, state, picture = last
    layout = Layout(int(state["panels"]), float(state["canvas_width"]))
    geometry = geometry_for(film.size[0] * screens, film.size[1], film.work, layout)
    canvas = state["canvas"]
    upsampled = full_view(canvas, geometry, float(state["camera"]))
    full = torch.from_numpy(picture).to(canvas.device).permute(2, 0, 1).float() / 255
    return full - upsampled


def _opening_canvas(network: Network, film: FilmSpec, plan: FramePlan, geometry) -> torch.Tensor:
    """The film's first canvas: the style's noise, or for `cppn` a CPPN still per panel."""
    panels, h, wc = geometry.layout.panels, geometry.work_height, geometry.canvas_width
    device = network.device
    if film.style != "cppn":
        return noise_images(film.style, film.seed, panels, h, wc, device)
    centre = torch.full((panels,), geometry.panel_width / 2 / wc, device=device)
    channels = targets(plan, centre, torch.arange(panels, device=device))[0].tolist()
    specs = [
        RenderSpec(
            network.name,
            plan.shot.layer,
            channel,
            style="cppn",
            size=h,
            steps=film.first_steps,
            seed=film.seed + i,
            learning_rate=film.learning_rate,
        )
        for i, channel in enumerate(channels)
    ]
    side = max(h, wc)
    optimized = optimize(network, specs)
    with torch.no_grad():
        square = optimized.image_fn(side)
    top, left = (side - h) // 2, (side - wc) // 2
    return square[:, :3, top : top + h, left : left + wc].contiguous()
