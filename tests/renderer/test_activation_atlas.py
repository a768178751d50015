"""Activation atlases with the real efficientnet-lite0 over the sample photographs, at a
tiny size: the cells are distinct pictures of their own directions, neighbours on the
grid are neighbours in the layer's space, and what cannot be mapped says why."""

import numpy as np
import pytest
from PIL import Image

from renderer.activation_atlas import (
    AtlasError,
    direction_alignment,
    images_needed,
    layer_activations,
)
from renderer.cinema import FilmSpec, FilmSpecError, render_film
from renderer.errors import UnknownLayer
from tests.renderer.atlas_helpers import cached_atlas, photographs
from tests.renderer.cinema_helpers import decode

LAYER, GRID, STEPS, SIZE = "block5", 4, 24, 40


@pytest.fixture(scope="module")
def images():
    return photographs()


@pytest.fixture(scope="module")
def atlas(lite0, images):
    stages = []
    result = cached_atlas(
        lite0, LAYER, images, grid=GRID, steps=STEPS, size=SIZE,
        progress=lambda stage, done, total: stages.append((stage, done, total)),
    )  # fmt: skip
    result.stages = stages
    return result


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255


def test_every_cell_with_enough_points_is_a_distinct_picture(atlas):
    assert len(atlas.cells) >= 6
    pictures = [_pixels(cell.image) for cell in atlas.cells]
    assert all(p.shape == (SIZE, SIZE, 3) for p in pictures)
    differences = [
        np.abs(pictures[i] - pictures[j]).mean()
        for i in range(len(pictures))
        for j in range(i + 1, len(pictures))
    ]
    assert min(differences) > 0.02, f"two cells look alike: {min(differences):.3f}"
    assert all(p.std() > 0.015 for p in pictures), "a cell is still a flat field"


def test_each_cell_shows_its_own_direction_more_than_the_others(lite0, atlas):
    directions = np.stack([cell.direction for cell in atlas.cells])
    alignment = direction_alignment(lite0, LAYER, [c.image for c in atlas.cells], directions)
    own = np.diag(alignment)
    others = (alignment.sum(axis=1) - own) / (len(own) - 1)
    assert (own > others).mean() >= 0.8, np.round(alignment, 2)
    assert own.mean() > others.mean() + 0.1


def test_neighbouring_cells_are_more_alike_in_the_layer_than_distant_ones(atlas):
    unit = np.stack([c.direction / np.linalg.norm(c.direction) for c in atlas.cells])
    cosine = unit @ unit.T
    near, far = [], []
    for i, a in enumerate(atlas.cells):
        for j, b in enumerate(atlas.cells[i + 1 :], start=i + 1):
            distance = max(abs(a.x - b.x), abs(a.y - b.y))
            (near if distance == 1 else far).append(cosine[i, j])
    assert near and far
    assert np.mean(near) > np.mean(far) + 0.03, (np.mean(near), np.mean(far))


def test_the_map_puts_each_cell_at_its_place_and_leaves_empty_cells_clear(atlas):
    picture = atlas.image
    assert picture.size == (GRID * SIZE, GRID * SIZE) and picture.mode == "RGBA"
    full = {(cell.x, cell.y): cell for cell in atlas.cells}
    for y in range(GRID):
        for x in range(GRID):
            tile = np.asarray(picture.crop((x * SIZE, y * SIZE, (x + 1) * SIZE, (y + 1) * SIZE)))
            if (x, y) in full:
                assert (tile[..., 3] == 255).all()
                assert np.abs(tile[..., :3] / 255 - _pixels(full[(x, y)].image)).max() < 0.02
            else:
                assert (tile[..., 3] == 0).all()
    assert len(full) < GRID * GRID, "a UMAP map leaves some cells empty"


def test_a_cell_knows_its_images_points_and_strongest_channels(atlas, images):
    assert len(atlas.coords) == len(images) * 16 == len(atlas.point_images)
    assert sum(cell.count for cell in atlas.cells) <= len(atlas.coords)
    for cell in atlas.cells:
        assert cell.count >= 3 and cell.images
        assert set(cell.images) <= set(range(len(images)))
        z = [value for _, value in cell.top_channels]
        assert z == sorted(z, reverse=True) and len(z) == 8
        assert cell.direction[cell.top_channels[0][0]] > np.median(cell.direction)


