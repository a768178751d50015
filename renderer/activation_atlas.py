"""Activation atlases (Carter et al. 2019): where the images of a corpus sit in a layer's space.

The layer's activation vectors at a few sampled positions of every image are reduced to
2-D by UMAP (cosine metric, seeded), an N × N grid is laid over the normalized map, and
every cell with at least `min_points` points gets its mean activation vector as a
direction. All cells are then rendered in one batched optimization with a direction
objective (`objectives.direction_cossim`) through the engine's own step
(`engine.optimization_step`), and composed into one picture: the atlas's map, empty cells
transparent.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from renderer.engine import optimization_step
from renderer.errors import RendererError
from renderer.examples import images_to_batch
from renderer.layers import capture, forward_until
from renderer.objectives import direction_cossim
from renderer.optimizer import FlooredAdam
from renderer.plan import plan_batch
from renderer.spec import RenderSpec
from renderer.styles import LEARNING_RATE_SCALE, make_style
from renderer.zoo import Network

POSITIONS_PER_IMAGE = 16  # activation vectors sampled from each image's feature grid
MIN_POINTS = 3  # a cell needs this many points to get a direction
FILL_FACTOR = 2  # a UMAP map fills about half its grid: points needed = 2 × cells × MIN_POINTS
UMAP_NEIGHBOURS = 15
UMAP_MIN_DIST = 0.05
MAP_PERCENTILES = (0.5, 99.5)  # the map's extent; outliers beyond it join the edge cells
MAX_POINTS = 40_000  # a large corpus gives fewer positions per image: UMAP stays minutes
TOP_CHANNELS = 8
BATCH = 64  # cells optimized at once (one batch for grids up to 8 × 8)
BATCH_SIZE = 16  # images per forward pass when reading activations
# Progress: `progress(stage, done, total)`, stage "reading" (images), "mapping", "rendering"
# (steps).
Progress = Callable[[str, int, int], None]


class AtlasError(RendererError, ValueError):
    """An activation atlas that cannot be made: a layer without positions, too few
    images for the grid, a map whose points crowd into too few cells."""


@dataclass
class AtlasCell:
    """One grid cell: its place (x from the left, y from the top), its points, the
    images they come from (indices into the images given, most points first), its
    direction and the channels it stands out on (`[channel, z]`: the cell's mean above
    the corpus's, in the corpus's standard deviations), and its rendered image."""

    x: int
    y: int
    count: int
    images: list[int]
    direction: np.ndarray
    top_channels: list[list]
    image: Image.Image | None = None


@dataclass
class ActivationAtlas:
    """A rendered atlas: its cells, the map (grid × size pixels square, RGBA) and the 2-D
    layout of every point (`coords`, in [0, 1]) with the image each came from."""

    layer: str
    grid: int
    size: int
    cells: list[AtlasCell]
    image: Image.Image
    coords: np.ndarray
    point_images: np.ndarray
    seconds: dict = field(default_factory=dict)


@dataclass
class Activations:
    """Sampled activation vectors (P, C), the image (P,) and flat position (P,) of each."""

    vectors: np.ndarray
    images: np.ndarray
    positions: np.ndarray


def images_needed(grid: int, per_image: int = POSITIONS_PER_IMAGE, min_points: int = MIN_POINTS):
    """How many images an `grid` × `grid` atlas needs at least."""
    return math.ceil(FILL_FACTOR * grid * grid * min_points / per_image)


def check_request(network: Network, layer_name: str, images: int, grid: int, **counts) -> None:
    """Raise `AtlasError` (or `UnknownLayer`) before any work when the layer has no
    spatial positions or `images` are too few for the grid."""
    layer = network.layer(layer_name)
    if layer.kind != "conv":
        raise AtlasError(
            f"layer {layer.name!r} of {network.name} is its output (one score per class, no "
            "positions): an activation atlas maps a spatial layer"
        )
    if isinstance(grid, bool) or not isinstance(grid, int) or grid < 2:
        raise AtlasError(f"grid: must be a whole number of at least 2, got {grid!r}")
    needed = images_needed(grid, **counts)
    if images < needed:
        raise AtlasError(f"{images} images: a {grid}×{grid} grid needs at least {needed}")


def activation_atlas(
    network: Network,
    layer_name: str,
    images: Sequence[Image.Image],
    grid: int = 8,
    steps: int = 128,
    size: int = 64,
    seed: int = 0,
    per_image: int = POSITIONS_PER_IMAGE,
    min_points: int = MIN_POINTS,
    progress: Progress | None = None,
) -> ActivationAtlas:
    """The activation atlas of `layer_name` over `images`: a `grid` × `grid` map whose
    cells are rendered at `size` pixels in `steps` steps (one batch). Raises `AtlasError`
    for a non-spatial layer or too few images, `UnknownLayer` for an unknown one."""
    check_request(
        network, layer_name, len(images), grid, per_image=per_image, min_points=min_points
    )
    per_image = max(1, min(per_image, MAX_POINTS // len(images)))
    report = progress or (lambda stage, done, total: None)
    seconds, started = {}, time.perf_counter()
    acts = layer_activations(network, layer_name, images, per_image, seed, report)
    seconds["reading"], started = time.perf_counter() - started, time.perf_counter()
    report("mapping", 0, 1)
    coords = umap_layout(acts.vectors, seed)
    report("mapping", 1, 1)
    cells = grid_cells(acts, coords, grid, min_points)
    seconds["mapping"], started = time.perf_counter() - started, time.perf_counter()
    directions = np.stack([cell.direction for cell in cells])
    tops = [cell.top_channels[0][0] for cell in cells]
    pictures = render_directions(
        network,
        layer_name,
        directions,
        tops,
        size,
        steps,
        seed,
        progress=lambda done, total: report("rendering", done, total),
    )
    for cell, picture in zip(cells, pictures, strict=True):
        cell.image = picture
    seconds["rendering"] = time.perf_counter() - started
    return ActivationAtlas(
        layer=layer_name,
        grid=grid,
        size=size,
        cells=cells,
        image=compose_map(cells, grid, size),
        coords=coords,
        point_images=acts.images,
        seconds={key: round(value, 2) for key, value in seconds.items()},
    )


@torch.no_grad()
def layer_activations(
    network: Network,
    layer_name: str,
    images: Sequence[Image.Image],
    per_image: int = POSITIONS_PER_IMAGE,
    seed: int = 0,
    progress: Progress | None = None,
) -> Activations:
    """The layer's activation vectors at `per_image` positions of each image, drawn
    without replacement from its feature grid by a generator seeded per image (so an
    image's positions do not depend on the others)."""
    layer = network.layer(layer_name)
    vectors, owners, places = [], [], []
    with capture(network.model, {layer.name: layer.module}, stop_after=layer.name) as acts:
        for start in range(0, len(images), BATCH_SIZE):
            batch = images_to_batch(images[start : start + BATCH_SIZE], network)
            forward_until(network.model, network.preprocess(batch))
            output = acts[layer.name].float().flatten(2).cpu()  # (N, C, H·W)
            for offset, grid in enumerate(output):
                index = start + offset
                generator = torch.Generator().manual_seed(seed * 1_000_003 + index)
                chosen = torch.randperm(grid.shape[1], generator=generator)[:per_image]
                chosen = chosen.sort().values
                vectors.append(grid[:, chosen].T.numpy())
                owners.append(np.full(len(chosen), index))
                places.append(chosen.numpy())
            if progress:
                progress("reading", min(start + BATCH_SIZE, len(images)), len(images))
    return Activations(np.concatenate(vectors), np.concatenate(owners), np.concatenate(places))


def umap_layout(vectors: np.ndarray, seed: int = 0) -> np.ndarray:
    """UMAP of `vectors` (P, C) to 2-D with the cosine metric, each axis scaled to [0, 1]
    over its central percentiles (outliers clipped to the edge)."""
    import umap  # imported here: it takes seconds (numba)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "n_jobs overridden by random_state", spectral init
        reducer = umap.UMAP(
            n_components=2,
            metric="cosine",
            n_neighbors=min(UMAP_NEIGHBOURS, len(vectors) - 1),
            min_dist=UMAP_MIN_DIST,
            random_state=seed,
        )
        layout = reducer.fit_transform(vectors.astype(np.float32))
    low, high = np.percentile(layout, MAP_PERCENTILES, axis=0)
    return np.clip((layout - low) / np.maximum(high - low, 1e-9), 0.0, 1.0)


def grid_cells(
    acts: Activations, coords: np.ndarray, grid: int, min_points: int
) -> list[AtlasCell]:
    """The cells of a `grid` × `grid` grid over `coords` with at least `min_points`
    points, in reading order, each with its mean activation as its direction."""
    columns = np.minimum((coords[:, 0] * grid).astype(int), grid - 1)
    rows = np.minimum(((1 - coords[:, 1]) * grid).astype(int), grid - 1)  # y grows upward
    mean, spread = acts.vectors.mean(axis=0), acts.vectors.std(axis=0) + 1e-6
    cells = []
    for y in range(grid):
        for x in range(grid):
            members = np.flatnonzero((columns == x) & (rows == y))
            if len(members) < min_points:
                continue
            direction = acts.vectors[members].mean(axis=0)
            z = (direction - mean) / spread
            top = np.argsort(-z)[:TOP_CHANNELS]
            owners, counts = np.unique(acts.images[members], return_counts=True)
            ordered = owners[np.lexsort((owners, -counts))]
            cells.append(
                AtlasCell(
                    x,
                    y,
                    len(members),
                    [int(i) for i in ordered],
                    direction,
                    [[int(c), round(float(z[c]), 3)] for c in top],
                )
            )
    if len(cells) < 2:
        raise AtlasError(
            f"only {len(cells)} cell of the {grid}×{grid} grid has {min_points} points or "
            "more: give more images or choose a smaller grid"
        )
    return cells


def render_directions(
    network: Network,
    layer_name: str,
    directions: np.ndarray,
    channels: Sequence[int],
    size: int,
    steps: int,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    style: str = "fourier",
    batch: int = BATCH,
) -> list[Image.Image]:
    """One feature visualization per direction (D, C) of the layer, `size` pixels square,
    optimized together (in batches of `batch`) by the engine's step toward
    `direction_cossim`. `channels` are the specs' nominal channels (each direction's
    strongest); element i is seeded by `seed + i`, so an image does not depend on the
    batch it shares."""
    total = math.ceil(len(directions) / batch) * steps
    pictures: list[Image.Image] = []
    for start in range(0, len(directions), batch):
        done = (start // batch) * steps

        def advance(step: int, _steps: int, done: int = done) -> None:
            if progress:
                progress(done + step, total)

        chunk = slice(start, start + batch)
        pictures += _optimize_directions(
            network,
            layer_name,
            directions[chunk],
            channels[chunk],
            size,
            steps,
            seed + start,
            style,
            advance,
        )
    return pictures


def _optimize_directions(
    network, layer_name, directions, channels, size, steps, seed, style, progress
) -> list[Image.Image]:
    layer = network.layer(layer_name)
    device = network.device
    specs = [
        RenderSpec(network.name, layer.name, int(c), style=style, size=size, steps=steps, seed=s)
        for s, c in enumerate(channels, start=seed)
    ]
    plan = plan_batch(network, specs, None)
    params, image_fn = make_style(style, plan, size, device)
    rate = specs[0].learning_rate * LEARNING_RATE_SCALE.get(style, 1.0)
    optimizer = FlooredAdam(params, lr=rate)
    objective = direction_cossim(layer.name, torch.as_tensor(directions, device=device))
    seeds = torch.tensor(plan.seeds, device=device)
    with capture(network.model, {layer.name: layer.module}, stop_after=layer.name) as acts:
        for step in range(steps):
            optimization_step(
                network,
                acts,
                optimizer,
                image_fn,
                objective,
                transforms=specs[0].transforms,
                seeds=seeds,
                step=step,
                min_side=network.input_size,
            )
            progress(step + 1, steps)
    with torch.no_grad():
        final = image_fn()[:, :3].clamp(0, 1)
    pixels = (final * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    return [Image.fromarray(np.ascontiguousarray(p), "RGB") for p in pixels]


def direction_alignment(
    network: Network, layer_name: str, pictures: Sequence[Image.Image], directions: np.ndarray
) -> np.ndarray:
    """(D, D): the cosine similarity of each picture's mean activation (rows) to each
    direction (columns), how far each rendered cell shows its own direction."""
    layer = network.layer(layer_name)
    with (
        torch.no_grad(),
        capture(network.model, {layer.name: layer.module}, stop_after=layer.name) as acts,
    ):
        forward_until(network.model, network.preprocess(images_to_batch(pictures, network)))
        means = acts[layer.name].float().mean(dim=(2, 3)).cpu()
    unit = torch.as_tensor(np.asarray(directions), dtype=torch.float32)
    return (F.normalize(means, dim=1) @ F.normalize(unit, dim=1).T).numpy()


def compose_map(cells: Sequence[AtlasCell], grid: int, size: int) -> Image.Image:
    """The atlas as one RGBA picture, `grid` × `size` pixels square: each cell's image
    at its place, empty cells transparent."""
    picture = Image.new("RGBA", (grid * size, grid * size), (0, 0, 0, 0))
    for cell in cells:
        if cell.image is not None:
            tile = cell.image.convert("RGBA").resize((size, size), Image.Resampling.LANCZOS)
            picture.paste(tile, (cell.x * size, cell.y * size))
    return picture
