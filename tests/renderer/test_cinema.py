"""Films rendered for real (efficientnet-lite0, tiny frames, few steps per frame)."""

import json

import numpy as np
import pytest

from renderer import RenderSpec, render
from renderer.cinema import render_film
from tests.renderer.cinema_helpers import (
    SIZE,
    channel_means,
    decode,
    film,
    mean_difference,
    rank_of,
)

ZOOM = {"kind": "zoom", "layer": "block10", "channel": 3, "seconds": 1, "zoom": 1.02}
TRANSITION = {"kind": "transition", "layer": "block10", "from": 3, "to": 7, "seconds": 1}
HOLD = {"kind": "hold", "layer": "block10", "channel": 7, "seconds": 1, "caption": "block10 7"}


@pytest.fixture(scope="module")
def rendered(lite0, tmp_path_factory):
    """A three-shot film: zoom on block10:3, transition to 7, hold on 7."""
    folder = tmp_path_factory.mktemp("film")
    report = render_film(lite0, film(ZOOM, TRANSITION, HOLD), folder / "film.mp4", folder / "cache")
    return report, decode(folder / "film.mp4")


def test_the_mp4_decodes_to_fps_times_seconds_frames_of_the_asked_size(rendered):
    report, frames = rendered
    assert report["frames"] == len(frames) == 4 * 3
    assert report["rendered"] == 12 and report["cached"] == 0
    assert report["size"] == list(SIZE) and report["fps"] == 4
    assert all(frame.shape == (SIZE[1], SIZE[0], 3) for frame in frames)


def test_consecutive_frames_differ_much_less_than_stills_of_unrelated_channels(lite0, rendered):
    _, frames = rendered
    stills = [
        np.asarray(render(lite0, spec).image.resize(SIZE))
        for spec in (
            RenderSpec("efficientnet-lite0", "block10", 3, size=48, steps=96),
            RenderSpec("efficientnet-lite0", "block10", 40, size=48, steps=96, seed=1),
        )
    ]
    unrelated = mean_difference(*stills)
    steps = [mean_difference(a, b) for a, b in zip(frames, frames[1:], strict=False)]
    assert max(steps) < unrelated / 3, (steps, unrelated)
    assert min(steps) > 0  # the frames move


def test_zoom_and_hold_frames_rank_their_channel_near_the_top(lite0, rendered):
    _, frames = rendered
    assert [rank_of(lite0, "block10", 3, frame) for frame in frames[:4]] == [1] * 4
    # Channel 7 climbs through the transition and hold (4 steps a frame): ranks of the 12
    # frames measured 30 29 26 24 20 19 12 10 12 14 13 7 (renderer 5; renderer 4:
    # 30 28 28 29 28 24 17 13 13 12 9 7; renderer 3 ended ... 18 18 6; the same
    # optimizer on channels_last weights, rounding otherwise: 24 ... 8). The trajectory is
    # sensitive to rounding: the same optimizer with its division done in another order
    # (outputs within 5e-7) went 33 ... 10.
    ranks = [rank_of(lite0, "block10", 7, frame) for frame in (frames[0], frames[-1])]
    assert ranks[1] <= 12 and ranks[1] <= ranks[0] / 3, ranks  # of 112


def test_in_a_transition_the_first_channel_falls_and_the_second_rises(lite0, rendered):
    _, frames = rendered
    means = channel_means(lite0, "block10", frames[4:8])
    assert means[-1, 3] < means[0, 3] - 2
    assert means[-1, 7] > means[0, 7] + 2


def test_a_stopped_render_resumes_without_rendering_a_cached_frame_again(lite0, tmp_path):
    spec = film({**ZOOM, "seconds": 1.5}, {**HOLD, "seconds": 0.5}, first_steps=8, steps=2)

    def stop_after_three(done, total):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_film(lite0, spec, tmp_path / "f.mp4", tmp_path / "cache", progress=stop_after_three)
    assert not (tmp_path / "f.mp4").exists() and not list(tmp_path.glob("*.part"))
    written = {p: p.stat().st_mtime_ns for p in (tmp_path / "cache").rglob("*.*")}
    assert len(written) == 3 * 2  # picture and state of each finished frame
    report = render_film(lite0, spec, tmp_path / "f.mp4", tmp_path / "cache")
    assert (report["rendered"], report["cached"], report["frames"]) == (5, 3, 8)
    assert all(p.stat().st_mtime_ns == mtime for p, mtime in written.items())
    assert len(decode(tmp_path / "f.mp4")) == 8
    again = render_film(lite0, spec, tmp_path / "g.mp4", tmp_path / "cache")
    assert (again["rendered"], again["cached"]) == (0, 8)


def test_changing_a_shot_re_renders_it_and_what_follows_only(lite0, tmp_path):
    first = film(ZOOM, HOLD, first_steps=8, steps=2)
    render_film(lite0, first, tmp_path / "a.mp4", tmp_path / "cache")
    changed = film(ZOOM, {**HOLD, "channel": 9, "caption": "new"}, first_steps=8, steps=2)
    report = render_film(lite0, changed, tmp_path / "b.mp4", tmp_path / "cache")
    assert (report["cached"], report["rendered"]) == (4, 4)
    captioned = film(ZOOM, {**HOLD, "channel": 9, "caption": "other"}, first_steps=8, steps=2)
    assert render_film(lite0, captioned, tmp_path / "c.mp4", tmp_path / "cache")["rendered"] == 0


def test_three_screens_are_three_synchronised_files_and_a_manifest(lite0, tmp_path):
    montage = {"kind": "montage", "layer": "block12", "channels": [1, 2, 3], "seconds": 1}
    spec = film(montage, {**ZOOM, "seconds": 0.5}, first_steps=8, steps=2)
    report = render_film(lite0, spec, tmp_path / "wall.mp4", tmp_path / "cache", screens=3)
    manifest = json.loads((tmp_path / "wall.manifest.json").read_text())
    assert report["manifest"] == str(tmp_path / "wall.manifest.json")
    assert [entry["screen"] for entry in manifest["screens"]] == [1, 2, 3]
    for entry, path in zip(manifest["screens"], report["files"], strict=True):
        frames = decode(tmp_path / entry["file"])
        assert str(tmp_path / entry["file"]) == path
        assert len(frames) == entry["frames"] == 6 and entry["fps"] == 4
        assert entry["duration"] == 1.5 and len(entry["sha256"]) == 64
        assert frames[0].shape == (SIZE[1], SIZE[0], 3)
    # Each screen shows its own panel of the montage, not copies of one picture.
    first = [decode(tmp_path / entry["file"])[0] for entry in manifest["screens"]]
    assert mean_difference(first[0], first[1]) > 0.03


def test_a_frame_larger_than_the_working_size_costs_the_network_the_same(lite0, tmp_path):
    sizes = []
    hook = lite0.model.register_forward_pre_hook(lambda _m, args: sizes.append(args[0].shape))
    try:
        for width, height in ((96, 64), (384, 256)):
            spec = film(ZOOM, size=[width, height], work=32, fps=1, first_steps=2, steps=2)
            report = render_film(lite0, spec, tmp_path / f"{width}.mp4", tmp_path / "cache")
            assert decode(tmp_path / f"{width}.mp4")[0].shape == (height, width, 3)
            assert report["rendered"] == 1
            sizes.append(None)
    finally:
        hook.remove()
    small, large = (sizes[: sizes.index(None)], sizes[sizes.index(None) + 1 : -1])
    largest = max(s[0] * s[2] * s[3] for s in small + large)
    assert largest == max(s[0] * s[2] * s[3] for s in small)  # no bigger batch at 4× the size