def test_progress_goes_through_reading_mapping_and_rendering(atlas, images):
    stages = [stage for stage, _, _ in atlas.stages]
    assert stages[0] == "reading" and stages[-1] == "rendering"
    assert "mapping" in stages
    assert atlas.stages[-1][1:] == (STEPS, STEPS)
    assert ("reading", len(images), len(images)) in atlas.stages


def test_images_keep_their_positions_when_more_images_follow(lite0, images):
    fewer = layer_activations(lite0, LAYER, images[:3])
    more = layer_activations(lite0, LAYER, images[:5])
    rows = more.images < 3
    assert np.array_equal(fewer.positions, more.positions[rows])
    assert np.allclose(fewer.vectors, more.vectors[rows], atol=1e-4)
    assert not np.array_equal(more.positions[more.images == 0], more.positions[more.images == 1])


def test_the_logits_an_unknown_layer_and_too_few_images_are_refused(lite0, images):
    with pytest.raises(AtlasError, match="'logits'.*output"):
        cached_atlas(lite0, "logits", images, grid=3, steps=1, size=16)
    with pytest.raises(UnknownLayer, match="block99"):
        cached_atlas(lite0, "block99", images, grid=3, steps=1, size=16)
    needed = images_needed(8)
    with pytest.raises(AtlasError, match=f"^12 images: a 8×8 grid needs at least {needed}$"):
        cached_atlas(lite0, LAYER, images[:12], grid=8, steps=1, size=16)


def test_an_atlas_shot_zooms_from_the_whole_map_to_its_centre(lite0, tmp_path):
    quadrants = np.zeros((64, 64, 4), dtype=np.uint8)
    quadrants[..., 3] = 255
    quadrants[:32, :32, :3] = (255, 0, 0)
    quadrants[:32, 32:, :3] = (0, 255, 0)
    quadrants[32:, :32, :3] = (0, 0, 255)
    quadrants[32:, 32:, 3] = 0  # an empty cell: the background shows
    spec = {
        "network": "efficientnet-lite0", "size": [64, 36], "fps": 8,
        "shots": [{"kind": "atlas", "layer": LAYER, "seconds": 1, "zoom": 4,
                   "centre": [0.25, 0.25], "easing": "linear"}],
    }  # fmt: skip
    pictures = {0: Image.fromarray(quadrants, "RGBA")}
    report = render_film(
        lite0, spec, tmp_path / "atlas.mp4", tmp_path / "frames", pictures=pictures
    )
    frames = decode(tmp_path / "atlas.mp4")
    assert report["frames"] == len(frames) == 8
    first, last = frames[0].astype(int), frames[-1].astype(int)
    # the whole map, letterboxed: red top left, green top right, blue, and dark bars
    assert first[9, 23, 0] > 200 and first[9, 41, 1] > 200 and first[27, 23, 2] > 200
    assert first[18, 2].max() < 60 and first[27, 41].max() < 60
    # zoomed 4× into the red quadrant's middle: red everywhere
    assert (last[..., 0] > 180).mean() > 0.95 and last[..., 1].mean() < 40
    again = render_film(lite0, spec, tmp_path / "again.mp4", tmp_path / "frames", pictures=pictures)
    assert again["cached"] == 8 and again["rendered"] == 0


def test_an_atlas_shot_needs_its_map_and_sensible_zooms(lite0, tmp_path):
    shot = {"kind": "atlas", "layer": LAYER, "seconds": 1}
    spec = {"network": "efficientnet-lite0", "size": [64, 36], "fps": 4, "shots": [shot]}
    with pytest.raises(FilmSpecError, match="shot 0, field 'corpus': no map"):
        render_film(lite0, spec, tmp_path / "a.mp4", tmp_path / "frames")
    with pytest.raises(FilmSpecError, match="shot 0, field 'zoom'"):
        FilmSpec.from_json({**spec, "shots": [{**shot, "zoom": 0.5}]})
    with pytest.raises(FilmSpecError, match="shot 0, field 'start_centre'"):
        FilmSpec.from_json({**spec, "shots": [{**shot, "start_centre": [2, 0]}]})
    with pytest.raises(FilmSpecError, match="field 'channel': is not a field of a atlas"):
        FilmSpec.from_json({**spec, "shots": [{**shot, "channel": 3}]})
